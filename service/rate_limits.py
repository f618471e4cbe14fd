"""The rate limiter's in-process storage ("memory://"), without a thread per request.

limits' MemoryStorage expires counters from a `threading.Timer` that it starts again on every hit
once the last one has run (0.01 s after it started): under steady traffic that is one new thread
per limited request, started and joined by the request (about a tenth of a public intake's time,
bench/intake.py). Counters need no sweep to be right (a read drops an expired one), only to free
memory; so this storage sweeps inline instead, at most once per SWEEP_SECONDS, in whichever
request comes by. Same counting, same strategies, same `memory://` URI: importing this module
registers it for that scheme (service.extensions does, before the limiter is bound).
"""

from __future__ import annotations

import threading
import time

from limits.storage import MemoryStorage

SWEEP_SECONDS = 1.0


class InlineSweepMemoryStorage(MemoryStorage):
    """MemoryStorage whose expiry sweep runs in the caller, at most once a second."""

    STORAGE_SCHEME = ["memory"]  # replaces limits' own class for memory:// (limits' registry)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        self._next_sweep = 0.0
        self._sweeping = threading.Lock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 (the base's private hook)
        now = time.monotonic()
        if now < self._next_sweep or not self._sweeping.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]
        finally:
            self._sweeping.release()
