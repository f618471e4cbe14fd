"""Evidence of the connection-request procedure for the compliance export (Ciepło Systemowe A5).

For any period: requests received, complete, conditions issued (preliminary ones apart),
refused (and how many with the notice to the President of URE sent), the share of conditions
issued on time counted from the complete application, the median time from complete to
conditions, requests open past their deadline now with the days late and, in Poland, the
exposure at FAIRHEAT_CONNECTION_PENALTY_PER_DAY (art. 56 ust. 1 pkt 18 PE: at least 1,500 zł
a day), withdrawn, agreements signed and connections made. Every figure is one SQL aggregate;
the register streams rows by id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from feedback.connection_requests.models import (
    ConnectionLetter,
    ConnectionRequest,
    LegalTitle,
    LetterKind,
    Status,
)
from feedback.connection_requests.references import PREFIX
from service.db import hours_between, median, utcnow
from service.evidence import Column, FieldType, Figure, Period, Register, Unit, plain
from service.extensions import db
from service.settings import current_settings

A5_SOURCE = "Ciepło Systemowe, Karta Standardów A5; art. 7 Prawo energetyczne"
R = ConnectionRequest


def _in(column: Any, start: dt.datetime, end: dt.datetime) -> Any:
    return sa.and_(column >= start, column < end)


def period_figures(period: Period, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    settings = current_settings()
    start, end = period.utc_bounds(settings.timezone)
    decided = _in(R.decided_at, start, end)
    conditions = sa.and_(decided, R.refusal_category.is_(None))
    full = sa.and_(conditions, R.legal_title != LegalTitle.NONE)
    preliminary = sa.and_(conditions, R.legal_title == LegalTitle.NONE)
    refused = sa.and_(decided, R.refusal_category.is_not(None))
    ure_sent = (
        sa.select(ConnectionLetter.id)
        .where(
            ConnectionLetter.request_id == R.id,
            ConnectionLetter.kind == LetterKind.REFUSAL_TO_URE,
            ConnectionLetter.sent_on.is_not(None),
        )
        .exists()
    )
    row = db.session.execute(
        sa.select(
            sa.func.count(R.id).filter(_in(R.received_at, start, end)),
            sa.func.count(R.id).filter(_in(R.complete_at, start, end)),
            sa.func.count(R.id).filter(full),
            sa.func.count(R.id).filter(preliminary),
            sa.func.count(R.id).filter(refused),
            sa.func.count(R.id).filter(refused, ure_sent),
            sa.func.count(R.id).filter(conditions, R.conditions_due_at.is_not(None)),
            sa.func.count(R.id).filter(conditions, R.decided_at <= R.conditions_due_at),
            sa.func.count(R.id).filter(_in(R.withdrawn_at, start, end)),
            sa.func.count(R.id).filter(_in(R.agreement_signed_at, start, end)),
            sa.func.count(R.id).filter(_in(R.connected_at, start, end)),
        )
    ).one()
    (received, complete, issued, prelim, refusals, ure, timed, on_time, withdrawn, signed, made) = (
        row
    )
    hours = median(
        db.session,
        sa.select(hours_between(R.complete_at, R.decided_at)).where(
            conditions, R.complete_at.is_not(None)
        ),
    )
    # Open now and past the deadline: every started day late counts (the penalty is per day).
    late_days = hours_between(R.conditions_due_at, sa.literal(now)) / 24.0
    if db.session.get_bind().dialect.name == "postgresql":  # CAST rounds there; SQLite truncates
        late = sa.cast(sa.func.floor(late_days), sa.Integer) + 1
    else:
        late = sa.cast(late_days, sa.Integer) + 1
    open_late, days = db.session.execute(
        sa.select(sa.func.count(R.id), sa.func.coalesce(sa.func.sum(late), 0)).where(
            R.status == Status.COMPLETE, R.conditions_due_at < now
        )
    ).one()
    penalty = settings.connection_requests.penalty_per_day
    return {
        "received": received,
        "complete": complete,
        "conditions_issued": issued,
        "preliminary_conditions_issued": prelim,
        "refused": refusals,
        "refused_ure_notified": ure,
        "on_time_share": (on_time / timed) if timed else None,
        "median_days": round(hours / 24.0, 1) if hours is not None else None,
        "open_past_deadline": open_late,
        "days_late": int(days),
        "exposure": int(days) * penalty if settings.jurisdiction.code == "PL" else None,
        "withdrawn": withdrawn,
        "agreements_signed": signed,
        "connections_made": made,
    }


COLUMNS = (
    Column("reference", FieldType.STRING, "PR-<year>-<id>"),
    Column("received_at", FieldType.DATETIME),
    Column("channel", FieldType.STRING, "web | paper"),
    Column("applicant_kind", FieldType.STRING),
    Column("applicant_name", FieldType.STRING, personal=True),
    Column("email", FieldType.STRING, personal=True),
    Column("phone", FieldType.STRING, personal=True),
    Column("postcode", FieldType.STRING),
    Column("street", FieldType.STRING, "street and number", personal=True),
    Column("plot_number", FieldType.STRING, personal=True),
    Column("preliminary", FieldType.BOOLEAN, "no legal title: preliminary conditions"),
    Column("ordered_kw", FieldType.NUMBER),
    Column("status", FieldType.STRING),
    Column("complete_at", FieldType.DATETIME, "the clock starts here"),
    Column("conditions_due_at", FieldType.DATETIME),
    Column("rule", FieldType.STRING, "days and source of the deadline"),
    Column("extension_reason", FieldType.STRING, personal=True),
    Column("decided_at", FieldType.DATETIME, "conditions, preliminary conditions or refusal"),
    Column("decided_on_time", FieldType.BOOLEAN),
    Column("refusal_category", FieldType.STRING),
    Column("ure_notice_sent_on", FieldType.DATE),
    Column("conditions_set_on", FieldType.DATE),
    Column("conditions_delivered_on", FieldType.DATE),
    Column("expires_on", FieldType.DATE),
    Column("agreement_signed_at", FieldType.DATETIME),
    Column("supply_started_at", FieldType.DATETIME),
    Column("connected_at", FieldType.DATETIME),
    Column("withdrawn_at", FieldType.DATETIME),
)


def register_rows(period: Period) -> Iterator[tuple[object, ...]]:
    """The register, by id (COLUMNS): columns read through Core, enums as their text (loading
    each request as an ORM object cost more than the rest of its row's export)."""
    start, end = period.utc_bounds(current_settings().timezone)
    ure = sa.orm.aliased(ConnectionLetter)
    query = (
        sa.select(
            R.year,
            R.id,
            plain(R.received_at),
            plain(R.channel),
            plain(R.applicant_kind),
            R.applicant_name,
            R.email,
            R.phone,
            R.postcode,
            R.street,
            R.house_number,
            R.plot_number,
            plain(R.legal_title),
            R.heating_kw,
            R.hot_water_kw,
            R.ventilation_kw,
            R.process_kw,
            plain(R.status),
            plain(R.complete_at),
            plain(R.conditions_due_at),
            R.rule_days,
            R.rule_source,
            R.extension_reason,
            plain(R.decided_at),
            plain(R.refusal_category),
            ure.sent_on,
            R.conditions_set_on,
            R.conditions_delivered_on,
            R.expires_on,
            plain(R.agreement_signed_at),
            plain(R.supply_started_at),
            plain(R.connected_at),
            plain(R.withdrawn_at),
        )
        .outerjoin(ure, sa.and_(ure.request_id == R.id, ure.kind == LetterKind.REFUSAL_TO_URE))
        .where(_in(R.received_at, start, end))
        .order_by(R.id)
        .execution_options(yield_per=2000)
    )
    for (
        year,
        request_id,
        received_at,
        channel,
        applicant_kind,
        applicant_name,
        email,
        phone,
        postcode,
        street,
        house_number,
        plot_number,
        legal_title,
        heating_kw,
        hot_water_kw,
        ventilation_kw,
        process_kw,
        status,
        complete_at,
        conditions_due_at,
        rule_days,
        rule_source,
        extension_reason,
        decided_at,
        refusal_category,
        ure_sent_on,
        *tail,
    ) in db.session.connection().execute(query):
        on_time = decided_at <= conditions_due_at if decided_at and conditions_due_at else None
        yield (
            f"{PREFIX}-{year}-{request_id:06d}",
            received_at,
            channel,
            applicant_kind,
            applicant_name,
            email,
            phone,
            postcode,
            f"{street} {house_number}",
            plot_number,
            legal_title == LegalTitle.NONE.value,  # preliminary conditions
            float(heating_kw + hot_water_kw + ventilation_kw + process_kw),
            status,
            complete_at,
            conditions_due_at,
            f"{rule_days} days: {rule_source}" if rule_days else None,
            extension_reason,
            decided_at,
            on_time,
            refusal_category,
            ure_sent_on,
            *tail,  # conditions set, delivered; expiry; agreement, supply, connection, withdrawal
        )


class ConnectionEvidence:
    """The connection-request EvidenceProvider (service/evidence.py)."""

    def registers(self, period: Period) -> Sequence[Register]:
        return [
            Register(
                "connection_requests",
                _("Connection requests"),
                COLUMNS,
                lambda: register_rows(period),
            )
        ]

    def figures(self, period: Period) -> Sequence[Figure]:
        f = period_figures(period)
        conf = current_settings().connection_requests
        rule = _(
            "Conditions within %(days)d days of the complete application",
            days=conf.conditions_days,
        )
        source = f"{A5_SOURCE}; {conf.conditions_source}"
        figures = [
            Figure(
                "connection_requests_received",
                f["received"],
                Unit.COUNT,
                _("Connection requests received"),
                source=A5_SOURCE,
            ),
            Figure(
                "connection_requests_complete",
                f["complete"],
                Unit.COUNT,
                _("Applications complete"),
                source=A5_SOURCE,
            ),
            Figure(
                "connection_conditions_issued",
                f["conditions_issued"],
                Unit.COUNT,
                _("Connection conditions issued"),
                source=A5_SOURCE,
            ),
            Figure(
                "connection_preliminary_conditions_issued",
                f["preliminary_conditions_issued"],
                Unit.COUNT,
                _("Preliminary connection conditions issued"),
                source=A5_SOURCE,
            ),
            Figure(
                "connection_requests_refused",
                f["refused"],
                Unit.COUNT,
                _("Connection requests refused"),
                source="art. 7 ust. 1 Prawo energetyczne",
            ),
            Figure(
                "connection_refusals_ure_notified",
                f["refused_ure_notified"],
                Unit.COUNT,
                _("Refusals notified to the President of URE"),
                rule=_("Every refusal is notified to the President of URE in writing"),
                source="art. 7 ust. 1 Prawo energetyczne",
                target=f["refused"],
            ),
            Figure(
                "connection_conditions_on_time_share",
                f["on_time_share"],
                Unit.SHARE,
                _("Conditions issued on time"),
                rule=rule,
                source=source,
                target=1.0,
            ),
            Figure(
                "connection_conditions_median_hours",
                round(f["median_days"] * 24, 1) if f["median_days"] is not None else None,
                Unit.HOURS,
                _("Median time from the complete application to the conditions"),
                rule=rule,
                source=source,
            ),
            Figure(
                "connection_requests_open_past_deadline",
                f["open_past_deadline"],
                Unit.COUNT,
                _("Requests still undecided after their deadline"),
                rule=rule,
                source=source,
                target=0,
            ),
            Figure(
                "connection_requests_days_late",
                f["days_late"],
                Unit.COUNT,
                _("Days of delay of the undecided requests"),
                rule=rule,
                source=source,
                target=0,
            ),
            Figure(
                "connection_requests_withdrawn",
                f["withdrawn"],
                Unit.COUNT,
                _("Connection requests withdrawn"),
                source=A5_SOURCE,
            ),
            Figure(
                "connection_agreements_signed",
                f["agreements_signed"],
                Unit.COUNT,
                _("Connection agreements signed"),
                source=A5_SOURCE,
            ),
            Figure(
                "connections_made",
                f["connections_made"],
                Unit.COUNT,
                _("Connections made"),
                source=A5_SOURCE,
            ),
        ]
        if f["exposure"] is not None:
            figures.append(
                Figure(
                    "connection_late_penalty_exposure_pln",
                    f["exposure"],
                    Unit.COUNT,
                    _("Exposure to penalties for late conditions (zł)"),
                    rule=_("At least %(amount)s zł a day of delay", amount=conf.penalty_per_day),
                    source="art. 56 ust. 1 pkt 18 Prawo energetyczne",
                    target=0,
                )
            )
        return figures
