"""Reads beside the export's writing (service/compliance/background.py): a register's rows come
in order, a batch at a time, from a thread with its own session; a reader's error is raised to
the writer; a stopped reader closes its rows; the next register is read while this one is
written."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import pytest
import sqlalchemy as sa
from flask_babel import get_locale

from service.compliance.background import ReadAhead, read_in_turn, started
from service.evidence import Register
from service.extensions import db


def _numbers(count: int, seen: list[Any]) -> Any:
    def rows() -> Iterator[tuple[Any, str]]:
        seen.append((threading.current_thread().name, db.session(), str(get_locale())))
        for number in range(count):
            yield (db.session.scalar(sa.select(sa.literal(number))), "x")

    return rows


def test_rows_come_in_order_in_batches_from_a_session_of_their_own(app: Any) -> None:
    seen: list[Any] = []
    reader = ReadAhead(_numbers(7, seen), "pl", size=3, name="read numbers")
    try:
        batches = list(reader.batches())
    finally:
        reader.close()
    assert [[row[0] for row in batch] for batch in batches] == [[0, 1, 2], [3, 4, 5], [6]]
    [(thread, session, locale)] = seen
    assert thread == "read numbers" and session is not db.session() and locale == "pl"


def test_a_readers_error_is_raised_to_the_writer(app: Any) -> None:
    def rows() -> Iterator[tuple[int]]:
        yield (1,)
        raise ValueError("the register's query failed")

    reader = ReadAhead(rows, "en", size=1)
    batches = reader.batches()
    assert next(batches) == [(1,)]
    with pytest.raises(ValueError, match="the register's query failed"):
        next(batches)
    reader.close()


def test_a_stopped_reader_closes_its_rows(app: Any) -> None:
    closed = threading.Event()

    def rows() -> Iterator[tuple[int]]:
        try:
            for number in range(1_000_000):
                yield (number,)
        finally:
            closed.set()

    reader = ReadAhead(rows, "en", size=10, ahead=1)
    assert len(next(reader.batches())) == 10
    reader.close()
    assert closed.is_set()


def test_the_next_register_is_read_while_this_one_is_written(app: Any) -> None:
    first_started, second_started = threading.Event(), threading.Event()

    def rows(flag: threading.Event) -> Any:
        def read() -> Iterator[tuple[int]]:
            flag.set()
            yield (1,)

        return read

    registers = [
        Register("first", "First", (), rows(first_started)),
        Register("second", "Second", (), rows(second_started)),
    ]
    with closing(read_in_turn(registers, "en", size=10)) as in_turn:
        register, batches = next(in_turn)
        assert register.name == "first"
        assert second_started.wait(5)  # before "first" is taken
        assert list(batches) == [[(1,)]]
        register, batches = next(in_turn)
        assert register.name == "second" and list(batches) == [[(1,)]]


def test_work_started_in_the_background_hands_back_its_result_or_error(app: Any) -> None:
    assert started(lambda: str(get_locale()), "sv", name="t").result(5) == "sv"
    known: dict[str, int] = {}
    with pytest.raises(KeyError):
        started(lambda: known["missing"], "en", name="t").result(5)
