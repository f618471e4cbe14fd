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
So each endpoint answers a repeat with what its own rules make of it:

- SMS status callbacks (/twilio/sms/status): harmless. A status only moves forward, and a final
  status is counted against the subscriber once, when the row becomes final
  (notifications/sms/receipts.py); a repeat matches no row.
- Inbound SMS (/twilio/sms/inbound): not harmless. Replaying an old "STOP" after the person
  sent "START" would silence their outage notices, an old "TILAA 00100" after "STOP" would
  subscribe them again. It uses `@twilio_signed(refuse_repeats=True)`: a request with the same
  URL and parameters as one already accepted (the same signature; Twilio gives every message
  its own MessageSid, and every status its own parameters) is answered 409 and the view does not
  run. Repeats are remembered for REPEAT_WINDOW in the rate-limit storage
  (FAIRHEAT_RATELIMIT_STORAGE_URL): with `memory://` per process, so with several web processes
  a replay reaching another process, or an older replay, is not caught; with `redis://…` across
  all of them. When that storage is down the request is let through (logged): refusing it would
  lose a real STOP, which matters more than a replay.
- Voice (/twilio/voice/…, next): the emergency-line log decides by the same test; a call log
  keyed by CallSid whose status only moves forward needs no more than the signature.

A request the view fails on (an exception, a 5xx answer) is forgotten again, so Twilio's own
retry of it is not refused.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, overload
from urllib.parse import parse_qs

from flask import abort, current_app, request
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string

from service.settings import current_settings

if TYPE_CHECKING:
    from twilio.request_validator import RequestValidator

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

SIGNATURE_HEADER = "X-Twilio-Signature"
# Longer than any retry of Twilio's by far; what is remembered is one short key per request.
REPEAT_WINDOW = dt.timedelta(days=30)
_REPEATS = "fairheat.webhook_repeats"
_repeats_lock = threading.Lock()


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


def _repeat_storage() -> Storage:
    store: Storage | None = current_app.extensions.get(_REPEATS)
    if store is None:
        with _repeats_lock:
            store = current_app.extensions.get(_REPEATS)
            if store is None:
                url = current_settings().ratelimit_storage_url
                made = storage_from_string(url, wrap_exceptions=True)
                if not isinstance(made, Storage):  # an async+… URL: the views are synchronous
                    raise RuntimeError("FAIRHEAT_RATELIMIT_STORAGE_URL must not be async+…")
                current_app.extensions[_REPEATS] = store = made
    return store


def _first_time(key: str) -> bool:
    """Remember `key`; False when it was remembered already (a repeat)."""
    try:
        return _repeat_storage().incr(key, int(REPEAT_WINDOW.total_seconds())) == 1
    except StorageError:
        log.warning("webhook repeat storage unavailable; %s accepted unchecked", request.path)
        return True


def _forget(key: str) -> None:
    try:
        _repeat_storage().clear(key)
    except StorageError:
        log.warning("webhook repeat storage unavailable; %s stays remembered", request.path)


@overload
def twilio_signed(view: F, /) -> F: ...


@overload
def twilio_signed(*, refuse_repeats: bool = False) -> Callable[[F], F]: ...


def twilio_signed(view: F | None = None, /, *, refuse_repeats: bool = False) -> Any:
    """Guard a Twilio webhook view: 403 unless signed; with `refuse_repeats`, 409 for a request
    identical to one already accepted (see the module's notes on replays).

    `@twilio_signed` or `@twilio_signed(refuse_repeats=True)`.
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def signed_only(*args: Any, **kwargs: Any) -> Any:
            _verify_signature()
            return view(*args, **kwargs)

        @functools.wraps(view)
        def signed_once(*args: Any, **kwargs: Any) -> Any:
            signature = _verify_signature()
            key = f"fairheat:twilio:{request.path}:{signature}"
            if not _first_time(key):
                log.warning("repeated signed webhook refused: %s", request.path)
                abort(409)
            try:
                response = current_app.make_response(view(*args, **kwargs))
            except BaseException:
                _forget(key)
                raise
            if response.status_code >= 500:
                _forget(key)
            return response

        return signed_once if refuse_repeats else signed_only  # type: ignore[return-value]

    return decorate if view is None else decorate(view)
