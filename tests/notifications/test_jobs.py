"""The scheduler's jobs: a planned interruption whose start has passed shows as in progress."""

from __future__ import annotations

import datetime as dt

from notifications.models import OutageStatus
from notifications.queries import get_outage
from notifications.schemas import OutageInputSchema
from notifications.services import create_outage, start_due_planned_outages
from service.db import utcnow
from service.scheduler import build_scheduler
from tests.support.factories import iso, planned_payload


def test_started_planned_outage_moves_to_in_progress_with_an_update(app):
    now = utcnow()
    starts = now - dt.timedelta(minutes=5)
    payload = planned_payload(
        starts_at=iso(starts), expected_end_at=iso(starts + dt.timedelta(hours=4)), publish=True
    )
    published_days_before = starts - dt.timedelta(days=3)
    outage = create_outage(OutageInputSchema().load(payload), now=published_days_before)
    assert outage.status == OutageStatus.SCHEDULED
    later = create_outage(OutageInputSchema().load(planned_payload(publish=True)))

    assert start_due_planned_outages() == [outage.id]

    started = get_outage(outage.id)
    assert started.status == OutageStatus.IN_PROGRESS
    assert [u.change for u in started.updates] == ["published", "status"]
    assert started.updates[-1].actor == "system"
    assert get_outage(later.id).status == OutageStatus.SCHEDULED
    assert start_due_planned_outages() == []  # nothing twice


def test_scheduler_carries_every_domain_job(app):
    scheduler = build_scheduler(app)
    ids = {job.id for job in scheduler.get_jobs()}
    assert "notifications.jobs.start_planned_outages" in ids
