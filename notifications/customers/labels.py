"""Words for the register's choices, in the reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from notifications.customers.models import Priority, Role

_PRIORITIES = {
    Priority.NONE: _l("normal"),
    Priority.CARE_HOME: _l("care home"),
    Priority.HOSPITAL: _l("hospital"),
    Priority.SCHOOL: _l("school"),
    Priority.CRITICAL_INDUSTRY: _l("critical industry"),
}
_ROLES = {
    Role.OWNER: _l("owner"),
    Role.MANAGER: _l("building manager"),
    Role.CARETAKER: _l("caretaker"),
}


def priority_label(priority: Priority) -> str:
    return str(_PRIORITIES[Priority(priority)])


def role_label(role: Role) -> str:
    return str(_ROLES[Role(role)])
