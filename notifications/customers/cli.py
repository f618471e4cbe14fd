"""`fairheat customers …`: the register from the customer system's CSV export."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from notifications.customers.importer import ImportRefused, import_customers


@click.group("customers")
def customers_group() -> None:
    """Contract customers: delivery points and their contacts."""


@customers_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--prune", is_flag=True, help="Remove delivery points (and contacts) not in the file."
)
@with_appcontext
def import_command(file: Path, prune: bool) -> None:
    """Import FILE (CSV, UTF-8, comma or semicolon): add, update, and with --prune remove."""
    data = file.read_bytes()
    lines = max(data.count(b"\n"), 1)
    try:
        with click.progressbar(length=lines, label=_("Importing"), file=sys.stderr) as bar:
            summary = import_customers(data, prune=prune, progress=bar.update)
    except ImportRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    counts = summary.counts
    click.echo(
        _(
            "added %(added)d, updated %(updated)d, unchanged %(unchanged)d, removed "
            "%(removed)d, rejected %(rejected)d",
            added=counts.added,
            updated=counts.updated,
            unchanged=counts.unchanged,
            removed=counts.removed,
            rejected=len(summary.rejected),
        )
    )
    for line, reason in summary.rejected:
        click.echo(_("line %(line)d: %(reason)s", line=line, reason=reason))
