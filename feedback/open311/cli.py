"""`fairheat open311 keys create|list|revoke`: the api_keys of Open311 clients."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from feedback.open311.keys import create_key, list_keys, revoke_key
from service.cli import _fail_on_domain_error
from service.i18n import format_iso_local


@click.group("open311")
def open311_group() -> None:
    """Open311 GeoReport v2 clients."""


@open311_group.group("keys")
def keys_group() -> None:
    """api_keys of Open311 clients (city apps, partners)."""


@keys_group.command("create")
@click.option("--name", required=True, help='Who the key is for, e.g. "City app".')
@with_appcontext
@_fail_on_domain_error
def keys_create(name: str) -> None:
    """Print a new key once; only its hash is kept."""
    row, key = create_key(name)
    click.echo(f"created Open311 key {row.id} for {row.name}; give the client this key:")
    click.echo(key)


@keys_group.command("list")
@with_appcontext
def keys_list() -> None:
    """Every key: number, client, created, and whether it is revoked."""
    for row in list_keys():
        state = f"revoked {format_iso_local(row.revoked_at)}" if row.revoked_at else "active"
        click.echo(f"{row.id}\t{row.name}\tcreated {format_iso_local(row.created_at)}\t{state}")


@keys_group.command("revoke")
@click.argument("key_id", type=int)
@with_appcontext
@_fail_on_domain_error
def keys_revoke(key_id: int) -> None:
    """Stop accepting a key at once; cases it sent keep naming it."""
    row = revoke_key(key_id)
    click.echo(f"revoked Open311 key {row.id} ({row.name})")
