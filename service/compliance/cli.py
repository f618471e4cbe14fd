"""`fairheat compliance keys create | export | verify`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from service.compliance.marks import MARK_CHOICES


@click.group("compliance")
def compliance_group() -> None:
    """The compliance evidence bundle: signing key, export, verification."""


@compliance_group.group("keys")
def keys_group() -> None:
    """The utility's Ed25519 signing key."""


@keys_group.command("create")
@with_appcontext
def keys_create() -> None:
    """Write a new key to FAIRHEAT_SIGNING_KEY_FILE (never over one) and print its public key."""
    from service.compliance.keys import SigningKeyError, create_key, key_path

    try:
        public = create_key()
    except SigningKeyError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    click.echo(f"signing key written to {key_path()} (mode 0600)", err=True)
    click.echo(public)


class _Progress:
    """A bar on a terminal, one plain line per step in a log."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.bar: Any = None
        self.done = 0

    def __call__(self, step: str, percent: int) -> None:
        if not self.tty:
            click.echo(f"{percent:3d}% {step}", err=True)
            return
        if self.bar is None:
            self.bar = click.progressbar(length=100, label="export", file=sys.stderr)
            self.bar.__enter__()
        self.bar.label = step
        self.bar.update(max(percent - self.done, 0))
        self.done = max(self.done, percent)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@compliance_group.command("export")
@click.option("--mark", required=True, help=f"One of {', '.join(MARK_CHOICES)}.")
@click.option("--period", required=True, help="2026, 2026-Q3, 2026-10 or 2026-01-01..2026-06-30.")
@click.option("--lang", "language", required=True, help="The report's language (fi, sv, en, pl).")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), help="Folder.")
@click.option(
    "--with-personal-data",
    is_flag=True,
    help="Keep names, phone numbers, e-mail addresses and free text (recorded in the audit log).",
)
@with_appcontext
def export(mark: str, period: str, language: str, out_dir: Path, with_personal_data: bool) -> None:
    """Write one signed evidence bundle (a ZIP) into --out and print its path."""
    from dataclasses import replace

    from service.compliance.bundle import ExportRefused, check_request, write_bundle

    progress = _Progress()
    try:
        request = check_request(mark, period, language)
        request = replace(request, with_personal_data=with_personal_data)
        path = write_bundle(request, out_dir, progress)
    except ExportRefused as error:
        progress.close()
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    progress.close()
    click.echo(str(path))


@compliance_group.command("verify")
@click.argument("bundle", type=click.Path(path_type=Path))
@with_appcontext
def verify(bundle: Path) -> None:
    """Check a bundle's signature, its files and its audit head; exit 1 at the first failure."""
    from service.compliance.verify import verify_bundle

    result = verify_bundle(bundle)
    if not result.ok:
        click.echo(f"bundle NOT valid: {result.failure}", err=True)
        sys.exit(1)
    click.echo(f"bundle valid: {', '.join(result.checked)} checked")
