"""`fairheat users …` and `fairheat tokens …`: staff accounts and API tokens (all audited)."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from service.auth.permissions import Role
from service.cli import _fail_on_domain_error as fail_on_domain_error


@click.group("users")
def users_group() -> None:
    """Staff accounts."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--name", default="")
@click.password_option(help="At least 12 characters; asked for when not given.")
@with_appcontext
@fail_on_domain_error
def users_create(email: str, role: str, name: str, password: str) -> None:
    from service.auth import create_user

    user = create_user(email, role, password, name)
    click.echo(f"created {user.role.value} {user.email}")


@users_group.command("list")
@with_appcontext
def users_list() -> None:
    """One line per user: e-mail, role, active or not, last sign-in."""
    from service.auth.accounts import list_users

    for user in list_users():
        state = "active" if user.active else "DEACTIVATED"
        last = user.last_login_at.isoformat(timespec="minutes") if user.last_login_at else "never"
        click.echo(f"{user.email}\t{user.role.value}\t{state}\tlast sign-in {last}")


@users_group.command("deactivate")
@click.argument("email")
@with_appcontext
@fail_on_domain_error
def users_deactivate(email: str) -> None:
    """Sessions and API tokens of the user stop working at once."""
    from service.auth.accounts import set_active

    click.echo(f"deactivated {set_active(email, False).email}")


@users_group.command("activate")
@click.argument("email")
@with_appcontext
@fail_on_domain_error
def users_activate(email: str) -> None:
    from service.auth.accounts import set_active

    click.echo(f"activated {set_active(email, True).email}")


@users_group.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([role.value for role in Role]))
@with_appcontext
@fail_on_domain_error
def users_set_role(email: str, role: str) -> None:
    from service.auth.accounts import set_role

    user = set_role(email, role)
    click.echo(f"{user.email} is now {user.role.value}")


@users_group.command("set-password")
@click.argument("email")
@click.password_option(help="At least 12 characters; asked for when not given.")
@with_appcontext
@fail_on_domain_error
def users_set_password(email: str, password: str) -> None:
    """Every session of the user ends."""
    from service.auth.accounts import set_password

    click.echo(f"password changed for {set_password(email, password).email}")


@click.group("tokens")
def tokens_group() -> None:
    """API tokens."""


@tokens_group.command("create")
@click.option("--user", "email", required=True, help="E-mail of the staff user.")
@click.option("--name", default="", help="What the token is for.")
@click.option("--expires-in-days", type=click.IntRange(min=1), default=None, help="Default: never.")
@with_appcontext
@fail_on_domain_error
def tokens_create(email: str, name: str, expires_in_days: int | None) -> None:
    """Print a new token once; only its hash is kept."""
    from service.auth import create_api_token
    from service.db import utcnow

    expires = utcnow() + dt.timedelta(days=expires_in_days) if expires_in_days else None
    click.echo(create_api_token(email, name, expires))


@tokens_group.command("list")
@click.option("--user", "email", default=None, help="Only this user's tokens.")
@with_appcontext
def tokens_list(email: str | None) -> None:
    """id, owner, name, prefix, created, expires, last used, revoked."""
    from service.auth.accounts import list_tokens

    def when(value: dt.datetime | None, empty: str) -> str:
        return value.isoformat(timespec="minutes") if value else empty

    for token in list_tokens(email):
        click.echo(
            "\t".join(
                [
                    str(token.id),
                    token.user.email,
                    token.name or "-",
                    token.prefix + "…",
                    f"created {when(token.created_at, '-')}",
                    f"expires {when(token.expires_at, 'never')}",
                    f"last used {when(token.last_used_at, 'never')}",
                    f"revoked {when(token.revoked_at, 'no')}",
                ]
            )
        )


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
@fail_on_domain_error
def tokens_revoke(token_id: int) -> None:
    from service.auth.accounts import revoke_token

    token = revoke_token(token_id)
    click.echo(f"revoked token {token.id} of {token.user.email}")
