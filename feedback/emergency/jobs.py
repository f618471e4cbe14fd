"""Scheduled jobs of the emergency line (run by the one leading scheduler)."""

from __future__ import annotations

import logging

from feedback.emergency.reconciliation import delete_old_recordings, reconcile_calls

log = logging.getLogger(__name__)


def reconcile() -> None:
    added = reconcile_calls()
    if added:
        log.warning("emergency line: %d call(s) filled in from Twilio's call list", added)


def purge_recordings() -> None:
    delete_old_recordings()
