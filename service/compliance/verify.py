"""Checking a bundle: its signature, every file's hash, and that it belongs to this database's
audit log as it is now (the head it names is still there with the same hash, the chain up to
it still verifies, and the checkpoint it carries agrees)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service import audit
from service.compliance import keys
from service.compliance.canonical import canonical_json
from service.compliance.checkpoints import database_id


@dataclass
class Verification:
    failure: str | None = None
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failure is None


class _Failed(Exception):
    pass


def verify_bundle(path: Path) -> Verification:
    """The first failure found, in the order a verifier would want it named."""
    result = Verification()
    try:
        _verify(Path(path), result)
    except _Failed as failure:
        result.failure = str(failure)
    return result


def _verify(path: Path, result: Verification) -> None:
    if not path.is_file():
        raise _Failed(f"{path}: no such file")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise _Failed(f"{path}: not a ZIP archive (damaged or not a bundle)") from None
    with archive:
        names = set(archive.namelist())
        if "manifest.json" not in names:
            raise _Failed("manifest.json is missing")
        try:
            manifest = json.loads(archive.read("manifest.json"))
            signature = manifest.pop("signature")
            files: dict[str, Any] = manifest["files"]
        except (ValueError, KeyError, TypeError, zipfile.BadZipFile):
            raise _Failed("manifest.json is not a readable manifest") from None
        _check_signature(manifest, signature)
        result.checked.append("signature")
        for name in sorted(files):
            if name not in names:
                raise _Failed(f"{name} is missing from the bundle")
            digest = hashlib.sha256()
            try:
                with archive.open(name) as member:
                    for chunk in iter(lambda: member.read(1 << 16), b""):
                        digest.update(chunk)
            except (zipfile.BadZipFile, OSError):
                raise _Failed(f"{name} is damaged") from None
            if digest.hexdigest() != files[name].get("sha256"):
                raise _Failed(f"{name} does not match its SHA-256 in the manifest")
        extra = sorted(names - set(files) - {"manifest.json"})
        if extra:
            raise _Failed(f"{extra[0]} is in the bundle but not in the manifest")
        result.checked.append("files")
    _check_database(manifest)
    result.checked.append("database")
    _check_audit(manifest["audit"])
    result.checked.append("audit")


def _check_signature(manifest: dict[str, Any], signature: Any) -> None:
    if not isinstance(signature, dict) or signature.get("algorithm") != "Ed25519":
        raise _Failed("the manifest carries no Ed25519 signature")
    if not keys.signature_holds(
        canonical_json(manifest), str(signature.get("value")), str(signature.get("public_key"))
    ):
        raise _Failed("the manifest's signature does not verify: the manifest was changed")
    ours = keys.published_key()
    if ours is None:
        raise _Failed("this utility has no signing key to check the bundle against")
    if signature.get("public_key") != ours:
        raise _Failed("the bundle is signed with a foreign key, not this utility's")


def _check_database(manifest: dict[str, Any]) -> None:
    named = (manifest.get("database") or {}).get("id")
    if named != database_id():
        raise _Failed(f"the manifest is from another database ({named}), not this one")


def _check_audit(section: dict[str, Any]) -> None:
    position, expected = int(section["position"]), section["hash"]
    report = audit.verify_chain()
    if report.broken_at is not None and report.broken_at <= max(position, 1):
        raise _Failed(f"the audit log is broken at entry {report.broken_at}: {report.reason}")
    held = audit.entry_at(position)
    if held is None:
        raise _Failed(
            f"audit entry {position}, the head when the bundle was made, is no longer in the log"
        )
    if held != expected:
        raise _Failed(
            f"audit entry {position} no longer has the hash the bundle recorded: "
            "the log was rewritten since"
        )
    checkpoint = section.get("checkpoint")
    if checkpoint:
        body = checkpoint["checkpoint"]
        if checkpoint.get("signature") and not keys.signature_holds(
            canonical_json(body), checkpoint["signature"], checkpoint.get("public_key") or ""
        ):
            raise _Failed("the audit checkpoint in the manifest has a bad signature")
        if audit.entry_at(int(body["position"])) != body["hash"]:
            raise _Failed(
                f"audit entry {body['position']} no longer matches the bundle's checkpoint"
            )
