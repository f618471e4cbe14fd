"""Reading the database beside the export's writing: threads with sessions of their own.

Most of the export is Python turning rows into CSV and sheet XML (holding the GIL); a good
part of the rest is waiting for PostgreSQL: the figures' aggregates over a year's SMS, a
register aggregated before its first row arrives, each batch of a server-side cursor. A thread
waiting for the database does not hold the GIL, so these reads go on in threads while the main
thread writes, each thread in an app context of its own (so its own session and connection)
and in the bundle's language.

Only reads happen here: the export does its writes (audit record, checkpoint) before any of
these start. A thread's error is raised where its result is taken.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future
from typing import Any, TypeVar

from flask import current_app
from flask_babel import force_locale

from service.evidence import Register

T = TypeVar("T")
Row = Sequence[object]


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


_END = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class ReadAhead:
    """Rows of `rows()` read by a thread of its own, `size` at a time, at most `ahead` batches
    ahead of the one taking them (so memory stays a few batches whatever the register's size)."""

    def __init__(
        self,
        rows: Callable[[], Iterable[Row]],
        language: str,
        *,
        size: int,
        ahead: int = 2,
        name: str = "read-ahead",
    ) -> None:
        self._queue: queue.Queue[object] = queue.Queue(maxsize=ahead)
        self._stop = threading.Event()
        self._done = started(lambda: self._read(rows, size), language, name)

    def _read(self, rows: Callable[[], Iterable[Row]], size: int) -> None:
        iterator: Iterator[Row] | None = None
        try:
            iterator = iter(rows())
            while batch := list(itertools.islice(iterator, size)):
                if not self._put(batch):
                    return
            self._put(_END)
        except Exception as error:
            self._put(_Failed(error))
        finally:
            close = getattr(iterator, "close", None)  # None before rows() answered
            if close is not None:
                close()  # a generator's cursor is closed in the thread that opened it

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def batches(self) -> Iterator[list[Row]]:
        """The batches in order; the reader's error is raised here."""
        while (item := self._queue.get()) is not _END:
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]

    def close(self) -> None:
        """Stop reading (if it has not ended) and wait for the thread."""
        self._stop.set()
        self._done.exception()  # waits; an error was already handed to batches()


def read_in_turn(
    registers: Sequence[Register], language: str, *, size: int
) -> Generator[tuple[Register, Iterator[list[Row]]], None, None]:
    """Each register with its batches, in order; the next register's reading starts as this
    one's is taken, so a register the database aggregates before its first row is ready (or
    nearly) when its turn comes. Use with contextlib.closing: closing stops every reader."""
    readers: list[ReadAhead | None] = [None] * len(registers)

    def reader(index: int) -> ReadAhead:
        found = readers[index]
        if found is None:
            register = registers[index]
            found = readers[index] = ReadAhead(
                register.rows, language, size=size, name=f"read {register.name}"
            )
        return found

    try:
        for index, register in enumerate(registers):
            current = reader(index)
            if index + 1 < len(registers):
                reader(index + 1)
            yield register, current.batches()
            current.close()
    finally:
        for started_reader in readers:
            if started_reader is not None:
                started_reader.close()
