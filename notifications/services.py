"""Outage notices: the rules, and the one transaction behind each staff action.

Every change to a published notice creates a numbered OutageUpdate that keeps the text shown
then, and an audit entry (before → after). Restore, cancel and a new restoration estimate are
updates with a particular payload, so they follow exactly the same path and checks.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from notifications.areas import street_key
from notifications.customers.fanout import fan_out_to_customers
from notifications.lead_time import days_ahead, is_late
from notifications.models import (
    ENDED_OK,
    INITIAL_STATUS,
    STATUSES_BY_KIND,
    TRANSITIONS,
    Outage,
    OutageArea,
    OutageKind,
    OutageStatus,
    OutageUpdate,
)
from notifications.queries import load_outage
from notifications.sms.fanout import fan_out, matching_subscribers
from notifications.sms.outbox import prepared
from notifications.sms.texts import SmsEvent, sms_text
from notifications.texts import compose_notice, status_label
from service import audit
from service.db import utcnow
from service.errors import Conflict, ValidationFailed
from service.evidence import Period
from service.extensions import db
from service.settings import current_settings
from service.transactions import commit_or_conflict

# How far from now a start time may lie before it is treated as a typing mistake.
_MAX_PAST = dt.timedelta(days=366)
_MAX_FUTURE = dt.timedelta(days=2 * 366)
_UNPLANNED_FUTURE_GRACE = dt.timedelta(hours=1)
_CLOCK_SKEW = dt.timedelta(minutes=5)

_EDITABLE = (
    "impact",
    "cause",
    "starts_at",
    "expected_end_at",
    "ended_at",
    "polygon",
    "affected_buildings",
    "texts",
    "late_notice_reason",
)


def snapshot(outage: Outage) -> dict[str, Any]:
    """The fields a change is measured against, as plain values (audit log, update history)."""
    return audit.plain(
        {
            "kind": outage.kind,
            "impact": outage.impact,
            "cause": outage.cause,
            "status": outage.status,
            "starts_at": outage.starts_at,
            "expected_end_at": outage.expected_end_at,
            "ended_at": outage.ended_at,
            "affected_buildings": outage.affected_buildings,
            "polygon": outage.polygon,
            "texts": dict(outage.texts or {}),
            "late_notice_reason": outage.late_notice_reason,
            "areas": [_area_dict(a) for a in outage.areas],
        }
    )


def _area_dict(area: OutageArea) -> dict[str, Any]:
    return {
        "postcode": area.postcode,
        "street": area.street,
        "from_number": area.from_number,
        "to_number": area.to_number,
        "parity": area.parity.value,
    }


def _set_areas(outage: Outage, areas: list[Mapping[str, Any]]) -> None:
    outage.areas = [
        OutageArea(
            position=i,
            postcode=a["postcode"],
            street=a.get("street"),
            street_key=street_key(a.get("street")),
            from_number=a.get("from_number"),
            to_number=a.get("to_number"),
            parity=a["parity"],
        )
        for i, a in enumerate(areas)
    ]


def _days(num: int) -> str:
    return ngettext("%(num)d day", "%(num)d days", num)


def _check(outage: Outage, now: dt.datetime, *, start_changed: bool) -> None:
    """The rules that concern several fields at once; raises with every broken one."""
    errors: dict[str, list[str]] = {}
    if outage.status not in STATUSES_BY_KIND[outage.kind]:
        errors["status"] = [_("This status does not apply to this kind of interruption.")]
    if start_changed:
        if outage.starts_at < now - _MAX_PAST or outage.starts_at > now + _MAX_FUTURE:
            errors["starts_at"] = [
                _("Check the date: the start is more than a year away from today.")
            ]
        elif (
            outage.kind == OutageKind.UNPLANNED and outage.starts_at > now + _UNPLANNED_FUTURE_GRACE
        ):
            errors["starts_at"] = [_("An unplanned interruption cannot start in the future.")]
    if outage.expected_end_at is not None and outage.expected_end_at <= outage.starts_at:
        errors["expected_end_at"] = [_("The estimated restoration time must be after the start.")]
    if outage.ended_at is not None:
        if outage.ended_at < outage.starts_at:
            errors["ended_at"] = [_("The end cannot be before the start.")]
        elif outage.ended_at > now + _CLOCK_SKEW:
            errors["ended_at"] = [_("The end cannot be in the future.")]
        elif outage.status not in ENDED_OK:
            errors["ended_at"] = [_("Only a completed or restored interruption has an end time.")]
    if errors:
        raise ValidationFailed(errors)


def _transition(outage: Outage, new: OutageStatus, now: dt.datetime) -> None:
    if new == outage.status:
        return
    if new not in STATUSES_BY_KIND[outage.kind]:
        raise ValidationFailed(
            {"status": [_("This status does not apply to this kind of interruption.")]}
        )
    if new not in TRANSITIONS[outage.status]:
        raise Conflict(
            _(
                "An interruption whose status is “%(current)s” cannot be changed to “%(new)s”.",
                current=status_label(outage.status),
                new=status_label(new),
            )
        )
    outage.status = new
    if new in ENDED_OK and outage.ended_at is None:
        outage.ended_at = now


def _publish(outage: Outage, now: dt.datetime) -> None:
    conf = current_settings()
    outage.first_published_at = now
    if outage.kind == OutageKind.PLANNED:
        rule = conf.planned_notice_lead
        outage.required_notice_days = rule.value
        outage.notice_late = is_late(now, outage.starts_at, rule.value, conf.timezone)
        if outage.notice_late and not outage.late_notice_reason:
            given = max(days_ahead(now, outage.starts_at, conf.timezone), 0)
            raise ValidationFailed(
                {
                    "late_notice_reason": [
                        _(
                            "This notice is late: the rule (%(source)s) asks for %(required)s "
                            "before the start, and it gives %(given)s. Give the reason.",
                            source=rule.source,
                            required=_days(rule.value),
                            given=_days(given),
                        )
                    ]
                }
            )
    audit.record(
        "outage.published",
        "outage",
        outage.id,
        after={
            "first_published_at": now,
            "notice_late": outage.notice_late,
            "required_notice_days": outage.required_notice_days,
            "late_notice_reason": outage.late_notice_reason,
        },
    )
    update = _add_update(outage, "published", {}, now)
    fan_out(outage, SmsEvent.PUBLISHED, _event_key(outage, update), now)
    fan_out_to_customers(outage, SmsEvent.PUBLISHED, _event_key(outage, update), now)


def _change_name(changed: Mapping[str, Any]) -> str:
    if "status" in changed:
        return "status"
    if set(changed) == {"expected_end_at"}:
        return "estimate"
    return "edited"


def _add_update(
    outage: Outage, change: str, changes: Mapping[str, Any], now: dt.datetime
) -> OutageUpdate:
    last = db.session.scalar(
        sa.select(sa.func.max(OutageUpdate.number)).where(OutageUpdate.outage_id == outage.id)
    )
    update = OutageUpdate(
        outage_id=outage.id,
        number=(last or 0) + 1,
        created_at=now,
        actor=audit.current_actor(),
        change=change,
        status=outage.status,
        changes=dict(changes),
        texts={
            lang: compose_notice(outage, lang).as_dict() for lang in current_settings().languages
        },
    )
    db.session.add(update)
    return update


def _concurrent_change() -> str:
    return _("Someone else changed this interruption at the same time. Reload it and try again.")


def _event_key(outage: Outage, update: OutageUpdate) -> str:
    return f"outage:{outage.id}:update:{update.number}"


def _sms_event(outage: Outage, old: Mapping[str, Any], new: Mapping[str, Any]) -> SmsEvent | None:
    """Which changes reach subscribers by SMS; every other edit shows on the web only."""
    if "status" in new:
        if outage.status in ENDED_OK:
            return SmsEvent.ENDED
        if outage.status == OutageStatus.CANCELLED:
            return SmsEvent.CANCELLED
    if "expected_end_at" in new and not outage.finished:
        before, after = old.get("expected_end_at"), new["expected_end_at"]
        if before is None or after is None:
            return SmsEvent.ESTIMATE if after is not None else None
        moved = abs(dt.datetime.fromisoformat(after) - dt.datetime.fromisoformat(before))
        threshold = dt.timedelta(minutes=current_settings().sms.estimate_threshold_minutes)
        if moved > threshold:
            return SmsEvent.ESTIMATE
    return None


def _commit() -> None:
    commit_or_conflict(_concurrent_change)
    invalidate_public_state()


def invalidate_public_state() -> None:
    """Forget this process's cached view of the public state, after a change it committed."""
    current_app.extensions.pop("fairheat_public_state", None)


