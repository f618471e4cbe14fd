"""Feedback and complaints: the rules, and the one transaction behind each action.

Every action writes the case, a timeline event, its outgoing messages (outbox rows) and an audit
entry together, or nothing. Staff actions carry the version the staff member saw; a case changed
meanwhile by someone else is a 409, never a silent overwrite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from config.feedback_rules import Track
from feedback import messages
from feedback.deadlines import (
    apply_rule,
    current_deadline,
    explanatory_refusal,
    refresh_deadline,
    restart_deadline,
    rules,
    set_deadline,
)
from feedback.deadlines import track_for as initial_track
from feedback.models import (
    Case,
    CaseEvent,
    CasePause,
    CaseStatus,
    Channel,
    Escalation,
    EscalationLevel,
    EventKind,
    ReplyTemplate,
)
from feedback.references import new_nonce, reference, tracking_token
from service import audit
from service.auth.models import User
from service.auth.permissions import Permission, Role, role_allows
from service.db import utcnow
from service.errors import Conflict, Forbidden, NotFound, ValidationFailed
from service.extensions import db
from service.i18n import current_language, to_local
from service.transactions import commit_or_conflict


def _conf() -> Any:
    return current_app.config["FAIRHEAT"]


def _commit() -> None:
    commit_or_conflict(_changed_meanwhile)


def _changed_meanwhile() -> str:
    return _("Someone else changed this case meanwhile. Reload it and try again.")


def _event(
    case: Case, kind: EventKind, *, text: str | None = None, detail: str | None = None, **kw: Any
) -> CaseEvent:
    actor = kw.get("actor_id")
    event = CaseEvent(
        kind=kind, text=text, detail=detail, actor_id=actor, at=kw.get("at", utcnow())
    )
    case.events.append(event)
    return event


def _audit(action: str, case: Case, **after: Any) -> None:
    audit.record(f"case.{action}", "feedback_case", reference(case), after=after or None)


def _summary(case: Case) -> dict[str, Any]:
    return {
        "type": case.type.value,
        "channel": case.channel.value,
        "track": case.track.value,
        "deadline_at": case.deadline_at,
        "rule": f"{case.rule_value} {case.rule_unit}: {case.rule_source}",
    }


# --- Intake -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Receipt:
    """What the one who sent a case gets back at once (read before the commit expires the row)."""

    case_id: int
    reference: str
    token: str
    language: str


def submit_case(
    data: Mapping[str, Any],
    *,
    channel: Channel = Channel.WEB,
    received_at: dt.datetime | None = None,
    recorded_by: int | None = None,
    open311_key_id: int | None = None,
) -> Receipt:
    """Register a case, compute its deadline, acknowledge it; one transaction."""
    now = utcnow()
    received = received_at or data.get("received_at") or now
    channel = data.get("channel") or channel
    case = Case(
        year=to_local(received).year,
        token_nonce=new_nonce(),
        type=data["type"],
        area=data["area"],
        channel=channel,
        status=CaseStatus.RECEIVED,
        description=data["description"],
        address=data.get("address"),
        customer_number=data.get("customer_number"),
        name=data.get("name"),
        email=data.get("email"),
        phone=data.get("phone"),
        postal_address=data.get("postal_address"),
        reply_channel=data["reply_channel"],
        language=data.get("language") or current_language(),
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        received_at=received,
        recorded_at=now,
        recorded_by_id=recorded_by,
        open311_key_id=open311_key_id,
        is_spam=False,
    )
    set_deadline(case, initial_track(case.type, channel))
    ack_rule = rules().acknowledgement
    if ack_rule is not None:
        case.acknowledgement_due_at = apply_rule(ack_rule, received)
    _event(case, EventKind.RECEIVED, detail=channel.value, actor_id=recorded_by, at=now)
    acknowledged_by = messages.channels(case, both=True)
    if acknowledged_by:
        case.acknowledged_at = now
        _event(case, EventKind.ACKNOWLEDGED, detail=", ".join(acknowledged_by), at=now)
    db.session.add(case)
    db.session.flush()  # the id makes the reference and the tracking link
    messages.acknowledge(case)
    _audit("received", case, **_summary(case))
    receipt = Receipt(case.id, reference(case), tracking_token(case), case.language)
    db.session.commit()
    return receipt


# --- Staff actions --------------------------------------------------------------------------------


def _case_for_update(case_id: int, version: int | None) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        raise NotFound(_("There is no such case."))
    if version is not None and case.version != version:
        raise Conflict(_changed_meanwhile())
    return case


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise Conflict(_("This case is closed. Reopen it first."))


def _start_work(case: Case) -> None:
    if case.status is CaseStatus.RECEIVED:
        case.status = CaseStatus.IN_PROGRESS


def assign_case(
    case_id: int,
    assignee_id: int | None,
    actor_id: int,
    version: int | None,
    *,
    hands_out: bool = True,
) -> Case:
    """Give the case to a handler (or to nobody). Without `hands_out` (a lead's right) a handler
    takes a free case for themselves or hands back their own, nothing else."""
    case = _case_for_update(case_id, version)
    if not hands_out and (
        assignee_id not in (None, actor_id) or case.assignee_id not in (None, actor_id)
    ):
        raise Forbidden()
    assignee = None
    if assignee_id is not None:
        assignee = db.session.get(User, assignee_id)
        if (
            assignee is None
            or not assignee.active
            or not role_allows(assignee.role, Permission.HANDLE_CASES)
        ):
            raise ValidationFailed(
                {"assignee_id": [_("Choose an active staff member who handles cases.")]}
            )
    case.assignee_id = assignee_id
    if case.is_open:
        _start_work(case)
    _event(case, EventKind.ASSIGNED, detail=assignee.email if assignee else None, actor_id=actor_id)
    _audit("assigned", case, assignee=assignee.email if assignee else None)
    _commit()
    return case


def add_note(case_id: int, text: str, actor_id: int, version: int | None) -> Case:
    case = _case_for_update(case_id, version)
    _event(case, EventKind.NOTE, text=text, actor_id=actor_id)
    case.updated_at = utcnow()
    _audit("note", case)
    _commit()
    return case


def request_information(case_id: int, question: str, actor_id: int, version: int | None) -> Case:
    """Ask the customer; the deadline clock stops until they reply."""
    case = _case_for_update(case_id, version)
    _require_open(case)
    if case.status is CaseStatus.WAITING_FOR_CUSTOMER:
        raise Conflict(_("This case is already waiting for the customer."))
    now = utcnow()
    case.status = CaseStatus.WAITING_FOR_CUSTOMER
    case.pauses.append(CasePause(started_at=now))
    event = _event(case, EventKind.INFO_REQUESTED, text=question, actor_id=actor_id, at=now)
    db.session.flush()
    sent = messages.ask_customer(case, question, event.id)
    event.detail = ", ".join(sent) or None
    _audit("info_requested", case, sent=sent)
    _commit()
    return case


def _end_pause(case: Case, now: dt.datetime) -> None:
    pause = case.open_pause
    if pause is not None:
        pause.ended_at = now
        refresh_deadline(case)


def customer_reply(case: Case, text: str) -> Case:
    """The customer adds information from the tracking link; a waiting case's clock restarts."""
    if not case.is_open:
        raise Conflict(
            _("This case is closed, so it cannot take replies. Please send a new message.")
        )
    now = utcnow()
    _event(case, EventKind.CUSTOMER_REPLIED, text=text, at=now)
    if case.status is CaseStatus.WAITING_FOR_CUSTOMER:
        _end_pause(case, now)
        case.status = CaseStatus.IN_PROGRESS
    case.updated_at = now
    _audit("customer_replied", case, deadline_at=case.deadline_at)
    _commit()
    return case


def switch_to_explanatory(case_id: int, reason: str, actor_id: int, version: int | None) -> Case:
    """A complaint needing an explanatory procedure moves to that track's longer deadline, when
    deadlines.explanatory_refusal allows it (a 409 with its reason otherwise)."""
    case = _case_for_update(case_id, version)
    now = utcnow()
    refusal = explanatory_refusal(case, now)
    if refusal is not None:
        raise Conflict(refusal.message())
    before = case.deadline_at
    set_deadline(case, Track.EXPLANATORY)
    case.track_reason = reason
    event = _event(
        case,
        EventKind.TRACK_CHANGED,
        text=reason,
        detail=Track.EXPLANATORY.value,
        actor_id=actor_id,
        at=now,
    )
    db.session.flush()
    messages.tell_new_deadline(case, event.id)
    _audit("track_changed", case, reason=reason, deadline_before=before, **_summary(case))
    _commit()
    return case


def answer_case(case_id: int, data: Mapping[str, Any], actor_id: int, version: int | None) -> Case:
    """Answer the customer (text and the action taken), record the outcome and close the case."""
    case = _case_for_update(case_id, version)
    _require_open(case)
    now = utcnow()
    _end_pause(case, now)
    case.answer_text = data["text"]
    case.answer_action = data["action"]
    case.outcome = data["outcome"]
    case.answered_at = now
    case.first_answered_at = case.first_answered_at or now
    case.closed_at = now
    case.status = CaseStatus.CLOSED
    event = _event(
        case,
        EventKind.ANSWERED,
        text=data["text"],
        detail=case.outcome.value,
        actor_id=actor_id,
        at=now,
    )
    db.session.flush()
    sent = messages.send_answer(case, event.id)
    event.detail = f"{case.outcome.value}; {', '.join(sent) or '-'}"
    _audit("answered", case, outcome=case.outcome.value, on_time=now <= case.deadline_at, sent=sent)
    _commit()
    return case


def reopen_case(case_id: int, reason: str, actor_id: int, version: int | None) -> Case:
    case = _case_for_update(case_id, version)
    if case.is_open:
        raise Conflict(_("This case is already open."))
    now = utcnow()
    case.status = CaseStatus.IN_PROGRESS
    case.closed_at = None
    restart_deadline(case, now)  # the first answer's timeliness stays in first_answered_at
    # Its escalations start over: the new deadline is warned about like a new case's.
    db.session.execute(sa.delete(Escalation).where(Escalation.case_id == case.id))
    _event(case, EventKind.REOPENED, text=reason, actor_id=actor_id, at=now)
    _audit("reopened", case, reason=reason, deadline_at=case.deadline_at)
    _commit()
    return case


def mark_spam(case_id: int, spam: bool, actor_id: int, version: int | None) -> Case:
    """Spam is kept (evidence) but hidden from the inbox and left out of the figures."""
    case = _case_for_update(case_id, version)
    if case.is_spam == spam:
        return case
    case.is_spam = spam
    _event(case, EventKind.SPAM if spam else EventKind.NOT_SPAM, actor_id=actor_id)
    _audit("spam" if spam else "not_spam", case)
    _commit()
    return case


# --- Survey -------------------------------------------------------------------------------------


def record_survey(case: Case, score: int, comment: str | None) -> Case:
    """The one-question satisfaction survey after an answer (IGCP B2); once per case."""
    if case.first_answered_at is None:
        raise Conflict(_("You can rate our answer once we have answered."))
    if case.surveyed_at is not None:
        raise Conflict(_("You have already rated this answer. Thank you!"))
    case.satisfaction_score = score
    case.satisfaction_comment = comment
    case.surveyed_at = utcnow()
    _event(case, EventKind.SURVEYED, detail=str(score))
    _audit("surveyed", case, score=score)
    _commit()
    return case


# --- Reply templates ----------------------------------------------------------------------------


def create_template(data: Mapping[str, Any]) -> ReplyTemplate:
    exists = db.session.scalar(
        sa.select(ReplyTemplate.id).where(
            ReplyTemplate.language == data["language"], ReplyTemplate.title == data["title"]
        )
    )
    if exists is not None:
        raise ValidationFailed({"title": [_("A template with this title exists already.")]})
    template = ReplyTemplate(language=data["language"], title=data["title"], body=data["body"])
    db.session.add(template)
    db.session.flush()
    audit.record("reply_template.created", "reply_template", template.id, after=dict(data))
    db.session.commit()
    return template


def delete_template(template_id: int) -> None:
    template = db.session.get(ReplyTemplate, template_id)
    if template is None:
        raise NotFound()
    audit.record(
        "reply_template.deleted",
        "reply_template",
        template_id,
        before={"title": template.title, "language": template.language},
    )
    db.session.delete(template)
    db.session.commit()


# --- Jobs -----------------------------------------------------------------------------------------


def escalate(now: dt.datetime | None = None) -> int:
    """Tell the assignee and the customer-service leads about cases due soon or overdue.

    Once per case, person and threshold (a unique row per (case, user, level)); by e-mail too
    when FAIRHEAT_FEEDBACK_ESCALATION_EMAILS is on. Returns how many notices were written.
    """
    now = now or utcnow()
    conf = _conf().feedback
    horizon = now + dt.timedelta(hours=conf.due_soon_hours)
    leads = db.session.scalars(
        sa.select(User).where(User.role == Role.CUSTOMER_SERVICE_LEAD, User.active.is_(True))
    ).all()
    running = sa.or_(  # a clock that runs: not waiting, or on a track the law gives no pause
        Case.status.in_([CaseStatus.RECEIVED, CaseStatus.IN_PROGRESS]),
        sa.and_(
            Case.status == CaseStatus.WAITING_FOR_CUSTOMER,
            Case.track.in_(list(rules().deemed_accepted_tracks)),
        ),
    )
    cases = db.session.scalars(
        sa.select(Case).where(running, Case.is_spam.is_(False), Case.deadline_at <= horizon)
    ).all()
    done = {
        (row.case_id, row.user_id, row.level)
        for row in db.session.execute(
            sa.select(Escalation.case_id, Escalation.user_id, Escalation.level).where(
                Escalation.case_id.in_([c.id for c in cases])
            )
        )
    }
    written = 0
    for case in cases:
        deadline = current_deadline(case, now)
        level = EscalationLevel.OVERDUE if deadline < now else EscalationLevel.DUE_SOON
        people = {user.id: user for user in leads}
        if case.assignee is not None and case.assignee.active:
            people[case.assignee.id] = case.assignee
        for user in people.values():
            if (case.id, user.id, level) in done:
                continue
            db.session.add(Escalation(case_id=case.id, user_id=user.id, level=level))
            if conf.escalation_emails:
                messages.notify_staff(case, user, level.value, deadline)
            written += 1
    db.session.commit()
    return written


def mark_deemed_accepted(now: dt.datetime | None = None) -> int:
    """A complaint on a deemed-accepted track (PL disconnection) unanswered past its deadline."""
    now = now or utcnow()
    tracks = rules().deemed_accepted_tracks
    if not tracks:
        return 0
    cases = db.session.scalars(
        sa.select(Case).where(
            Case.track.in_(list(tracks)),
            Case.first_answered_at.is_(None),
            Case.deemed_accepted_at.is_(None),
            Case.is_spam.is_(False),
            Case.deadline_at < now,
        )
    ).all()
    marked = 0
    for case in cases:
        case.deemed_accepted_at = now  # no pause on these tracks: the stored deadline is final
        _event(case, EventKind.DEEMED_ACCEPTED, at=now)
        _audit("deemed_accepted", case, deadline_at=case.deadline_at)
        marked += 1
    db.session.commit()
    return marked


def mark_escalations_read(user_id: int) -> None:
    db.session.execute(
        sa.update(Escalation)
        .where(Escalation.user_id == user_id, Escalation.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()
