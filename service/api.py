"""The JSON API's plumbing: flask-smorest for OpenAPI, our errors for everything else.

flask-smorest would install its own handler for every HTTP error (making HTML pages answer in
JSON); FairheatApi keeps ours. The argument parser raises ValidationFailed, so an API 422 looks
the same wherever it comes from, in the caller's language.
"""

from __future__ import annotations

from typing import Any, NoReturn

import flask_smorest
import marshmallow as ma
from apispec import BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask, url_for
from flask_babel import gettext as _
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import BadRequest

from service.errors import ValidationFailed


class FairheatParser(FlaskParser):
    def handle_error(self, error: ma.ValidationError, *args: Any, **kwargs: Any) -> NoReturn:
        messages = error.normalized_messages()
        # webargs nests by location ({"json": {...}}); callers want the field names themselves.
        if isinstance(messages, dict) and len(messages) == 1:
            ((location, inner),) = messages.items()
            if location in {"json", "query", "querystring", "form"} and isinstance(inner, dict):
                messages = inner
        raise ValidationFailed(messages)

    def _handle_invalid_json_error(self, error: Exception, *args: Any, **kwargs: Any) -> NoReturn:
        exc = BadRequest()
        exc.data = {"messages": {"json": [_("The request body is not valid JSON.")]}}  # type: ignore[attr-defined]
        raise exc


class ApiBlueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = FairheatParser()


class FairheatApi(flask_smorest.Api):
    def _register_error_handlers(self) -> None:
        """Errors are mapped once, in service/errors.py."""


class StaticFolderUrl:
    """The URL of a folder under static/, built when a page is rendered.

    flask-smorest reads OPENAPI_SWAGGER_UI_URL once, at start-up, and its template writes
    `{{ swagger_ui_url }}swagger-ui-bundle.js`; built by url_for, the URL follows the app's
    static_url_path and the prefix it is mounted under (SCRIPT_NAME).
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __str__(self) -> str:
        return url_for("static", filename=f"{self.folder}/")


def _schema_name(schema: Any) -> str:
    """OpenAPI component names; a partial (PATCH) or trimmed (list) variant gets its own."""
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__.removesuffix("Schema")
    if not isinstance(schema, type):
        if schema.partial:
            name += "Patch"
        if schema.exclude:
            name += "Summary"
    return name


def _error(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Error"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


class ErrorResponsesPlugin(BasePlugin):
    """Each operation lists the errors it can answer, not only `default` (review D19): 401 and
    403 where it takes a token, 404 where its path names an item, 400 and 413 where it takes a
    body (the edge refuses unreadable and oversized ones: service/edge/)."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        for method, operation in (operations or {}).items():
            if method == "parameters" or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            wanted = {}
            if operation.get("security"):
                wanted["401"] = _error("No valid API token")
                wanted["403"] = _error("The token's role may not do this")
            if path and "{" in path:
                wanted["404"] = _error("No such item")
            if "requestBody" in operation:
                wanted["400"] = _error("The body is not readable JSON, or nests too deeply")
                wanted["413"] = _error("The body is larger than the request limit")
            for status, response in wanted.items():
                responses.setdefault(status, response)


def init_api(app: Flask) -> FairheatApi:
    """One Api per app (each with its own OpenAPI document); domains add their blueprints."""
    app.config.setdefault("API_TITLE", "fairheat")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("OPENAPI_SWAGGER_UI_PATH", "docs")
    # Swagger UI comes from our own static folder (service/static/swagger-ui/, see its
    # README.vendored.md), so /api/docs needs no other host; no validator badge either.
    app.config.setdefault("OPENAPI_SWAGGER_UI_URL", StaticFolderUrl("swagger-ui"))
    app.config.setdefault("OPENAPI_SWAGGER_UI_CONFIG", {"validatorUrl": None})
    api = FairheatApi(
        app,
        spec_kwargs={
            "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=_schema_name),
            "extra_plugins": [ErrorResponsesPlugin()],
        },
    )
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "description": "Create one: fairheat tokens create"},
    )
    app.extensions["fairheat_api"] = api
    return api


def api_of(app: Flask) -> FairheatApi:
    return app.extensions["fairheat_api"]