def _new_outage(data: Mapping[str, Any]) -> Outage:
    """An unsaved outage from validated input (create, and the preview that saves nothing)."""
    kind = data["kind"]
    outage = Outage(
        kind=kind,
        status=data.get("status") or INITIAL_STATUS[kind],
        impact=data["impact"],
        cause=data["cause"],
        starts_at=data["starts_at"],
        expected_end_at=data.get("expected_end_at"),
        ended_at=data.get("ended_at"),
        affected_buildings=data.get("affected_buildings"),
        polygon=data.get("polygon"),
        texts={k: v for k, v in (data.get("texts") or {}).items() if v},
        late_notice_reason=data.get("late_notice_reason"),
    )
    _set_areas(outage, data["areas"])
    return outage


def create_outage(data: Mapping[str, Any], *, now: dt.datetime | None = None) -> Outage:
    """Create an outage from validated input; publish it at once when data['publish']."""
    now = now or utcnow()
    outage = _new_outage(data)
    outage.created_at = outage.updated_at = now
    outage.created_by = audit.current_actor()
    try:
        _check(outage, now, start_changed=True)
        db.session.add(outage)
        db.session.flush()
        audit.record("outage.created", "outage", outage.id, after=snapshot(outage))
        if data.get("publish"):
            _publish(outage, now)
    except Exception:
        db.session.rollback()
        raise
    _commit()
    return outage


