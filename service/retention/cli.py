"""`fairheat retention …` and `fairheat subject …`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from service.cli import _fail_on_domain_error as fail_on_domain_error


@click.group("retention")
def retention_group() -> None:
    """Retention periods and legal holds."""


@retention_group.command("run")
@with_appcontext
@fail_on_domain_error
def retention_run() -> None:
    """Delete or anonymise what is past its retention period now (the nightly job does this)."""
    from service.retention.job import run_retention

    for record_type, count in run_retention().items():
        click.echo(f"{record_type}\t{count}")


@retention_group.command("hold")
@click.argument("record_type")
@click.argument("record_id", type=int)
@click.option("--reason", required=True, help="Why it must be kept (a claim, a court case …).")
@with_appcontext
@fail_on_domain_error
def retention_hold(record_type: str, record_id: int, reason: str) -> None:
    """Keep one record (e.g. feedback_case 12) past its period and through erasure requests."""
    from service.retention.holds import place_hold

    hold = place_hold(record_type, record_id, reason)
    click.echo(f"hold {hold.id} on {record_type} {record_id}")


@retention_group.command("release")
@click.argument("hold_id", type=int)
@with_appcontext
@fail_on_domain_error
def retention_release(hold_id: int) -> None:
    from service.retention.holds import release_hold

    hold = release_hold(hold_id)
    click.echo(f"released hold {hold.id} on {hold.record_type} {hold.record_id}")


@retention_group.command("holds")
@with_appcontext
def retention_holds() -> None:
    """The holds in force."""
    from service.retention.holds import holds_in_force

    for hold in holds_in_force():
        placed = hold.placed_at.isoformat(timespec="minutes")
        click.echo(
            f"{hold.id}\t{hold.record_type} {hold.record_id}\t{placed}\t{hold.placed_by}\t"
            f"{hold.reason}"
        )


@click.group("subject")
def subject_group() -> None:
    """Data-subject requests (GDPR art. 15 export, art. 17 erasure)."""


_phone = click.option("--phone", default=None, help="The person's phone number.")
_email = click.option("--email", default=None, help="The person's e-mail address.")


@subject_group.command("export")
@_phone
@_email
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
@with_appcontext
@fail_on_domain_error
def subject_export(phone: str | None, email: str | None, out: Path | None) -> None:
    """Everything held about the person, as JSON (to --out, else standard output)."""
    from service.retention.subjects import export_subject, subject_for

    document = json.dumps(
        export_subject(subject_for(phone, email)), ensure_ascii=False, indent=2, default=str
    )
    if out is None:
        click.echo(document)
    else:
        out.write_text(document + "\n", encoding="utf-8")
        out.chmod(0o600)
        click.echo(str(out))


@subject_group.command("erase")
@_phone
@_email
@click.option("--yes", is_flag=True, help="Do it (without: say what would be asked).")
@with_appcontext
@fail_on_domain_error
def subject_erase(phone: str | None, email: str | None, yes: bool) -> None:
    """Erase or anonymise what is held about the person; print what the law makes us keep."""
    from service.retention.subjects import erase_subject, subject_for

    subject = subject_for(phone, email)
    if not yes:
        click.echo("add --yes to erase; run `fairheat subject export` first for the record")
        sys.exit(1)
    click.echo(json.dumps(erase_subject(subject), ensure_ascii=False, indent=2))
