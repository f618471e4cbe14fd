from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def settings_env(tmp_path: Path) -> dict[str, str]:
    return {
        "FAIRHEAT_CUSTOMERS_SERVED": "100",
        "FAIRHEAT_SIGNING_KEY_FILE": str(tmp_path / "keys" / "signing.pem"),
        "FAIRHEAT_FILES_DIR": str(tmp_path / "files"),
    }


# The parts whose evidence these tests know by hand; others (in progress beside this work) are
# left out so their data cannot move the expected figures. A test adds a sample part to show
# the export takes whatever providers exist.
KNOWN_PARTS = (
    "notifications",
    "notifications.customers",
    "feedback",
    "service.mail",
    "service.compliance",
)


@pytest.fixture(autouse=True)
def known_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    from service import domains

    monkeypatch.setattr(domains, "DOMAINS", KNOWN_PARTS)


@pytest.fixture
def signing_key(app: Any, runner: Any) -> str:
    result = runner.invoke(args=["compliance", "keys", "create"])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture
def known(app: Any) -> dict[str, int]:
    from tests.service.compliance import known_data

    return known_data.load()


@pytest.fixture
def export(runner: Any, tmp_path: Path) -> Any:
    """Run `fairheat compliance export`; return (result, out folder)."""

    def run(*extra: str, mark: str = "all", period: str = "2025-Q1", lang: str = "en") -> Any:
        out = tmp_path / "out"
        out.mkdir(exist_ok=True)
        args = ["compliance", "export", "--mark", mark, "--period", period, "--lang", lang]
        result = runner.invoke(args=[*args, "--out", str(out), *extra])
        if result.exc_info and not isinstance(result.exception, SystemExit):
            import traceback

            traceback.print_exception(*result.exc_info)
        return result, out

    return run
