"""Feedback routes: public form and tracking pages, the staff back office, and Open311."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from feedback import escalation_rights, inbox_view, open311
    from feedback.labels import case_label, rule_source
    from feedback.outage_context import outages_around
    from feedback.routes import public, staff

    app.jinja_env.globals.update(
        case_label=case_label,
        rule_source=rule_source,
        rights_heading=escalation_rights.heading,
        rights_paragraphs=escalation_rights.rights_paragraphs,
        time_left=inbox_view.time_left,
        rule_legend=inbox_view.rule_legend,
        event_details=inbox_view.event_details,
        outages_around=outages_around,
    )
    app.register_blueprint(public.bp)
    app.register_blueprint(staff.bp)
    open311.register(app)
