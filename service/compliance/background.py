"""Reading the database beside the export's writing: a thread with a session of its own.

The figures are aggregates PostgreSQL computes over a year's SMS and calls while the export's
thread only waits (0.5-0.7 s at full size). A thread waiting for the database does not hold the
GIL, so the figures are read in one while the main thread writes the registers, in an app
context of its own (so its own session and connection) and in the bundle's language. Only reads
happen there: the export does its writes (audit record, checkpoint) before it starts. Its error
is raised where its result is taken. (Reading each register's rows in a thread ahead of the
writer was measured too and dropped: what it saved in waiting it lost to the two threads
taking turns at the GIL.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from flask import current_app
from flask_babel import force_locale

T = TypeVar("T")


def _in_context(app: Any, language: str, work: Callable[[], T]) -> T:
    with app.app_context(), force_locale(language):
        return work()


def started(work: Callable[[], T], language: str, name: str) -> Future[T]:
    """`work()` run now in a thread of its own; its result (or error) from the future."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    future: Future[T] = Future()

    def run() -> None:
        try:
            future.set_result(_in_context(app, language, work))
        except BaseException as error:  # handed to whoever takes the result
            future.set_exception(error)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future
