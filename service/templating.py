"""What every template may use: time formatting, labels and language links."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request, url_for
from flask_login import current_user

from service import i18n
from service.auth.permissions import current_user_can


def _language_links() -> list[dict[str, Any]]:
    """The current page in each language (public pages carry the language in their URL)."""
    endpoint = request.endpoint
    args = dict(request.view_args or {})
    # Pages under /<lang>/ have had `lang` taken out of view_args by their blueprint.
    prefixed = bool(g.get("lang")) or "lang" in args
    links = []
    for lang in i18n.languages():
        if endpoint and prefixed:
            values: dict[str, Any] = {**request.args.to_dict(), **args, "lang": lang}
            target = url_for(endpoint, **values)
        else:
            target = request.full_path.rstrip("?")
        links.append(
            {
                "lang": lang,
                "name": i18n.LANGUAGE_NAMES[lang],
                "url": url_for("public.switch_language", lang=lang, next=target),
                "current": lang == i18n.current_language(),
            }
        )
    return links


def register(app: Flask) -> None:
    # Block tags leave no blank lines behind: smaller pages, same markup.
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters.update(
        datetime=i18n.format_datetime,
        date=i18n.format_date,
        time=i18n.format_time,
        iso_local=i18n.format_iso_local,
    )
    app.jinja_env.globals.update(
        language_links=_language_links,
        current_language=i18n.current_language,
        language_names=i18n.LANGUAGE_NAMES,
        can=current_user_can,
        current_user=current_user,  # lazy: the session is read only by pages that show the user
    )

    @app.context_processor
    def inject_settings() -> dict[str, Any]:
        return {"settings": app.config["FAIRHEAT"]}
