"""`fairheat demo`: a believable utility, so that a newcomer's first `make run` shows a living site.

Loads the staff accounts the README documents (existing ones are kept), then each domain's own
demo data (its `demo.py`, listed in service/domains.py): notices in every state, feedback cases.
"""

from __future__ import annotations

from flask import current_app, g

from service.auth import create_user
from service.domains import domains_of
from service.errors import Conflict

USERS = [  # (e-mail, role, password, name): documented in README.md
    ("admin@demo.fairheat.example", "admin", "demo-admin-password", "Admin"),
    ("dispatcher@demo.fairheat.example", "dispatcher", "demo-dispatcher-password", "Dispatcher"),
    ("service@demo.fairheat.example", "customer_service", "demo-service-password", "Service"),
    ("lead@demo.fairheat.example", "customer_service_lead", "demo-lead-password", "Lead"),
]


def load_demo(only_if_empty: bool = False) -> str:
    """Load the demo staff and every domain's demo data; one-line summary for the CLI."""
    g.actor = "demo"  # created_by and the audit log say where these rows came from
    users = []
    for email, role, password, name in USERS:
        try:
            create_user(email, role, password, name)
            users.append(f"{email} (created)")
        except Conflict:
            users.append(f"{email} (exists)")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    loaded = [d.demo(only_if_empty) for d in domains_of(app) if d.demo is not None]
    return f"demo: {'; '.join(loaded)}; staff: {', '.join(users)}"
