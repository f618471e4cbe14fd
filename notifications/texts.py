"""Public text of a notice, composed from its structured fields through translated templates.

A notice needs no manual translation: every sentence here is a whole phrase in the catalog, with
placeholders only for times, numbers, names and other whole phrases (GLOSSARY.md: never glue
words). Times are formatted by Babel in the utility's zone. Staff free text for a language is
added after the template text; a language without free text shows the template text alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from notifications.models import Cause, Impact, OutageKind, OutageStatus, Parity
from service.i18n import format_datetime


def kind_label(kind: OutageKind) -> str:
    return {
        OutageKind.PLANNED: _("Planned interruption"),
        OutageKind.UNPLANNED: _("Unplanned interruption"),
    }[kind]


def impact_label(impact: Impact) -> str:
    return {
        Impact.HEATING_AND_HOT_WATER: _("heating and hot water"),
        Impact.HEATING: _("heating"),
        Impact.HOT_WATER: _("hot water"),
        Impact.REDUCED_SUPPLY: _("reduced heat supply"),
    }[impact]


def cause_label(cause: Cause) -> str:
    return {
        Cause.MAINTENANCE: _("maintenance"),
        Cause.NETWORK_REPAIR: _("network repair"),
        Cause.LEAK: _("leak in the network"),
        Cause.PRODUCTION_FAULT: _("fault in heat production"),
        Cause.CONNECTION_WORK: _("connection work"),
        Cause.OTHER: _("other cause"),
    }[cause]


def status_label(status: OutageStatus) -> str:
    return {
        OutageStatus.SCHEDULED: _("Scheduled"),
        OutageStatus.IN_PROGRESS: _("In progress"),
        OutageStatus.COMPLETED: _("Completed"),
        OutageStatus.CANCELLED: _("Cancelled"),
        OutageStatus.INVESTIGATING: _("Fault being located"),
        OutageStatus.REPAIRING: _("Being repaired"),
        OutageStatus.RESTORED: _("Restored"),
    }[status]


def parity_label(parity: Parity) -> str:
    return {
        Parity.ALL: _("all numbers"),
        Parity.ODD: _("odd numbers"),
        Parity.EVEN: _("even numbers"),
    }[parity]


def _status_sentence(status: OutageStatus) -> str:
    return {
        OutageStatus.SCHEDULED: _(
            "Work is planned at this time. Please prepare for the interruption."
        ),
        OutageStatus.IN_PROGRESS: _("The work is under way."),
        OutageStatus.COMPLETED: _("The work is finished and supply is back to normal."),
        OutageStatus.CANCELLED: _(
            "This interruption has been cancelled. Supply continues as normal."
        ),
        OutageStatus.INVESTIGATING: _("We are locating the fault."),
        OutageStatus.REPAIRING: _("The fault has been found and is being repaired."),
        OutageStatus.RESTORED: _("The fault has been repaired and supply is back to normal."),
    }[status]


def describe_area(
    postcode: str,
    street: str | None,
    from_number: int | None,
    to_number: int | None,
    parity: Parity,
) -> str:
    """One address range as residents read it: 'Mannerheimintie 1–15, odd numbers, 00100'."""
    if street is None:
        return _("whole postcode area %(postcode)s", postcode=postcode)
    parts = [street]
    if from_number is not None and to_number is not None:
        parts[0] = f"{street} {from_number}–{to_number}"
    elif from_number is not None:
        parts.append(_("from number %(num)d", num=from_number))
    elif to_number is not None:
        parts.append(_("up to number %(num)d", num=to_number))
    if parity != Parity.ALL:
        parts.append(parity_label(parity))
    parts.append(postcode)
    return ", ".join(parts)


@dataclass(frozen=True)
class NoticeText:
    title: str
    lines: list[str]
    free_text: str | None = None
    area_lines: list[str] = field(default_factory=list)

    @property
    def body(self) -> str:
        parts = [*self.lines]
        if self.free_text:
            parts.append(self.free_text)
        return "\n".join(parts)

    def as_dict(self) -> dict[str, str]:
        return {"title": self.title, "body": self.body}


def _compose(outage: object, lang: str) -> NoticeText:
    o = outage  # an Outage, or an unsaved stand-in with the same attributes (preview)
    kind, status = o.kind, o.status  # type: ignore[attr-defined]
    title = (
        _("Planned interruption: %(impact)s", impact=impact_label(o.impact))  # type: ignore[attr-defined]
        if kind == OutageKind.PLANNED
        else _("Unplanned interruption: %(impact)s", impact=impact_label(o.impact))  # type: ignore[attr-defined]
    )
    lines = [_status_sentence(status)]
    starts = format_datetime(o.starts_at, lang)  # type: ignore[attr-defined]
    if status == OutageStatus.SCHEDULED:
        lines.append(_("Starts: %(time)s", time=starts))
    else:
        lines.append(_("Started: %(time)s", time=starts))
    expected, ended = o.expected_end_at, o.ended_at  # type: ignore[attr-defined]
    if status in (OutageStatus.COMPLETED, OutageStatus.RESTORED) and ended is not None:
        lines.append(_("Ended: %(time)s", time=format_datetime(ended, lang)))
    elif status != OutageStatus.CANCELLED:
        if expected is not None:
            lines.append(
                _("Estimated restoration time: %(time)s", time=format_datetime(expected, lang))
            )
        else:
            lines.append(_("Estimated restoration time: not known yet"))
    lines.append(_("Cause: %(cause)s", cause=cause_label(o.cause)))  # type: ignore[attr-defined]
    areas = [
        describe_area(a.postcode, a.street, a.from_number, a.to_number, a.parity)
        for a in o.areas  # type: ignore[attr-defined]
    ]
    if areas:
        lines.append(_("Area: %(areas)s", areas="; ".join(areas)))
    buildings = o.affected_buildings  # type: ignore[attr-defined]
    if buildings:
        lines.append(
            ngettext("%(num)d building is affected.", "%(num)d buildings are affected.", buildings)
        )
    free = (o.texts or {}).get(lang) or None  # type: ignore[attr-defined]
    return NoticeText(title=title, lines=lines, free_text=free, area_lines=areas)


def compose_notice(outage: object, lang: str) -> NoticeText:
    """The public text of an outage in one language."""
    with force_locale(lang):
        return _compose(outage, lang)


def compose_all(outage: object, languages: Iterable[str]) -> dict[str, NoticeText]:
    return {lang: compose_notice(outage, lang) for lang in languages}
