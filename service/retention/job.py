"""The nightly retention run: each domain's records past their period are deleted or
anonymised (REGULATION.md "Retention"; GDPR art. 5(1)(e)), records under a legal hold are kept,
and one audit entry says what was done, per record type.

The periods are settings (FAIRHEAT_RETENTION_<RECORD_TYPE>, per jurisdiction by default); the
hooks keep what the compliance figures count and remove what identifies a person.
"""

from __future__ import annotations

import datetime as dt
import logging

from flask import current_app

from service import audit
from service.auth.throttle import purge_failures
from service.db import utcnow
from service.domains import domains_of
from service.extensions import db
from service.retention.holds import held_ids
from service.settings import current_settings

log = logging.getLogger(__name__)


def run_retention(now: dt.datetime | None = None) -> dict[str, int]:
    """Apply every domain's retention hook in one transaction; return the counts per type."""
    now = now or utcnow()
    periods = current_settings().security.retention
    counts: dict[str, int] = {}
    used: dict[str, str] = {}
    held: dict[str, int] = {}
    for domain in domains_of(current_app._get_current_object()):  # type: ignore[attr-defined]
        for hook in domain.retention:
            rule = periods.get(hook.record_type) or hook.default
            if rule is None:
                log.warning("no retention period for %s: kept", hook.record_type)
                continue
            holds = held_ids(hook.record_type)
            counts[hook.record_type] = hook.apply(rule.cutoff(now), holds)
            used[hook.record_type] = rule.describe()
            if holds:
                held[hook.record_type] = len(holds)
    purge_failures(now)
    audit.record(
        "retention.run",
        "retention",
        None,
        after={"changed": counts, "periods": used, "held": held},
        actor="system:retention",
    )
    db.session.commit()
    log.info("retention: %s", counts)
    return counts
