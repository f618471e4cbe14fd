"""What both benchmarks need: logging to stderr, the venv's tools, free loopback ports,
compiled catalogs, and gunicorn started and stopped cleanly."""

from __future__ import annotations

import http.client
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
BIN = Path(sys.executable).parent


def log(*parts: Any) -> None:
    print("bench:", *parts, file=sys.stderr, flush=True)


def tool(name: str) -> str:
    path = BIN / name
    found = str(path) if path.exists() else shutil.which(name)
    if not found:
        sys.exit(f"bench: {name} not found next to {sys.executable} or on PATH")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def migrate(env: dict[str, str]) -> None:
    """`fairheat db upgrade` on the database that `env` names; its output goes to stderr."""
    subprocess.run(
        [tool("fairheat"), "db", "upgrade"],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=sys.stderr,
        stderr=sys.stderr,
    )


def load_client(choice: str) -> str:
    """`wrk` or `python` for --client (auto: wrk when installed); exits when wrk is missing."""
    if choice == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if choice == "wrk" and not shutil.which("wrk"):
        sys.exit("bench: --client wrk, but wrk is not installed")
    return choice


def database_names(raw: str) -> list[str]:
    """The --databases list (sqlite and/or postgresql); exits naming anything else."""
    names = [d.strip() for d in raw.split(",") if d.strip()]
    unknown = set(names) - {"sqlite", "postgresql"}
    if unknown or not names:
        sys.exit(f"bench: --databases takes sqlite and/or postgresql, not {sorted(unknown)}")
    return names


class Gunicorn:
    """One gunicorn master on a loopback port; stop() ends it and its workers."""

    def __init__(
        self,
        app: str,
        workers: int,
        env: dict[str, str],
        logfile: Path,
        *,
        chdir: Path = ROOT,
        port: int | None = None,
    ):
        self.port = port or free_port()
        self.logfile = logfile
        command = [
            tool("gunicorn"),
            "--workers",
            str(workers),
            "--threads",
            "1",
            "--worker-class",
            "sync",
            "--bind",
            f"{HOST}:{self.port}",
            "--chdir",
            str(chdir),
            "--timeout",
            "60",
            "--log-level",
            "warning",
            app,
        ]
        log("starting", " ".join(command[1:]))
        with logfile.open("ab") as out:
            self.process = subprocess.Popen(command, env=env, stdout=out, stderr=out)

    def wait_ready(self, path: str = "/healthz", timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}:\n{self.tail()}"
                )
            try:
                if get(self.port, path)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer {path} within {timeout:.0f} s:\n{self.tail()}")

    def tail(self) -> str:
        return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-30:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def get(port: int, path: str) -> tuple[int, str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


# ---- load ---------------------------------------------------------------------------------
