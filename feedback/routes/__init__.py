"""Feedback routes: public form and tracking pages, the staff back office, and Open311."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from feedback import escalation_rights, open311
    from feedback.labels import case_label, rule_source
    from feedback.routes import public, staff

    app.jinja_env.globals.update(
        case_label=case_label,
        rule_source=rule_source,
        rights_heading=escalation_rights.heading,
        rights_paragraphs=escalation_rights.rights_paragraphs,
    )
    app.register_blueprint(public.bp)
    app.register_blueprint(staff.bp)
    open311.register(app)
