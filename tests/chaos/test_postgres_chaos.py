"""Chaos on PostgreSQL during a 20,000-message fan-out (issue 16, "Recovery").

Real processes as deployed — `fairheat worker` (the SMS dispatcher with its lease heartbeat)
and `gunicorn service.wsgi:app` — on a PostgreSQL cluster of this module's own (it is
restarted), sending through the real Twilio SDK to the fake Twilio on loopback:

- `kill -9` of one of two workers: nothing lost, duplicates only what it had in flight, and
  the survivor takes over the rows it held when their lease ends, 9 s after the last heartbeat
  (D17);
- `kill -9` of a web process: the worker's sending goes on untouched, and a new web process
  answers /readyz within seconds;
- PostgreSQL restarted (immediate stop: every connection dropped mid-transaction): every
  message is still sent, duplicates at most the batches in flight, and the web service answers
  /readyz again within seconds of the database returning.

Skipped without PostgreSQL server binaries or gunicorn; required in CI
(FAIRHEAT_TEST_REQUIRE_POSTGRES=1). About a minute in all.
"""

from __future__ import annotations

import collections
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from notifications.sms.models import MessageStatus
from service.app import create_app
from service.extensions import db
from tests.conftest import REQUIRE_POSTGRES, make_settings
from tests.support.fake_twilio import FakeTwilio
from tests.support.postgres import Cluster, PostgresUnavailable, start_cluster
from tests.support.sms import ACCOUNT_SID, AUTH_TOKEN, bulk_queue, outbox, phone, twilio_env

ROOT = Path(__file__).resolve().parents[2]
TOTAL = 20_000
RATE = "2500"
BIN = Path(sys.executable).parent


def status_counts() -> dict[MessageStatus, int]:
    from tests.support.sms import status_counts as counts

    return counts()


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    if shutil.which("gunicorn", path=str(BIN)) is None:
        pytest.skip("gunicorn is not installed")
    try:
        own = start_cluster()
    except PostgresUnavailable as error:
        if REQUIRE_POSTGRES:
            pytest.fail(f"PostgreSQL unavailable: {error}")
        pytest.skip(f"PostgreSQL unavailable: {error}")
    yield own
    own.stop()


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN, seed=7) as fake:
        yield fake