def update_outage(
    outage_id: int,
    data: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Outage:
    """Apply a partial change (PATCH, staff edit, restore, cancel, new estimate)."""
    now = now or utcnow()
    outage = load_outage(outage_id, public=False)
    try:
        if expected_version is not None and expected_version != outage.version:
            raise Conflict(_concurrent_change())
        if "kind" in data and data["kind"] != outage.kind:
            raise ValidationFailed(
                {
                    "kind": [
                        _("The kind cannot be changed. Cancel this notice and create a new one.")
                    ]
                }
            )
        before = snapshot(outage)
        for name in _EDITABLE:
            if name in data:
                value = data[name]
                if name == "texts":
                    value = {k: v for k, v in (value or {}).items() if v}
                setattr(outage, name, value)
        if "areas" in data:
            _set_areas(outage, data["areas"])
        if "status" in data and data["status"] is not None:
            _transition(outage, data["status"], now)
        _check(outage, now, start_changed=before["starts_at"] != snapshot(outage)["starts_at"])
        old, new = audit.changes(before, snapshot(outage))
        if data.get("reason") and new:
            # Why a notice was cancelled: kept in its update history and the audit log (the
            # notice has no column of its own for it).
            new = {**new, "reason": data["reason"]}
        publish = bool(data.get("publish")) and not outage.published
        if old or new:
            outage.updated_at = now
            audit.record("outage.updated", "outage", outage.id, before=old, after=new)
            if outage.published:
                changes = {k: [old.get(k), new[k]] for k in new}
                update = _add_update(outage, _change_name(new), changes, now)
                event = _sms_event(outage, old, new)
                if event is not None:
                    fan_out(outage, event, _event_key(outage, update), now)
                    fan_out_to_customers(outage, event, _event_key(outage, update), now)
        if publish:
            _publish(outage, now)
    except Exception:
        db.session.rollback()
        raise
    _commit()
    return outage


def publish_outage(outage_id: int, late_notice_reason: str | None = None) -> Outage:
    data: dict[str, Any] = {"publish": True}
    if late_notice_reason:
        data["late_notice_reason"] = late_notice_reason
    return update_outage(outage_id, data)


def restore_outage(outage_id: int, ended_at: dt.datetime | None = None) -> Outage:
    """Planned: completed; unplanned: restored. The end time defaults to now."""
    outage = load_outage(outage_id, public=False)
    target = OutageStatus.COMPLETED if outage.kind == OutageKind.PLANNED else OutageStatus.RESTORED
    data: dict[str, Any] = {"status": target}
    if ended_at is not None:
        data["ended_at"] = ended_at
    return update_outage(outage_id, data)


def cancel_outage(outage_id: int, reason: str | None = None) -> Outage:
    data: dict[str, Any] = {"status": OutageStatus.CANCELLED}
    if reason:
        data["reason"] = reason
    return update_outage(outage_id, data)


def start_due_planned_outages(now: dt.datetime | None = None) -> list[int]:
    """Mark published planned outages whose start has passed as in progress (worker job)."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Outage.id).where(
            Outage.status == OutageStatus.SCHEDULED,
            Outage.first_published_at.is_not(None),
            Outage.starts_at <= now,
        )
    ).all()
    started = []
    for outage_id in due:
        try:
            update_outage(outage_id, {"status": OutageStatus.IN_PROGRESS}, now=now)
            started.append(outage_id)
        except Conflict:
            continue  # a dispatcher changed it in the meantime; their change stands
    return started


def preview_notice(data: Mapping[str, Any]) -> dict[str, Any]:
    """The public text in every language for validated input, without saving anything."""
    draft = _new_outage(data)
    return {lang: compose_notice(draft, lang) for lang in current_settings().languages}


def preview_sms(data: Mapping[str, Any]) -> dict[str, Any]:
    """What publishing would send: per language the SMS text, its encoding and segments, and the
    fan-out's recipients and total segments (nothing is saved)."""
    draft = _new_outage(data)
    next_id = (db.session.scalar(sa.select(sa.func.max(Outage.id))) or 0) + 1
    languages = {
        lang: prepared(sms_text(draft, SmsEvent.PUBLISHED, lang, outage_id=next_id), lang)
        for lang in current_settings().languages
    }
    matched = matching_subscribers(draft).subquery()
    counts: dict[str, int] = {
        language: count
        for language, count in db.session.execute(
            sa.select(matched.c.language, sa.func.count()).group_by(matched.c.language)
        )
    }
    fallback = current_settings().default_language
    total_segments = sum(
        n * languages.get(lang, languages[fallback]).segments for lang, n in counts.items()
    )
    return {
        "languages": {
            lang: {"text": p.text, "encoding": p.encoding, "segments": p.segments}
            for lang, p in languages.items()
        },
        "recipients": sum(counts.values()),
        "segments": total_segments,
    }


def preview_publication(data: Mapping[str, Any]) -> dict[str, Any]:
    """The staff preview: the public text in every language and what the SMS fan-out would be."""
    texts = preview_notice(data)
    return {
        "texts": {lang: text.as_dict() for lang, text in texts.items()},
        "sms": preview_sms(data),
    }


def notice_figures(year: int | None = None) -> dict[str, Any]:
    """Planned notices published this year: how many, how many late (shown to staff)."""
    from notifications.evidence import planned_notice_figures

    conf = current_settings()
    year = year or utcnow().astimezone(zoneinfo.ZoneInfo(conf.timezone)).year
    return {"year": year, **planned_notice_figures(Period.year(year))}
