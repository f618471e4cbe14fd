"""Roles, what each may do, and the decorator that enforces it on every staff page and API call.

Staff pages authenticate with the session (Flask-Login); /api/ calls with a Bearer token only,
so the API needs no CSRF token and a stolen cookie cannot drive it.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, g, redirect, request, url_for
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])


class Role(enum.StrEnum):
    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    CUSTOMER_SERVICE = "customer_service"
    CUSTOMER_SERVICE_LEAD = "customer_service_lead"
    COMPLIANCE_OFFICER = "compliance_officer"  # exports the evidence, declares manual evidence
    VIEWER = "viewer"


class Permission(enum.StrEnum):
    VIEW_BACK_OFFICE = "view_back_office"
    EDIT_OUTAGES = "edit_outages"
    VIEW_AUDIT = "view_audit"
    MANAGE_USERS = "manage_users"
    MANAGE_SUBSCRIBERS = "manage_subscribers"
    VIEW_SUBSCRIBERS = "view_subscribers"  # SMS subscribers' numbers, addresses, messages (D3)
    VIEW_CASES = "view_cases"  # feedback and complaints hold personal data
    RECORD_CASES = "record_cases"  # a case received by phone, e-mail, letter or in person
    HANDLE_CASES = "handle_cases"  # notes, questions, answers, close, reopen, spam
    SUPERVISE_CASES = "supervise_cases"  # assign to others, reply templates, Open311 keys
    VIEW_EMERGENCY_CALLS = "view_emergency_calls"  # the emergency line log, personal data included
    RECORD_EMERGENCY_CALLS = "record_emergency_calls"  # log and handle calls, callbacks
    MANAGE_DUTY_ROSTER = "manage_duty_roster"  # who is on duty for the emergency line
    HANDLE_CONNECTIONS = "handle_connections"  # connection requests: applicants, documents, steps
    EXPORT_EVIDENCE = "export_evidence"  # compliance bundles and the utility's declarations


_CASE_WORK = {
    Permission.VIEW_BACK_OFFICE,
    Permission.VIEW_SUBSCRIBERS,
    Permission.MANAGE_SUBSCRIBERS,
    Permission.VIEW_CASES,
    Permission.RECORD_CASES,
    Permission.HANDLE_CASES,
    Permission.HANDLE_CONNECTIONS,  # customer service takes connection requests too
}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    # The dispatcher on the night shift takes complaints by phone and records them.
    Role.DISPATCHER: frozenset(
        {
            Permission.VIEW_BACK_OFFICE,
            Permission.EDIT_OUTAGES,
            Permission.VIEW_SUBSCRIBERS,
            Permission.MANAGE_SUBSCRIBERS,
            Permission.VIEW_CASES,
            Permission.RECORD_CASES,
            Permission.VIEW_EMERGENCY_CALLS,
            Permission.RECORD_EMERGENCY_CALLS,
        }
    ),
    # Customer service reads the emergency line log (a caller rings back in the morning).
    Role.CUSTOMER_SERVICE: frozenset({*_CASE_WORK, Permission.VIEW_EMERGENCY_CALLS}),
    Role.CUSTOMER_SERVICE_LEAD: frozenset(
        {*_CASE_WORK, Permission.SUPERVISE_CASES, Permission.VIEW_EMERGENCY_CALLS}
    ),
    # Reads what the bundle holds (figures, registers, the audit log), changes nothing else.
    Role.COMPLIANCE_OFFICER: frozenset(
        {Permission.VIEW_BACK_OFFICE, Permission.VIEW_AUDIT, Permission.EXPORT_EVIDENCE}
    ),
    Role.VIEWER: frozenset({Permission.VIEW_BACK_OFFICE}),
}


def role_allows(role: Role, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[role]


def current_user_can(permission: str) -> bool:
    """For templates: show a control only to staff whose role grants the permission."""
    return bool(current_user.is_authenticated) and role_allows(
        current_user.role, Permission(permission)
    )


def _api_user() -> Any:
    from service.auth.services import user_for_token

    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401)
    user = user_for_token(token.strip())
    if user is None:
        abort(401)
    return user


def requires(permission: Permission) -> Callable[[F], F]:
    """Let the view run only for staff whose role grants `permission`.

    The permission is kept on the view (`required_permission`) so the tests can check that
    every staff and API endpoint declares one, and walk the full role × endpoint matrix.
    """

    def decorator(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if request.path.startswith("/api/"):
                user = _api_user()
            else:
                if not current_user.is_authenticated:
                    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
                user = current_user._get_current_object()
            if not role_allows(user.role, permission):
                abort(403)
            g.staff_user = user
            return view(*args, **kwargs)

        wrapper.required_permission = permission  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator
