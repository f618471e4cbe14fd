"""Public pages under /<lang>/: current and upcoming interruptions, address search, archive."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from notifications import queries, status_page
from notifications.routes.caching import PUBLIC_MAX_AGE, cached_public
from notifications.schemas import LookupQuerySchema
from service.db import utcnow
from service.errors import ValidationFailed, flatten_errors
from service.i18n import language_prefixed
from service.validation import load_or_fail

bp = language_prefixed(
    Blueprint("outages", __name__, url_prefix="/<lang>", template_folder="../templates")
)

ARCHIVE_PAGE_SIZE = 20


def _index_page(query: dict[str, str], errors: dict[str, list[str]]) -> str:
    now = utcnow()
    active = queries.list_outages(status="active", now=now)
    upcoming = queries.list_outages(status="upcoming", now=now)
    return render_template(
        "notifications/outages/index.html",
        active=active,
        upcoming=upcoming,
        summary=status_page.summary(active, upcoming),
        moves=status_page.estimate_moves([*active, *upcoming]),
        map_features=status_page.map_features([*active, *upcoming], now),
        advice_impacts=status_page.impacts_of(active),
        query=query,
        errors=errors,
    )


@bp.get("/")
def index() -> Response:
    return cached_public(lambda: _index_page({}, {}))


@bp.get("/lookup")
def lookup() -> Response | tuple[str, int]:
    """Is my address affected? Works as a plain GET form, without JavaScript."""
    query = {k: v for k, v in request.args.items() if k in ("postcode", "street", "number")}
    try:
        data = load_or_fail(LookupQuerySchema(), query)
    except ValidationFailed as error:
        return _index_page(query, flatten_errors(error.errors)), 422

    def render() -> str:
        result = queries.lookup_address(data["postcode"], data.get("street"), data.get("number"))
        current, later = status_page.split_by_time(result, utcnow())
        return render_template(
            "notifications/outages/lookup.html",
            result=result,
            current=current,
            later=later,
            served=status_page.served(result.postcode),
            moves=status_page.estimate_moves([*result.outages, *result.possibly_affected]),
            advice_impacts=status_page.impacts_of(current),
            query=query,
        )

    return cached_public(render)


@bp.get("/outages/<int:outage_id>")
def detail(outage_id: int) -> Response:
    def render() -> str:
        outage = queries.get_outage(outage_id)
        now = utcnow()
        return render_template(
            "notifications/outages/detail.html",
            outage=outage,
            moves=status_page.estimate_moves([outage]),
            map_features=status_page.map_features([outage], now),
            advice_impacts=status_page.impacts_of([outage]) if outage.is_active(now) else [],
        )

    return cached_public(render)


@bp.get("/o/<int:outage_id>")
def short_link(outage_id: int) -> Response:
    """The link an SMS carries (/pl/o/123456, notifications.sms.texts.sms_outage_url): the notice
    page, six characters shorter. A public URL contract, like the page itself: it stays."""
    queries.require_published(outage_id)  # unknown or a draft: 404, as the page would be
    response = redirect(url_for(".detail", outage_id=outage_id), 301)
    # Shared like the page, so the proxy's microcache absorbs the clicks after a fan-out.
    response.headers["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    return response


@bp.get("/archive")
def archive() -> Response:
    page = max(request.args.get("page", 1, type=int) or 1, 1)

    def render() -> str:
        outages = queries.list_outages(
            status="past", limit=ARCHIVE_PAGE_SIZE + 1, offset=(page - 1) * ARCHIVE_PAGE_SIZE
        )
        return render_template(
            "notifications/outages/archive.html",
            outages=outages[:ARCHIVE_PAGE_SIZE],
            page=page,
            has_next=len(outages) > ARCHIVE_PAGE_SIZE,
        )

    return cached_public(render)


@bp.get("/outages.atom")
def atom() -> Response:
    from notifications.feeds import atom_feed

    lang = g.lang
    return cached_public(lambda: atom_feed(queries.recent_updates(), lang), "application/atom+xml")