@pytest.fixture
def chaos(cluster: Cluster, fake_server: FakeTwilio, tmp_path: Path) -> Iterator[Chaos]:
    url = cluster.create_database("fairheat_chaos")
    fake_server.reset()
    environ = {
        **os.environ,
        **twilio_env(fake_server, FAIRHEAT_SMS_RATE_PER_SECOND=RATE),
        "FAIRHEAT_ENV": "test",
        "FAIRHEAT_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "FAIRHEAT_DATABASE_URL": url,
        "FAIRHEAT_RUN_SCHEDULER": "0",
    }
    settings = make_settings(tmp_path, FAIRHEAT_DATABASE_URL=url)
    app = create_app({"FAIRHEAT": settings, "TESTING": True})
    with app.app_context():
        upgrade()
        bulk_queue([phone(i) for i in range(TOTAL)], event_key="outage:1:published")
        run = Chaos(app, cluster, fake_server, environ, tmp_path / "processes.log")
        try:
            yield run
        finally:
            run.stop_all()
            db.session.remove()
            db.engine.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Chaos:
    def __init__(
        self, app: Flask, cluster: Cluster, fake: FakeTwilio, environ: dict[str, str], log: Path
    ) -> None:
        self.app, self.cluster, self.fake, self.environ, self.log = (
            app,
            cluster,
            fake,
            environ,
            log,
        )
        self.processes: list[subprocess.Popen[bytes]] = []
        self.port = _free_port()
        self._stopping = threading.Event()
        self._supervisors: list[threading.Thread] = []
        self.restarts = 0

    def start(self, *command: str, log: Path | None = None) -> subprocess.Popen[bytes]:
        with (log or self.log).open("a") as output:
            process = subprocess.Popen(
                list(command),
                cwd=ROOT,
                env=self.environ,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: a kill takes its children too
            )
        self.processes.append(process)
        return process

    def worker(self, name: str = "worker") -> subprocess.Popen[bytes]:
        return self.start(str(BIN / "fairheat"), "worker", log=self.log.with_name(f"{name}.log"))

    def supervised_worker(self) -> None:
        """A worker restarted 2 s after it exits, as systemd does (deploy/systemd,
        Restart=always): a worker that loses the database exits, and leadership with it."""

        def supervise() -> None:
            while not self._stopping.is_set():
                process = self.worker("supervised")
                while process.poll() is None and not self._stopping.is_set():
                    time.sleep(0.1)
                self.restarts += 1
                self._stopping.wait(2)

        thread = threading.Thread(target=supervise, daemon=True)
        thread.start()
        self._supervisors.append(thread)

    def dispatcher_id(self, name: str, timeout: float = 30) -> str:
        """The dispatcher id a worker logged at start ("dispatcher-… sending at most …")."""
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(
                r"(dispatcher-[0-9a-f]{12}) sending", self.log.with_name(f"{name}.log").read_text()
            )
            if found:
                return found.group(1)
            assert time.monotonic() < deadline, "the worker never said its dispatcher id"
            time.sleep(0.1)

    def web(self) -> subprocess.Popen[bytes]:
        return self.start(
            str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{self.port}", "service.wsgi:app"
        )

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=1) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    def wait_ready(self, timeout: float = 120) -> float:
        started = time.monotonic()
        while not self.ready():
            assert time.monotonic() - started < timeout, self.log.read_text()[-3000:]
            time.sleep(0.05)
        return time.monotonic() - started

    def wait_sent(self, count: float, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.fake.messages) < count:
            assert time.monotonic() < deadline, self.log.read_text()[-3000:]
            time.sleep(0.01)

    def wait_all_sent(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while status_counts() != {MessageStatus.SENT: TOTAL}:
            assert time.monotonic() < deadline, (status_counts(), self.log.read_text()[-3000:])
            db.session.remove()
            time.sleep(0.2)
        db.session.remove()

    def received(self) -> collections.Counter[str]:
        return collections.Counter(m.to for m in self.fake.messages)

    def restart_postgres(self) -> float:
        """An immediate restart (every connection dropped mid-transaction, as a crash would,
        then crash recovery) with the cluster's own options; returns the monotonic time it
        accepts connections again."""
        pg_ctl = [*self.cluster.as_user, str(self.cluster.bindir / "pg_ctl")]
        log = self.cluster.datadir.parent / "server.log"  # not a pipe: the server outlives us
        subprocess.run(
            [*pg_ctl, "-D", str(self.cluster.datadir), "-m", "immediate", "-w", "-t", "60",
             "-l", str(log), "restart"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        return time.monotonic()

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """kill -9 of the process and every process it started (gunicorn's workers)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        self._stopping.set()
        for thread in self._supervisors:
            thread.join(timeout=10)
        for process in self.processes:
            self.kill(process)


def assert_everyone_got_it_once_but(chaos: Chaos, in_flight: set[str]) -> int:
    received = chaos.received()
    assert set(received) == {phone(i) for i in range(TOTAL)}  # nothing lost
    duplicates = {n for n, c in received.items() if c > 1}
    assert duplicates <= in_flight, "a duplicate outside the batches in flight"
    assert set(received.values()) <= {1, 2}
    return len(duplicates)


def test_kill_9_of_a_worker_during_a_20000_message_fan_out(chaos):
    """Two workers send (the deployment runs two or more); one is killed. The survivor sends
    every row the dead one held within 15 s of the kill (D17: a lease renewed by a heartbeat)."""
    chaos.worker("survivor")
    held: set[str] = set()
    for attempt in range(3):
        # The kill must land while the doomed worker holds a batch: wait until it does, kill
        # at once, and start another doomed worker if its batch went out in between.
        name = f"doomed-{attempt}"
        doomed = chaos.worker(name)
        if attempt == 0:
            chaos.wait_sent(0.3 * TOTAL)
        doomed_id = chaos.dispatcher_id(name)
        holds_by = time.monotonic() + 20
        while not outbox(status=MessageStatus.SENDING, claimed_by=doomed_id):
            assert time.monotonic() < holds_by, "the doomed worker never claimed a batch"
            db.session.remove()
            time.sleep(0.005)
        chaos.kill(doomed)
        killed_at = time.monotonic()
        time.sleep(0.1)
        at_kill = chaos.received()
        held = {r.phone for r in outbox(status=MessageStatus.SENDING, claimed_by=doomed_id)}
        db.session.remove()
        if held:
            break
    assert held, "every kill came between two batches"

    deadline = killed_at + 40
    claimed_again = None
    while not all(chaos.received()[n] > at_kill[n] for n in held):
        assert time.monotonic() < deadline, "the dead worker's rows never went out"
        if claimed_again is None and not outbox(claimed_by=doomed_id, status=MessageStatus.SENDING):
            claimed_again = time.monotonic() - killed_at
        db.session.remove()
        time.sleep(0.1)
    recovered = time.monotonic() - killed_at
    if claimed_again is None:
        # Taken over and sent between two looks: the rows were claimed again by the time they
        # were seen sent, so that moment bounds the take-over.
        claimed_again = recovered
    print(f"\nclaimed again {claimed_again:.1f} s after the kill")
    chaos.wait_all_sent()
    duplicates = assert_everyone_got_it_once_but(chaos, held)
    print(
        f"\nworker killed holding {len(held)}: sent again {recovered:.1f} s after, {duplicates} dup"
    )
    # The survivor takes the rows over when the dead one's lease ends (9 s after its last
    # heartbeat); sending them then takes what the machine gives (the 15 s bound itself is
    # asserted by tests/notifications/sms/test_dispatcher_faults.py on a quieter set-up).
    assert claimed_again is not None and claimed_again <= 13


def test_kill_9_of_a_web_process_during_a_20000_message_fan_out(chaos):
    web = chaos.web()
    chaos.wait_ready()
    chaos.worker()
    chaos.wait_sent(0.3 * TOTAL)
    chaos.kill(web)  # the gunicorn master and its workers, mid-request
    assert not chaos.ready()
    sent_before = len(chaos.fake.messages)
    chaos.web()  # systemd starts it again
    answered_after = chaos.wait_ready()
    assert len(chaos.fake.messages) > sent_before  # sending went on meanwhile
    chaos.wait_all_sent()
    duplicates = assert_everyone_got_it_once_but(chaos, set())
    print(f"\nweb killed: a new one answered after {answered_after:.1f} s, {duplicates} dup")


def test_postgres_restart_during_a_20000_message_fan_out(chaos):
    chaos.web()
    chaos.wait_ready()
    chaos.supervised_worker()
    chaos.wait_sent(0.3 * TOTAL)
    in_flight = {r.phone for r in outbox(status=MessageStatus.SENDING)}
    db.session.remove()
    db.engine.dispose()  # this test's own pool dies with the restart too
    back_at = chaos.restart_postgres()
    chaos.wait_ready(timeout=60)
    answered_after = time.monotonic() - back_at  # from the database's return
    chaos.wait_all_sent()
    # Messages in flight at the restart may go twice: the batch being sent and the one before
    # it, at the outside (and the rows claimed later, sent but not recorded while the database
    # was away), never anything else.
    received = chaos.received()
    assert set(received) == {phone(i) for i in range(TOTAL)}
    duplicates = [n for n, c in received.items() if c > 1]
    assert len(duplicates) <= 4 * 200, len(duplicates)
    assert set(received.values()) <= {1, 2}
    print(
        f"\npostgres restarted ({len(in_flight)} in flight): the web answered "
        f"{answered_after:.1f} s after the database returned; {len(duplicates)} duplicates; "
        f"worker restarted {chaos.restarts} times"
    )
    assert answered_after <= 10
