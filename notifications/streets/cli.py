"""`fairheat streets import FILE.csv`: load the street-name alias table."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from notifications.streets.services import StreetImportRefused, import_streets


@click.group("streets")
def streets_group() -> None:
    """Street names per postcode area: Finnish and Swedish names, Polish spellings."""


@streets_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(file: Path) -> None:
    """Import FILE (CSV: postcode,name_fi,name_sv or postcode,name,alias); it replaces the
    names of every postcode area it lists."""
    try:
        done = import_streets(file.read_bytes())
    except StreetImportRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo(
        _(
            "Imported: postcode areas %(postcodes)d, streets %(streets)d, names %(names)d.",
            postcodes=done.postcodes,
            streets=done.streets,
            names=done.names,
        )
    )
