"""`fairheat compliance verify`: a good bundle passes; one byte changed, a missing file, a
foreign signature, a manifest from another database, and an audit log rewritten after the
bundle was made each fail, naming the problem."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import sqlalchemy as sa

from notifications.schemas import OutageInputSchema
from notifications.services import create_outage
from service.audit import AuditCheckpoint, AuditEntry, chain_pending, entry_digest, verify_chain
from service.compliance.canonical import canonical_json, pretty_json
from service.compliance.models import DatabaseIdentity
from service.extensions import db
from tests.support.factories import outage_payload


def _history() -> None:
    create_outage(OutageInputSchema().load(outage_payload(publish=True)))
    create_outage(OutageInputSchema().load(outage_payload(publish=True)))
    chain_pending()


def _made(export) -> Path:
    result, _ = export(period="2025")
    assert result.exit_code == 0, result.output
    return Path(result.stdout.strip().splitlines()[-1])


def _verify(runner, bundle: Path):
    return runner.invoke(args=["compliance", "verify", str(bundle)])


def _rewrite(bundle: Path, change) -> Path:
    """A copy of the bundle with `change(members)` applied."""
    with zipfile.ZipFile(bundle) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    change(members)
    copy = bundle.with_name("tampered.zip")
    with zipfile.ZipFile(copy, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return copy


def test_a_good_bundle_verifies(app, runner, signing_key, export):
    _history()
    result = _verify(runner, _made(export))
    assert result.exit_code == 0, result.output
    assert "bundle valid" in result.output


def test_one_byte_changed_is_named(app, runner, signing_key, export):
    _history()

    def flip(members):
        data = bytearray(members["registers/interruptions.csv"])
        data[0] ^= 1
        members["registers/interruptions.csv"] = bytes(data)

    result = _verify(runner, _rewrite(_made(export), flip))
    assert result.exit_code == 1
    assert "registers/interruptions.csv does not match its SHA-256" in result.output


def test_a_missing_file_is_named(app, runner, signing_key, export):
    _history()
    result = _verify(runner, _rewrite(_made(export), lambda m: m.pop("report.pdf")))
    assert result.exit_code == 1 and "report.pdf is missing" in result.output


def test_a_changed_manifest_breaks_the_signature(app, runner, signing_key, export):
    _history()

    def edit(members):
        manifest = json.loads(members["manifest.json"])
        manifest["period"]["last"] = "2025-06-30"
        members["manifest.json"] = pretty_json(manifest)

    result = _verify(runner, _rewrite(_made(export), edit))
    assert result.exit_code == 1 and "signature does not verify" in result.output


def test_a_foreign_signature_is_refused(app, runner, signing_key, export):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from service.compliance.keys import sign

    _history()
    stranger = Ed25519PrivateKey.generate()

    def resign(members):
        manifest = json.loads(members["manifest.json"])
        manifest.pop("signature")
        value, public = sign(canonical_json(manifest), stranger)
        manifest["signature"] = {"algorithm": "Ed25519", "public_key": public, "value": value}
        members["manifest.json"] = pretty_json(manifest)

    result = _verify(runner, _rewrite(_made(export), resign))
    assert result.exit_code == 1 and "foreign key" in result.output


def test_a_manifest_from_another_database_is_refused(app, runner, signing_key, export):
    _history()
    bundle = _made(export)
    db.session.execute(sa.update(DatabaseIdentity).values(database_id="another-database"))
    db.session.commit()
    result = _verify(runner, bundle)
    assert result.exit_code == 1 and "from another database" in result.output


def test_a_rewritten_audit_row_is_caught_against_an_older_bundle(app, runner, signing_key, export):
    _history()
    bundle = _made(export)
    assert _verify(runner, bundle).exit_code == 0
    # Later, someone rewrites entry 1, recomputes every hash after it and removes the
    # checkpoints kept in the database: the chain itself verifies again, but not against
    # what the bundle recorded.
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.seq)).all()
    entries[0].actor = "someone else"
    previous = "0" * 64
    for entry in entries:
        entry.prev_hash = previous
        entry.hash = previous = entry_digest(entry)
        db.session.flush()
    db.session.execute(sa.delete(AuditCheckpoint))
    db.session.commit()
    assert verify_chain().broken_at is None
    result = _verify(runner, bundle)
    assert result.exit_code == 1
    assert "no longer has the hash the bundle recorded" in result.output


def test_deleted_newest_entries_are_caught_against_an_older_bundle(
    app, runner, signing_key, export
):
    _history()
    bundle = _made(export)
    newest = db.session.scalar(sa.select(sa.func.max(AuditEntry.seq)))
    db.session.execute(sa.delete(AuditEntry).where(AuditEntry.seq == newest))
    db.session.commit()
    result = _verify(runner, bundle)
    assert result.exit_code == 1 and "audit" in result.output


def test_not_a_bundle_is_named(app, runner, signing_key, tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    result = _verify(runner, junk)
    assert result.exit_code == 1 and "not a ZIP" in result.output
    assert "no such file" in _verify(runner, tmp_path / "nothing.zip").output
