"""HTTP entry points of the notifications domain: public pages and feeds, back office, JSON API."""

from __future__ import annotations

from flask import Flask

from notifications import history_labels, status_page, texts
from notifications.sms.codes import CODE_VALIDITY


def register(app: Flask) -> None:
    from notifications.routes import (
        api,
        dev,
        feeds,
        public,
        staff,
        staff_subscribers,
        subscribe,
        twilio_status,
    )
    from service.extensions import csrf

    app.register_blueprint(public.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(staff_subscribers.bp)
    app.register_blueprint(twilio_status.bp)
    app.register_blueprint(dev.bp)
    subscribe.register(app)  # the subscription pages and the inbound SMS webhook
    csrf.exempt(twilio_status.bp)
    api.register(app)
    csrf.exempt(api.bp)
    csrf.exempt(api.public_bp)
    app.jinja_env.globals.update(
        kind_label=texts.kind_label,
        impact_label=texts.impact_label,
        cause_label=texts.cause_label,
        status_label=texts.status_label,
        parity_label=texts.parity_label,
        compose_notice=texts.compose_notice,
        heat_advice=status_page.advice,
        streets_of=status_page.streets_of,
        change_label=history_labels.change_label,
        field_label=history_labels.field_label,
        value_label=history_labels.value_label,
        actor_names=history_labels.actor_names,
        lead_rule_source=history_labels.lead_rule_source,
        code_minutes=int(CODE_VALIDITY.total_seconds() // 60),
    )
