"""The utility's Ed25519 signing key (FAIRHEAT_SIGNING_KEY_FILE): made once, never overwritten.

The public key is published (the public page /compliance/key and every report) as base64 of
its 32 raw bytes; a verifier needs nothing else to check a manifest or a checkpoint.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from service.settings import current_settings


class SigningKeyError(Exception):
    """No key where the setting points, a key file that is not an Ed25519 key, or one that
    exists already when a new one is asked for."""


def key_path() -> Path:
    return current_settings().compliance.signing_key_file


def create_key(path: Path | None = None) -> str:
    """Write a new private key to `path` (mode 0600, refused when the file exists); return the
    public key."""
    path = path or key_path()
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: never over an existing key, even one made a moment ago by someone else.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SigningKeyError(
            f"{path} exists already: a signing key is never overwritten"
        ) from None
    with os.fdopen(fd, "wb") as file:
        file.write(pem)
    return public_key_text(key.public_key())


def load_key(path: Path | None = None) -> Ed25519PrivateKey:
    path = path or key_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningKeyError(
            f"no signing key at {path}: run `fairheat compliance keys create` "
            "(or set FAIRHEAT_SIGNING_KEY_FILE)"
        ) from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError:
        raise SigningKeyError(f"{path} is not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"{path} is not an Ed25519 key")
    return key


def has_key() -> bool:
    return key_path().is_file()


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def published_key() -> str | None:
    """The public key to show, or None while the utility has made none."""
    try:
        return public_key_text(load_key().public_key())
    except SigningKeyError:
        return None


def sign(data: bytes, key: Ed25519PrivateKey | None = None) -> tuple[str, str]:
    """(signature, public key), both base64."""
    key = key or load_key()
    return base64.b64encode(key.sign(data)).decode(), public_key_text(key.public_key())


def signature_holds(data: bytes, signature: str, public_key: str) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError):
        return False
    return True


def load_key_or_refuse(error: type[Exception]) -> Ed25519PrivateKey:
    """The signing key, or `error` with SigningKeyError's message."""
    try:
        return load_key()
    except SigningKeyError as problem:
        raise error(str(problem)) from None
