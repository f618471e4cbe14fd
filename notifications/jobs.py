"""Scheduled jobs of the notifications domain, and its long-running background workers.

notifications/domain.py schedules the jobs on the one leading scheduler and starts the workers
(functions (app, stop_event) that run until stopped) in every worker process: the SMS
dispatcher, several of which may run at once, claiming rows with FOR UPDATE SKIP LOCKED.
"""

from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa
from flask import Flask

from notifications.customers.fanout import fan_out_to_customers
from notifications.models import Outage, OutageKind, OutageStatus
from notifications.services import start_due_planned_outages
from notifications.sms.fanout import fan_out
from notifications.sms.texts import SmsEvent
from service.db import utcnow
from service.extensions import db
from service.settings import current_settings


def start_planned_outages() -> None:
    """A published planned interruption whose start has passed is shown as in progress."""
    start_due_planned_outages()


def send_reminders(now: dt.datetime | None = None) -> int:
    """Remind subscribers before a planned interruption (FAIRHEAT_SMS_REMINDER_HOURS).

    A reminder is due once its moment has passed and the interruption has not started; it is
    skipped when the notice itself went out after that moment (the notice is reminder enough).
    The event key makes each reminder unique, so running this often never repeats one.
    """
    now = now or utcnow()
    hours = current_settings().sms.reminder_hours
    if not hours:
        return 0
    horizon = now + dt.timedelta(hours=max(hours))
    upcoming = db.session.scalars(
        sa.select(Outage).where(
            Outage.kind == OutageKind.PLANNED,
            Outage.status == OutageStatus.SCHEDULED,
            Outage.first_published_at.is_not(None),
            Outage.starts_at > now,
            Outage.starts_at <= horizon,
        )
    ).all()
    queued = 0
    for outage in upcoming:
        for h in hours:
            moment = outage.starts_at - dt.timedelta(hours=h)
            published = outage.first_published_at
            if moment <= now and published is not None and published < moment:
                key = f"outage:{outage.id}:reminder:{h}h"
                queued += fan_out(outage, SmsEvent.REMINDER, key)
                fan_out_to_customers(outage, SmsEvent.REMINDER, key)
    db.session.commit()
    return queued


def run_dispatcher(app: Flask, stop: threading.Event) -> None:
    from notifications.sms.dispatcher import Dispatcher

    dispatcher = Dispatcher(app)
    try:
        dispatcher.run(stop)
    finally:
        dispatcher.close()


def purge_codes() -> None:
    """One-time codes (and the pending subscriptions in them) are kept no longer than needed."""
    from notifications.sms.codes import purge_spent_codes

    purge_spent_codes()
