"""`fairheat mail …`: the e-mail channel's operator commands."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from service.mail.bounces import record_bounce


@click.group("mail")
def mail_group() -> None:
    """The e-mail outbox."""


@mail_group.command("bounce")
@click.argument("message_id")
@click.option("--reason", default="", help="The bounce's diagnostic, e.g. '5.1.1 user unknown'.")
@with_appcontext
def bounce_command(message_id: str, reason: str) -> None:
    """Record that the message MESSAGE_ID (from the bounce report) did not reach its recipient."""
    if not record_bounce(message_id, reason):
        raise click.ClickException(f"{message_id} is not a message this service sent")
    click.echo(f"recorded bounce of {message_id}")
