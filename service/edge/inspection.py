"""What a request brings, checked once at the edge before any view, form or schema sees it.

- The path, the query string and a form (URL-encoded or multipart, its text fields and file
  names) must not contain a forbidden character (service/edge/characters.py): the answer is 422
  naming the fields, in the visitor's language (review D4, D18). /twilio/… is not refused here:
  what Twilio signed is checked first, then cleaned (service/webhooks.py).
- A JSON body must parse, nest no deeper than FAIRHEAT_MAX_JSON_DEPTH and hold no forbidden
  character. A body nested 5,000 levels deep was a RecursionError and a 500 (review D13); it is
  now 400 before the API's parser, which would recurse as deep, reads it.
"""

from __future__ import annotations

import json
from itertools import chain
from typing import NoReturn

from flask import abort, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from service.edge.characters import DepthExceeded, forbidden_fields, has_forbidden, json_strings
from service.errors import ValidationFailed
from service.settings import current_settings

WEBHOOK_PREFIX = "/twilio/"


def refuse_forbidden_characters() -> None:
    if has_forbidden(request.path):
        abort(404)
    if request.path.startswith(WEBHOOK_PREFIX):
        return
    pairs = list(request.args.items(multi=True))
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        names = ((name, f.filename or "") for name, f in request.files.items(multi=True))
        pairs.extend(chain(request.form.items(multi=True), names))
    elif request.is_json:
        pairs.extend(_json_pairs())
    fields = forbidden_fields(pairs)
    if fields:
        message = _(
            "Remove the control or text-direction characters from this field "
            "(they are invisible, often pasted in with text)."
        )
        raise ValidationFailed({name: [message] for name in fields})


def _json_pairs() -> list[tuple[str, str]]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        return []
    try:
        document = json.loads(raw)
    except RecursionError:
        _refuse_json(_("The request body nests too deeply."))
    except ValueError:
        return []  # not JSON: the API's parser answers that in its own words
    try:
        return list(json_strings(document, current_settings().edge.max_json_depth))
    except DepthExceeded:
        _refuse_json(_("The request body nests too deeply."))


def _refuse_json(message: str) -> NoReturn:
    error = BadRequest()
    error.data = {"messages": {"json": [message]}}  # type: ignore[attr-defined]
    raise error
