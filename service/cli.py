"""The `fairheat` command: a Flask CLI group.

run, db upgrade, users create, tokens create, audit verify, open311 keys, demo, worker.
"""

from __future__ import annotations

import sys

import click
from flask import Flask, g
from flask.cli import FlaskGroup, with_appcontext

from config import SettingsError


def _create_app() -> Flask:
    from service.app import create_app

    try:
        return create_app()
    except SettingsError as error:
        click.echo(f"fairheat: configuration error: {error}", err=True)
        sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def cli() -> None:
    """fairheat: outage notices and customer feedback for a district heating utility."""


def _fail_on_domain_error(func):  # type: ignore[no-untyped-def]
    """Turn a domain error into one readable line and exit status 1."""
    import functools

    from service.errors import DomainError, ValidationFailed, flatten_errors

    @functools.wraps(func)
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        g.actor = "cli"
        try:
            return func(*args, **kwargs)
        except DomainError as error:
            if isinstance(error, ValidationFailed):
                for field, messages in flatten_errors(error.errors).items():
                    click.echo(f"{field}: {' '.join(messages)}", err=True)
            else:
                click.echo(str(error.message), err=True)
            sys.exit(1)

    return wrapper


@click.group("audit")
def audit_group() -> None:
    """The hash-chained audit log."""


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Check every link of the chain and its end against the latest signed checkpoint; exit 1
    at the first broken one."""
    from service.audit import verify_chain

    report = verify_chain()
    if report.broken_at is not None:
        click.echo(f"audit log BROKEN at entry {report.broken_at}: {report.reason}", err=True)
        sys.exit(1)
    waiting = f" ({report.pending} written, not yet chained)" if report.pending else ""
    click.echo(f"audit log intact: {report.entries} entries{waiting}")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when outages already exist.")
@with_appcontext
@_fail_on_domain_error
def demo(if_empty: bool) -> None:
    """Load a believable utility's outages and staff accounts."""
    from service.demo import load_demo

    click.echo(load_demo(only_if_empty=if_empty))


@click.command("worker")
@with_appcontext
def worker() -> None:
    """Run the scheduler (and later the SMS dispatcher) in the foreground."""
    from flask import current_app

    from service.scheduler import run_forever

    run_forever(current_app._get_current_object())  # type: ignore[attr-defined]


def register(app: Flask) -> None:
    """The shell's commands; each domain adds its own (service/domains.py)."""
    from service.auth.cli import tokens_group, users_group
    from service.backup import backup

    for command in (users_group, tokens_group, audit_group, demo, worker, backup):
        app.cli.add_command(command)
