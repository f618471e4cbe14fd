"""Public text of a notice, composed from its structured fields through translated templates.

A notice needs no manual translation: every sentence here is a whole phrase in the catalog, with
placeholders only for times, numbers, names and other whole phrases (GLOSSARY.md: never glue
words). Times are formatted by Babel in the utility's zone. Staff free text for a language is
added after the template text; a language without free text shows the template text alone.
Each street is shown by its name in the reader's language where the alias table has one
(Mannerheimvägen in Swedish), else as staff wrote it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import force_locale, ngettext, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from notifications.models import Cause, Impact, OutageKind, OutageStatus, Parity
from notifications.streets.queries import request_resolver
from service.i18n import format_datetime

# One catalog lookup per label: the tables hold lazy strings, translated when str() is taken
# in the current locale (a page of 50 notices asks for a few hundred labels).
_KINDS = {
    OutageKind.PLANNED: _l("Planned interruption"),
    OutageKind.UNPLANNED: _l("Unplanned interruption"),
}
_IMPACTS = {
    Impact.HEATING_AND_HOT_WATER: _l("heating and hot water"),
    Impact.HEATING: _l("heating"),
    Impact.HOT_WATER: _l("hot water"),
    Impact.REDUCED_SUPPLY: _l("reduced heat supply"),
}
_CAUSES = {
    Cause.MAINTENANCE: _l("maintenance"),
    Cause.NETWORK_REPAIR: _l("network repair"),
    Cause.LEAK: _l("leak in the network"),
    Cause.PRODUCTION_FAULT: _l("fault in heat production"),
    Cause.CONNECTION_WORK: _l("connection work"),
    Cause.OTHER: _l("other cause"),
}
_STATUSES = {
    OutageStatus.SCHEDULED: _l("Scheduled"),
    OutageStatus.IN_PROGRESS: _l("In progress"),
    OutageStatus.COMPLETED: _l("Completed"),
    OutageStatus.CANCELLED: _l("Cancelled"),
    OutageStatus.INVESTIGATING: _l("Fault being located"),
    OutageStatus.REPAIRING: _l("Being repaired"),
    OutageStatus.RESTORED: _l("Restored"),
}
_PARITIES = {
    Parity.ALL: _l("all numbers"),
    Parity.ODD: _l("odd numbers"),
    Parity.EVEN: _l("even numbers"),
}
_STATUS_SENTENCES = {
    OutageStatus.SCHEDULED: _l(
        "Work is planned at this time. Please prepare for the interruption."
    ),
    OutageStatus.IN_PROGRESS: _l("The work is under way."),
    OutageStatus.COMPLETED: _l("The work is finished and supply is back to normal."),
    OutageStatus.CANCELLED: _l("This interruption has been cancelled. Supply continues as normal."),
    OutageStatus.INVESTIGATING: _l("We are locating the fault."),
    OutageStatus.REPAIRING: _l("The fault has been found and is being repaired."),
    OutageStatus.RESTORED: _l("The fault has been repaired and supply is back to normal."),
}


def kind_label(kind: OutageKind) -> str:
    return str(_KINDS[kind])


def impact_label(impact: Impact) -> str:
    return str(_IMPACTS[impact])


def cause_label(cause: Cause) -> str:
    return str(_CAUSES[cause])


def status_label(status: OutageStatus) -> str:
    return str(_STATUSES[status])


def parity_label(parity: Parity) -> str:
    return str(_PARITIES[parity])


def _status_sentence(status: OutageStatus) -> str:
    return str(_STATUS_SENTENCES[status])


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


def _expected_end_line(kind: OutageKind, expected: Any, lang: str) -> str:
    """When supply is expected back. Planned work ends; only a fault is repaired (review M1:
    Finnish "korjausaika" must never describe maintenance), so each kind has its own sentence."""
    if kind == OutageKind.PLANNED:
        if expected is None:
            return pgettext("planned", "Estimated end: not known yet")
        return pgettext("planned", "Estimated end: %(time)s", time=format_datetime(expected, lang))
    if expected is None:
        return pgettext("unplanned", "Estimated restoration time: not known yet")
    return pgettext(
        "unplanned", "Estimated restoration time: %(time)s", time=format_datetime(expected, lang)
    )


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
        lines.append(_expected_end_line(kind, expected, lang))
    lines.append(_("Cause: %(cause)s", cause=cause_label(o.cause)))  # type: ignore[attr-defined]
    ranges = list(o.areas)  # type: ignore[attr-defined]
    names = request_resolver(a.postcode for a in ranges if a.street)
    areas = [
        describe_area(
            a.postcode,
            names.name(a.postcode, a.street, lang) if a.street else None,
            a.from_number,
            a.to_number,
            a.parity,
        )
        for a in ranges
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


_CACHE_SIZE = 4096


def compose_notice(outage: object, lang: str) -> NoticeText:
    """The public text of an outage in one language.

    A saved outage's text is kept per (id, version, last change, language) in a small cache on
    the app: every change bumps the version, so a cached text is never stale. Unsaved ones
    (the staff preview) are composed each time.
    """
    outage_id = getattr(outage, "id", None)
    if outage_id is None:
        with force_locale(lang):
            return _compose(outage, lang)
    key = (outage_id, outage.version, outage.updated_at, lang)  # type: ignore[attr-defined]
    cache: OrderedDict[tuple[Any, ...], NoticeText] = current_app.extensions.setdefault(
        "fairheat_notice_texts", OrderedDict()
    )
    text = cache.get(key)
    if text is None:
        with force_locale(lang):
            text = _compose(outage, lang)
        cache[key] = text
        if len(cache) > _CACHE_SIZE:
            cache.popitem(last=False)
    return text


def compose_all(outage: object, languages: Iterable[str]) -> dict[str, NoticeText]:
    return {lang: compose_notice(outage, lang) for lang in languages}
