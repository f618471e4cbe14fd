"""What the e-mail channel brings to the app: its dispatcher job and the development outbox page."""

from __future__ import annotations

from flask import Flask

from service.domains import Domain


def _register_routes(app: Flask) -> None:
    from service.mail.routes import bp

    app.register_blueprint(bp)


def include(domain: Domain) -> None:
    from service.mail.cli import mail_group
    from service.mail.dispatcher import send_due_emails_for

    domain.templates = "mail"
    domain.add_routes(_register_routes)
    domain.add_job(send_due_emails_for, trigger="interval", seconds=10)
    domain.add_command(mail_group)
