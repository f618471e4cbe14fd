"""The site root and the language switch."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from werkzeug.wrappers import Response

from service import i18n
from service.edge import safe_redirect_target
from service.settings import current_settings

bp = Blueprint("public", __name__)


@bp.get("/")
def root() -> Response:
    """Send a visitor to their language: cookie, then Accept-Language, then the default."""
    response = redirect(url_for("outages.index", lang=i18n.select_locale()))
    response.headers["Vary"] = "Accept-Language, Cookie"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/language/<lang>")
def switch_language(lang: str) -> Response:
    """Remember the chosen language, then go to the same page in it.

    Public pages never set cookies themselves, so a proxy may cache them.
    """
    if lang not in i18n.languages():
        abort(404)
    target = safe_redirect_target(request.args.get("next"))  # a page of this site only
    response = redirect(target or url_for("outages.index", lang=lang))
    response.set_cookie(
        i18n.LANG_COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=current_settings().env == "production",
    )
    return response
