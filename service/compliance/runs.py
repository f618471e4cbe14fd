"""Bundles made in the background: asked for on the staff page, or due by the schedule
(FAIRHEAT_COMPLIANCE_SCHEDULE). The worker writes each into a temporary folder, keeps it in
file storage, and records its key, size and SHA-256; progress is written as it goes."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
import zoneinfo
from pathlib import Path

import sqlalchemy as sa

from service import audit
from service.compliance.bundle import ExportRefused, ExportRequest, check_request, write_bundle
from service.compliance.models import BundleRun
from service.db import utcnow
from service.evidence import Period
from service.extensions import db
from service.files import file_storage
from service.settings import current_settings

log = logging.getLogger(__name__)
BUNDLE_MAX_BYTES = 4 * 1024**3


def request_bundle(
    mark: str, period: str, language: str, *, with_personal_data: bool = False
) -> BundleRun:
    """Queue a bundle for the worker (ExportRefused when the request is bad); commits."""
    checked = check_request(mark, period, language)
    run = BundleRun(
        mark=checked.mark,
        period=str(checked.period),
        language=checked.language,
        with_personal_data=with_personal_data,
        requested_by=audit.current_actor(),
    )
    db.session.add(run)
    db.session.flush()
    audit.record(
        "compliance.export_requested",
        "compliance_bundle",
        run.id,
        after={"mark": run.mark, "period": run.period, "with_personal_data": with_personal_data},
    )
    db.session.commit()
    return run


def _claim() -> BundleRun | None:
    """Take the oldest queued bundle; no two workers take the same one."""
    candidate = db.session.scalar(
        sa.select(BundleRun.id).where(BundleRun.status == "queued").order_by(BundleRun.id).limit(1)
    )
    if candidate is None:
        return None
    taken = db.session.execute(  # type: ignore[attr-defined]
        sa.update(BundleRun)
        .where(BundleRun.id == candidate, BundleRun.status == "queued")
        .values(status="running", progress=0)
    ).rowcount
    db.session.commit()
    return db.session.get(BundleRun, candidate) if taken else None


def run_queued() -> int:
    """Make every queued bundle; returns how many were made."""
    made = 0
    while (run := _claim()) is not None:
        make(run)
        made += 1
    return made


def make(run: BundleRun) -> None:
    run_id = run.id
    request = ExportRequest(
        run.mark, Period.parse(run.period), run.language, run.with_personal_data
    )
    folder = Path(tempfile.mkdtemp(prefix="fairheat-bundle-"))

    def progress(step: str, percent: int) -> None:
        db.session.execute(
            sa.update(BundleRun)
            .where(BundleRun.id == run_id)
            .values(progress=percent, step=step[:80])
        )
        db.session.commit()

    try:
        path = write_bundle(request, folder, progress)
        with path.open("rb") as file:
            stored = file_storage().save(
                file, max_bytes=BUNDLE_MAX_BYTES, allowed_types=("application/zip",)
            )
        row = db.session.get(BundleRun, run_id)
        assert row is not None
        row.status, row.progress, row.finished_at = "done", 100, utcnow()
        row.file_key, row.file_name = stored.key, path.name
        row.size, row.sha256 = stored.size, stored.sha256
        db.session.commit()
    except Exception as error:  # the run records what went wrong; the worker goes on
        db.session.rollback()
        log.exception("bundle %s failed", run_id)
        db.session.execute(
            sa.update(BundleRun)
            .where(BundleRun.id == run_id)
            .values(status="failed", error=str(error)[:2000], finished_at=utcnow())
        )
        db.session.commit()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def last_fire_time(crontab: str, timezone: str, now: dt.datetime) -> dt.datetime | None:
    """The latest time at or before `now` the crontab line fired (within a year)."""
    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger.from_crontab(crontab, timezone=zoneinfo.ZoneInfo(timezone))
    moment = now - dt.timedelta(days=366)
    last = None
    while True:
        fire = trigger.get_next_fire_time(last, moment)
        if fire is None or fire > now:
            return last
        last, moment = fire, fire + dt.timedelta(seconds=1)


def previous_period(kind: str, day: dt.date) -> Period:
    """The last complete month, quarter or year before `day`."""
    if kind == "year":
        return Period.year(day.year - 1)
    if kind == "month":
        last = day.replace(day=1) - dt.timedelta(days=1)
        return Period.parse(f"{last.year}-{last.month:02d}")
    quarter_start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    last = quarter_start - dt.timedelta(days=1)
    return Period.parse(f"{last.year}-Q{(last.month - 1) // 3 + 1}")


def run_scheduled(now: dt.datetime | None = None) -> BundleRun | None:
    """Queue and make the bundle the schedule asks for, once per firing."""
    settings = current_settings()
    crontab = settings.compliance.schedule
    if crontab is None:
        return None
    now = now or utcnow()
    fired = last_fire_time(crontab, settings.timezone, now)
    if fired is None:
        return None
    fired_utc = fired.astimezone(dt.UTC)
    if db.session.scalar(sa.select(BundleRun.id).where(BundleRun.scheduled_for == fired_utc)):
        return None
    period = previous_period(settings.compliance.schedule_period, fired.date())
    try:
        check_request(settings.compliance.schedule_mark, str(period), settings.default_language)
    except ExportRefused as error:
        log.warning("scheduled bundle refused: %s", error)
        return None
    run = BundleRun(
        mark=settings.compliance.schedule_mark,
        period=str(period),
        language=settings.default_language,
        requested_by="schedule",
        scheduled_for=fired_utc,
        status="running",
    )
    db.session.add(run)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # another worker took this firing
        db.session.rollback()
        return None
    make(run)
    return run


def list_runs(limit: int = 50) -> list[BundleRun]:
    return list(db.session.scalars(sa.select(BundleRun).order_by(BundleRun.id.desc()).limit(limit)))
