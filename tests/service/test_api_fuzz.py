"""schemathesis over the app's own OpenAPI document, through WSGI (no server): never a 500,
and every answer as the document says (status code and body schema). Review D1, D4, D5, D13,
D19; issue 16 "Never a 500 from input".

The operations are read from /api/openapi.json when the test runs, so every API a domain adds
(emergency calls, connection requests, customers, the compliance export, …) is fuzzed the day it
lands; test_every_api_route_is_documented makes sure no /api/ route escapes the document.

For each operation, with an admin token and with a viewer token: schemathesis' coverage phase
(boundary values, blanks, missing and wrong-typed fields, unknown properties, other methods),
then FAIRHEAT_TEST_FUZZ_EXAMPLES (default 20) random valid and invalid requests; checks
not_a_server_error, status_code_conformance and response_schema_conformance. Derandomized (the
same cases every run, so a failure reproduces), no example database, no deadline.

Bounded in time: the schemathesis run is on SQLite only (measured with the 32 operations of
2026-12-03 on two cores at a load average of 19: 90 s as admin, 67 s as viewer; linear in the
number of operations); PostgreSQL, where the review's NUL and
int4 500s were, gets test_every_operation_survives_huge_ids_and_control_characters, which sends
those exact values to every operation on both databases in a few seconds.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, Phase, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.generation.hypothesis.builder import (
    HypothesisTestConfig,
    HypothesisTestMode,
    create_test,
)
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("FAIRHEAT_TEST_FUZZ_EXAMPLES", "20"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
NOT_IN_THE_DOCUMENT = {"/api/openapi.json", "/api/docs"}
ROLES = ("admin", "viewer")
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def _hypothesis_test(api: Any, operation: Any, headers: dict[str, str]) -> Any:
    """The test schemathesis' own pytest plugin builds for one operation: the coverage phase
    (boundary values: empty strings, huge and negative numbers, missing and wrong-typed fields,
    each parameter in turn), then random valid and invalid requests."""

    def call(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    config = HypothesisTestConfig(
        project=api.config,
        modes=[HypothesisTestMode.COVERAGE, HypothesisTestMode.FUZZING],
        settings=FUZZ_SETTINGS,
        explicit_settings=FUZZ_SETTINGS,
    )
    return create_test(operation=operation, test_func=call, config=config)


@pytest.mark.parametrize("role", ROLES)
def test_the_api_never_answers_500_and_keeps_to_its_document(
    app: Flask, token_for: Any, role: str
) -> None:
    """Every operation of /api/openapi.json, as it is when the test runs, with `role`'s token
    (the public operations ignore it). Failures are collected per operation and reported
    together, each with the request that caused it."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("fuzzed on SQLite only, to bound the time; PostgreSQL gets the probe below")
    api = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    api.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    headers = token_for(role)
    failures: list[str] = []
    operations = 0
    for result in api.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            _hypothesis_test(api, operation, headers)()
        except Exception as failure:  # noqa: BLE001 - collected, reported below
            failures.append(f"{operation.label}: {failure}")
    assert operations, "the OpenAPI document lists no operation"
    assert not failures, "\n\n".join(failures)


HOSTILE_IDS = ("0", "-1", "2147483648", "9223372036854775808", "9" * 20, "9" * 5000)
HOSTILE_TEXT = ("", " ", "\x00", "a\x00b", "\u202e00100", "\x1b[31m", "9" * 5000)


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) with the path item's parameters (where flask-smorest puts the
    path parameters) merged into each operation's."""
    found = []
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                merged = {**operation, "parameters": [*shared, *operation.get("parameters", [])]}
                found.append((path, method, merged))
    return found


def _parameters(operation: dict[str, Any], where: str, kind: str) -> list[str]:
    return [
        p["name"]
        for p in operation.get("parameters", [])
        if p.get("in") == where and p.get("schema", {}).get("type") == kind
    ]


def test_every_operation_survives_huge_ids_and_control_characters(
    app: Flask, client: Any, token_for: Any
) -> None:
    """The values the review's 500s came from, sent to every operation of the document: ids
    past 2**31 and 2**63 in each integer path parameter (D4), and NUL, a direction override,
    an escape sequence, blanks and 5,000 digits in each string query parameter (D1, D4, D18).
    schemathesis' generation seldom draws them; here each is sent once."""
    headers = token_for("admin")
    spec = client.get("/api/openapi.json").get_json()
    answers: list[tuple[str, int]] = []
    for path, method, operation in _operations(spec):
        numbers = _parameters(operation, "path", "integer")
        others = {p["name"]: "1" for p in operation.get("parameters", []) if p.get("in") == "path"}
        body = {} if method in {"post", "put", "patch"} else None
        for name in numbers:
            for value in HOSTILE_IDS:
                url = path
                for key, filler in {**others, name: value}.items():
                    url = url.replace("{" + key + "}", filler)
                response = client.open(url, method=method.upper(), json=body, headers=headers)
                answers.append((f"{method.upper()} {url[:80]}", response.status_code))
        url = path
        for key in others:
            url = url.replace("{" + key + "}", "1")
        for name in _parameters(operation, "query", "string"):
            for value in HOSTILE_TEXT:
                response = client.open(
                    url, method=method.upper(), query_string={name: value}, headers=headers
                )
                answers.append(
                    (f"{method.upper()} {url}?{name}={value[:12]!r}", response.status_code)
                )
    assert answers, "no operation with an integer path parameter or a string query parameter"
    server_errors = [(request, status) for request, status in answers if status >= 500]
    assert not server_errors, server_errors


def _documented(path: str) -> str:
    """/api/v1/outages/<int:outage_id> as the document writes it: /api/v1/outages/{outage_id}."""
    return re.sub(r"<(?:[a-z_]+(?:\([^)]*\))?:)?([a-z_]+)>", r"{\1}", path)


def test_every_api_route_is_documented(app: Flask, client: Any) -> None:
    """A route under /api/ missing from the document would never be fuzzed."""
    paths = set(client.get("/api/openapi.json").get_json()["paths"])
    routes = {
        _documented(rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/") and rule.rule not in NOT_IN_THE_DOCUMENT
    }
    undocumented = sorted(r for r in routes if r not in paths and not r.startswith("/api/docs"))
    assert not undocumented, f"API routes missing from /api/openapi.json: {undocumented}"


def test_d19_each_operation_documents_the_errors_it_can_answer(client: Any) -> None:
    """D19: 401, 403 and 404 were documented only as `default`."""
    spec = client.get("/api/openapi.json").get_json()
    for path, method, operation in _operations(spec):
        responses = set(operation["responses"])
        if operation.get("security"):
            assert {"401", "403"} <= responses, (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if "requestBody" in operation:
            assert {"400", "413"} <= responses, (method, path)
