"""The figures read beside the export's writing (service/compliance/background.py): in a thread
with its own session and the bundle's language; its result or error handed back."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask_babel import get_locale

from service.compliance.background import started
from service.extensions import db


def test_work_runs_in_a_thread_with_its_own_session_and_language(app: Any) -> None:
    def look() -> tuple[str, Any, str]:
        return threading.current_thread().name, db.session(), str(get_locale())

    thread, session, locale = started(look, "pl", name="export figures").result(5)
    assert thread == "export figures" and session is not db.session() and locale == "pl"


def test_work_started_in_the_background_hands_back_its_result_or_error(app: Any) -> None:
    assert started(lambda: str(get_locale()), "sv", name="t").result(5) == "sv"
    known: dict[str, int] = {}
    with pytest.raises(KeyError):
        started(lambda: known["missing"], "en", name="t").result(5)
