"""service.files on the local backend: streamed in and out, hashed, typed by its bytes, limited
while it arrives, and kept under keys the storage makes."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
from pathlib import Path

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import FileStorage as Upload

from service.errors import NotFound, ValidationFailed
from service.files import (
    MB,
    FileTooLarge,
    FileTypeNotAllowed,
    InvalidFileKey,
    StoredFileMissing,
    file_storage,
)
from service.files.local import LocalFileStorage

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(200))
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(100)
DOCUMENTS = {"application/pdf", "image/jpeg", "image/png"}


@pytest.fixture
def storage(app, tmp_path) -> LocalFileStorage:
    return LocalFileStorage(tmp_path / "files")


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def read_back(storage, key: str) -> bytes:
    with storage.open(key) as stored:
        return stored.read()


@pytest.mark.parametrize(
    ("content", "content_type"),
    [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (ZIP, "application/zip")],
)
def test_content_round_trips_with_its_size_hash_and_type(storage, content, content_type):
    stored = storage.save(io.BytesIO(content), max_bytes=MB, allowed_types=[content_type])

    assert read_back(storage, stored.key) == content
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.content_type == content_type
    assert storage.exists(stored.key)


def test_the_type_comes_from_the_bytes_not_the_name_or_header(storage):
    upload = Upload(io.BytesIO(PNG), filename="contract.pdf", content_type="application/pdf")
    stored = storage.save(upload.stream, max_bytes=MB, allowed_types=DOCUMENTS)
    assert stored.content_type == "image/png"

    script = Upload(io.BytesIO(b"#!/bin/sh\nrm -rf /\n"), filename="scan.pdf")
    with pytest.raises(FileTypeNotAllowed):
        storage.save(script.stream, max_bytes=MB, allowed_types=DOCUMENTS)


@pytest.mark.parametrize("content", [ZIP, b"GIF89a" + bytes(20), b"", b"%PD"])
def test_a_type_not_allowed_is_refused_and_nothing_is_stored(storage, content):
    with pytest.raises(FileTypeNotAllowed) as refused, force_locale("en"):
        storage.save(io.BytesIO(content), max_bytes=MB, allowed_types=DOCUMENTS)

    assert files_under(storage.root) == []
    assert isinstance(refused.value, ValidationFailed) and refused.value.status_code == 422
    assert refused.value.errors == {
        "file": ["This kind of file is not accepted. Accepted types: JPEG, PDF, PNG."]
    }


def test_over_the_limit_is_refused_while_streaming_and_nothing_is_left(storage):
    content = PDF + bytes(MB)  # a little over one megabyte
    source = io.BytesIO(content)

    with pytest.raises(FileTooLarge) as refused, force_locale("en"):
        storage.save(source, max_bytes=MB, allowed_types=DOCUMENTS)

    assert files_under(storage.root) == []
    assert source.tell() <= MB + 1  # it stopped reading at the limit
    assert refused.value.status_code == 422
    assert refused.value.errors == {"file": ["The file is too large: at most 1 MB."]}


def test_exactly_the_limit_is_accepted(storage):
    content = PDF + bytes(1000 - len(PDF))
    stored = storage.save(io.BytesIO(content), max_bytes=1000, allowed_types=DOCUMENTS)
    assert stored.size == 1000 and read_back(storage, stored.key) == content


def test_the_limit_is_named_in_megabytes_in_the_readers_language(app):
    with force_locale("fi"):
        refused = FileTooLarge(int(2.5 * MB))
    assert "enintään 2,5 Mt." in refused.errors["file"][0]  # megatavu
    with force_locale("en"):
        assert "20 MB" in FileTooLarge(20 * MB).errors["file"][0]


def test_a_stream_that_fails_midway_leaves_nothing(storage):
    class Broken(io.RawIOBase):
        sent = False

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            if self.sent:
                raise ConnectionResetError("client went away")
            self.sent = True
            buffer[: len(PDF)] = PDF
            return len(PDF)

    with pytest.raises(ConnectionResetError):
        storage.save(io.BufferedReader(Broken()), max_bytes=MB, allowed_types=DOCUMENTS)
    assert files_under(storage.root) == []


def test_short_reads_at_the_start_still_find_the_type(storage):
    class Trickle(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            return self.data.readinto(memoryview(buffer)[:1])

    stored = storage.save(Trickle(PNG), max_bytes=MB, allowed_types=DOCUMENTS)
    assert stored.content_type == "image/png" and read_back(storage, stored.key) == PNG


def test_keys_are_random_and_sharded_never_from_the_name(storage):
    upload = Upload(io.BytesIO(PDF), filename="Hakemus Virtanen.pdf")
    first = storage.save(upload.stream, max_bytes=MB, allowed_types=DOCUMENTS)
    second = storage.save(io.BytesIO(PDF), max_bytes=MB, allowed_types=DOCUMENTS)

    assert first.key != second.key
    for key in (first.key, second.key):
        shard1, shard2, name = key.split("/")
        assert len(name) == 32 and name.startswith(shard1 + shard2)
        assert (storage.root / key).is_file()
    assert "Virtanen" not in first.key and not first.key.endswith(".pdf")


@pytest.mark.parametrize(
    "key",
    [
        "../secret",
        "../../etc/passwd",
        "/etc/passwd",
        "ab/cd/../../../secret",
        "ab/cd/abcd" + "0" * 28 + "/../../../../secret",
        "AB/CD/ABCD" + "0" * 28,
        "ab/cd/ef" + "0" * 30,  # shards not taken from the name
        "ab\\cd\\abcd" + "0" * 28,
        "",
    ],
)
def test_keys_the_storage_never_makes_are_refused(storage, tmp_path, key):
    secret = tmp_path / "secret"
    secret.write_text("keep me")

    for use in (storage.open, storage.delete, storage.exists):
        with pytest.raises(InvalidFileKey):
            use(key)
    assert secret.read_text() == "keep me"
    assert issubclass(InvalidFileKey, NotFound)


def test_open_of_a_deleted_file_is_not_found_and_delete_is_idempotent(storage):
    stored = storage.save(io.BytesIO(JPEG), max_bytes=MB, allowed_types=DOCUMENTS)

    storage.delete(stored.key)
    storage.delete(stored.key)

    assert not storage.exists(stored.key)
    with pytest.raises(StoredFileMissing):
        storage.open(stored.key)


def test_a_bad_limit_or_unknown_type_is_a_programming_error(storage):
    with pytest.raises(ValueError):
        storage.save(io.BytesIO(PDF), max_bytes=0, allowed_types=DOCUMENTS)
    with pytest.raises(ValueError):
        storage.save(io.BytesIO(PDF), max_bytes=MB, allowed_types=["text/plain"])
    with pytest.raises(ValueError):
        storage.save(io.BytesIO(PDF), max_bytes=MB, allowed_types=[])


class Generated(io.RawIOBase):
    """`size` bytes of a PDF header and then noise, made as they are read, hashed on the way."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.block = PDF + os.urandom(256 * 1024 - len(PDF))
        self.offset = 0
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.left, len(self.block) - self.offset)
        piece = self.block[self.offset : self.offset + n]
        buffer[:n] = piece
        self.digest.update(piece)
        self.left -= n
        self.offset = (self.offset + n) % len(self.block)
        if self.offset == 0:
            self.block = b"\x00" + self.block[1:]  # not one block repeated verbatim
        return n


def test_fifty_megabytes_pass_through_in_little_memory(storage):
    source = Generated(50 * MB)

    tracemalloc.start()
    try:
        stored = storage.save(source, max_bytes=60 * MB, allowed_types=DOCUMENTS)
        _, saving_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        read = hashlib.sha256()
        with storage.open(stored.key) as stored_file:
            while chunk := stored_file.read(256 * 1024):
                read.update(chunk)
        _, reading_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert stored.size == 50 * MB == (storage.root / stored.key).stat().st_size
    assert stored.sha256 == source.digest.hexdigest() == read.hexdigest()
    assert saving_peak < 5 * MB, f"saving peaked at {saving_peak / MB:.1f} MB"
    assert reading_peak < 5 * MB, f"reading peaked at {reading_peak / MB:.1f} MB"


def test_the_app_storage_is_the_configured_directory(app, tmp_path):
    storage = file_storage()
    assert storage is file_storage()  # one per app
    stored = storage.save(io.BytesIO(PDF), max_bytes=MB, allowed_types=DOCUMENTS)
    assert (tmp_path / "files" / stored.key).read_bytes() == PDF  # instance path / files
