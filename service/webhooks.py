"""Twilio webhooks: the signature every request to /twilio/… must carry, for SMS and Voice alike.

A domain puts `@twilio_signed` on each of its /twilio/… views (after the route decorator). A
request without X-Twilio-Signature, or with one that is not Twilio's, gets 403 and the view never
runs, so nothing changes.

What is signed (https://www.twilio.com/docs/usage/security#validating-requests): HMAC-SHA1 with
the account's auth token (FAIRHEAT_TWILIO_AUTH_TOKEN) over the URL Twilio called followed by the
POST parameters sorted by name. The URL is the public one, FAIRHEAT_PUBLIC_BASE_URL + path
(+ query), not the one the app sees behind a proxy. The configured URL is tried first, one HMAC:
that is what every genuine request matches, and status callbacks come at up to three times the
SMS send rate (decision 0004). Only when it fails is the URL tried with and without its port (two
more), as Twilio's RequestValidator.validate does. A request whose URL carries `bodySHA256` (Twilio
signs the URL only and hashes a non-form body there) must also have a body with that SHA-256.

Replays. Twilio signs no time and no nonce, so a signed request that someone captured (from a
log, a debugging proxy, a TLS terminator) stays valid until the auth token is rotated, and can
be sent again, unchanged, at any time. What a replay can do: repeat exactly what Twilio once
asked — the same URL, parameters and sender. What it cannot do: change any parameter (a word of
the SMS, the number, a status), reach another endpoint, or be made up without the auth token.

A view that a repeat could harm uses `@twilio_signed(refuse_repeats=True)`: inbound SMS (an old
"STOP" replayed after "START" would silence a resident's notices, an old "TILAA 00100" after
"STOP" would subscribe them again, review D8) and the Voice webhooks. Each request it accepts is
recorded in the database (service/webhook_receipts.py, shared by every web process, kept
FAIRHEAT_WEBHOOK_REPEAT_DAYS) by a digest of what Twilio signed; a request with the same
digest (the same MessageSid and words, the same CallSid and status) is answered as Twilio
expects, 200 with an empty TwiML <Response/> (or the view's own `repeat_answer`), and the view
does not run: nothing changes and no audit entry is written. A request the view fails on (an
exception, a 5xx answer) is forgotten again, so Twilio's own retry of it is not refused.

SMS status callbacks (/twilio/sms/status) need no record: a status only moves forward and a
final status is counted once, when the row becomes final (notifications/sms/receipts.py); a
repeat matches no row, and the endpoint is the hot one (decision 0004).

What Twilio signed is checked as it came; then the form the view reads has the characters no
one types (NUL, other controls, direction overrides: service/edge/characters.py) removed, so a
NUL in an SMS body cannot reach PostgreSQL (review D4).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload
from urllib.parse import parse_qs

from flask import Response, abort, current_app, request
from werkzeug.datastructures import ImmutableMultiDict

from service import webhook_receipts
from service.edge import has_forbidden, strip_forbidden
from service.settings import current_settings

if TYPE_CHECKING:
    from twilio.request_validator import RequestValidator

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

SIGNATURE_HEADER = "X-Twilio-Signature"
_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


class _Parameters:
    """POST parameters as RequestValidator reads them. It asks for `getall(name)` first, and a
    plain dict costs it two exceptions per name; every value of a repeated name is signed."""

    __slots__ = ("_params",)

    def __init__(self, params: Mapping[str, Any]) -> None:
        self._params = params

    def __iter__(self) -> Iterator[str]:
        return iter(self._params)

    def getall(self, name: str) -> list[str]:
        getlist = getattr(self._params, "getlist", None)
        return list(getlist(name)) if getlist is not None else [self._params[name]]


@functools.lru_cache(maxsize=4)
def _validator(auth_token: str) -> RequestValidator:
    # Imported here: processes that never check a webhook (the worker) never load the SDK.
    from twilio.request_validator import RequestValidator

    return RequestValidator(auth_token)


def signature_is_valid(
    auth_token: str, url: str, params: Mapping[str, Any], signature: str
) -> bool:
    """Whether `signature` (X-Twilio-Signature) is Twilio's for the public `url` and POST `params`
    (a dict, or a MultiDict such as request.form).

    The URL exactly as configured is tried first, one HMAC; only when that fails does
    RequestValidator.validate try it with and without the port (two more).
    """
    if not signature:
        return False
    validator = _validator(auth_token)
    signed = _Parameters(params)
    expected = validator.compute_signature(url, signed)
    if hmac.compare_digest(expected.encode(), signature.encode()):
        return True
    return bool(validator.validate(url, signed, signature))


def public_url() -> str:
    """The URL Twilio called for this request: FAIRHEAT_PUBLIC_BASE_URL + path (+ query)."""
    base = current_settings().public_base_url
    query = request.query_string.decode()
    return f"{base}{request.path}" + (f"?{query}" if query else "")


def _body_hash_matches() -> bool:
    """Where Twilio signed a body hash into the URL, the body must have it (read before the form
    is parsed, so the raw bytes are hashed; a form-encoded webhook never carries one)."""
    if b"bodySHA256" not in request.query_string:
        return True
    claimed = parse_qs(request.query_string.decode()).get("bodySHA256", [""])[0]
    actual = hashlib.sha256(request.get_data(cache=True)).hexdigest()
    return hmac.compare_digest(actual.encode(), claimed.encode())


def _verify_signature() -> str:
    """Abort with 403 unless the request is signed by Twilio; the signature."""
    token = current_settings().sms.twilio_auth_token
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not token or not signature:
        abort(403)
    if not _body_hash_matches():
        abort(403)
    if not signature_is_valid(token, public_url(), request.form, signature):
        abort(403)
    return signature


def _clean_form() -> None:
    """The form the view reads, without the characters no one types (after the signature was
    checked on the form as it came)."""
    form = request.form
    if not any(has_forbidden(k) or has_forbidden(v) for k, v in form.items(multi=True)):
        return
    cleaned = [(strip_forbidden(k), strip_forbidden(v)) for k, v in form.items(multi=True)]
    request.__dict__["form"] = ImmutableMultiDict(cleaned)
    request.__dict__.pop("values", None)


def empty_twiml() -> Response:
    """What a repeat is answered with unless the view says otherwise: 200, nothing to do."""
    response = Response(_EMPTY_TWIML, mimetype="application/xml")
    response.headers["Cache-Control"] = "no-store"
    return response


@overload
def twilio_signed(view: F, /) -> F: ...


@overload
def twilio_signed(
    *, refuse_repeats: bool = False, repeat_answer: Callable[[], Any] = ...
) -> Callable[[F], F]: ...


def twilio_signed(
    view: F | None = None,
    /,
    *,
    refuse_repeats: bool = False,
    repeat_answer: Callable[[], Any] = empty_twiml,
) -> Any:
    """Guard a Twilio webhook view: 403 unless signed; with `refuse_repeats`, a request identical
    to one already accepted gets `repeat_answer()` (200, empty TwiML) and the view does not run
    (see the module's notes on replays).

    `@twilio_signed` or `@twilio_signed(refuse_repeats=True)`.
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def signed_only(*args: Any, **kwargs: Any) -> Any:
            _verify_signature()
            _clean_form()
            return view(*args, **kwargs)

        @functools.wraps(view)
        def signed_once(*args: Any, **kwargs: Any) -> Any:
            _verify_signature()
            digest = webhook_receipts.request_digest()
            if not webhook_receipts.remember(digest):
                log.info("repeated signed webhook answered, not run: %s", request.path)
                return repeat_answer()
            _clean_form()
            try:
                response = current_app.make_response(view(*args, **kwargs))
            except BaseException:
                webhook_receipts.forget(digest)
                raise
            if response.status_code >= 500:
                webhook_receipts.forget(digest)
            return response

        return signed_once if refuse_repeats else signed_only  # type: ignore[return-value]

    return decorate if view is None else decorate(view)
