"""The staircase notice (porrashuonetiedote, ogłoszenie na klatce schodowej): one interruption
for one building, in the languages the manager picks, as a print page and as an A4 PDF made by
WeasyPrint from the same template.

Each language's block is rendered under its own locale, so a Finnish–Swedish or Polish–English
notice reads natively in both; times come from Babel for that language.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import Response, render_template
from flask_babel import force_locale

from notifications.customers.queries import get_point, outage_at_point
from notifications.sms.texts import outage_url
from notifications.texts import compose_notice, impact_label
from service.edge import printable_document
from service.i18n import format_datetime
from service.settings import current_settings

MAX_LANGUAGES = 3


def chosen_languages(requested: Sequence[str], fallback: str | None = None) -> list[str]:
    """The requested languages the service speaks, in order, at most three; else one default."""
    conf = current_settings()
    chosen: list[str] = []
    for lang in requested:
        if lang in conf.languages and lang not in chosen:
            chosen.append(lang)
    if not chosen:
        chosen = [fallback if fallback in conf.languages else conf.default_language]
    return chosen[:MAX_LANGUAGES]


def staircase_html(point_id: int, outage_id: int, languages: Sequence[str]) -> str:
    point = get_point(point_id)
    outage = outage_at_point(point, outage_id)
    conf = current_settings()
    fallback = point.contacts[0].language if point.contacts else None
    blocks = []
    for lang in chosen_languages(languages, fallback):
        with force_locale(lang):
            blocks.append(
                render_template(
                    "customers/staircase_block.html",
                    lang=lang,
                    point=point,
                    outage=outage,
                    notice=compose_notice(outage, lang),
                    impact=impact_label(outage.impact),
                    starts=format_datetime(outage.starts_at, lang),
                    ends=format_datetime(outage.expected_end_at, lang)
                    if outage.expected_end_at
                    else None,
                    ended=format_datetime(outage.ended_at, lang) if outage.ended_at else None,
                    url=outage_url(outage.id, lang),
                    emergency_phone=conf.feedback.emergency_phone,
                    utility=conf.utility_name,
                )
            )
    return render_template("customers/staircase.html", blocks=blocks, point=point, outage=outage)


def staircase_page(point_id: int, outage_id: int, languages: Sequence[str]) -> Response:
    return printable_document(staircase_html(point_id, outage_id, languages))


def staircase_pdf(point_id: int, outage_id: int, languages: Sequence[str]) -> Response:
    import weasyprint  # imported when a PDF is made: it loads Pango

    html = staircase_html(point_id, outage_id, languages)
    pdf = weasyprint.HTML(string=html, base_url=current_settings().public_base_url).write_pdf()
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="notice-{outage_id}-{point_id}.pdf"',
            "Cache-Control": "no-store",
        },
    )
