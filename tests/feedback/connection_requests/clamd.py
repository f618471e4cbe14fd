"""A real clamd on a unix socket in a temporary directory, with a test signature database.

The machine has /usr/sbin/clamd but no virus database; the test writes its own: one .ndb body
signature matching TEST_MARKER anywhere in a file. Where clamd is missing the tests skip with
the reason, unless FAIRHEAT_TEST_REQUIRE_CLAMAV=1 (CI, .ci/run), where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"
REQUIRE = os.environ.get("FAIRHEAT_TEST_REQUIRE_CLAMAV") == "1"
TEST_MARKER = b"FAIRHEAT-TEST-MALWARE-SIGNATURE"
SIGNATURE = "FairheatTestSignature"


def start_clamd(directory: Path) -> Iterator[str]:
    if not os.access(CLAMD, os.X_OK):
        reason = f"clamd not found at {CLAMD} (install clamav-daemon)"
        if REQUIRE:
            pytest.fail(reason)
        pytest.skip(reason)
    (directory / "db").mkdir()
    (directory / "db" / "fairheat.ndb").write_text(f"{SIGNATURE}:0:*:{TEST_MARKER.hex()}\n")
    socket = directory / "clamd.sock"
    config = directory / "clamd.conf"
    config.write_text(
        f"LocalSocket {socket}\nDatabaseDirectory {directory / 'db'}\nForeground yes\n"
        f"LogFile {directory / 'clamd.log'}\nTemporaryDirectory {directory}\n"
        "StreamMaxLength 100M\nMaxFileSize 100M\nMaxScanSize 100M\n"
    )
    process = subprocess.Popen(
        [CLAMD, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while not socket.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                log = (
                    (directory / "clamd.log").read_text()
                    if (directory / "clamd.log").exists()
                    else ""
                )
                reason = f"clamd did not start: {log[-500:]}"
                if REQUIRE:
                    pytest.fail(reason)
                pytest.skip(reason)
            time.sleep(0.1)
        yield str(socket)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
