"""What a file is, from its leading bytes only.

The name and the Content-Type a client sends are not looked at: both are the client's word.
A file is what its first bytes say, or nothing this service accepts. ZIP's signature also
begins Office and OpenDocument files (they are ZIP archives), so allowing ZIP allows those.
"""

from __future__ import annotations

# (leading bytes, content type); the longest prefix any of them needs is HEAD_BYTES.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),  # ISO 32000-2 § 7.5.2: the header is the file's first line
    (b"\x89PNG\r\n\x1a\n", "image/png"),  # PNG (ISO/IEC 15948) signature
    (b"\xff\xd8\xff", "image/jpeg"),  # SOI marker followed by the first segment's marker
    (b"PK\x03\x04", "application/zip"),  # a local file header: a non-empty archive
)
HEAD_BYTES = max(len(prefix) for prefix, _ in SIGNATURES)

# What a person calls each type, in an error message (the same in every language).
KNOWN_TYPES: dict[str, str] = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/zip": "ZIP",
}


def detect_content_type(head: bytes) -> str | None:
    """The content type the leading bytes `head` announce, or None for anything else."""
    for prefix, content_type in SIGNATURES:
        if head.startswith(prefix):
            return content_type
    return None
