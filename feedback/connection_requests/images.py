"""The pixel size of a PNG or JPEG, read from its header, to refuse decompression bombs.

A small file can declare an image of gigapixels: anyone who later opens it (a thumbnail, a
viewer, WeasyPrint) allocates width × height × 4 bytes. The size is in the PNG's IHDR chunk
(ISO/IEC 15948 § 11.2.2) and in a JPEG's start-of-frame segment (ITU T.81 § B.2.2); reading
them needs no image library and no decoding.
"""

from __future__ import annotations

import struct
from typing import BinaryIO

# JPEG start-of-frame markers (C4 DHT, C8 JPG and CC DAC are not frames).
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_MAX_SEGMENTS = 1000


def png_size(stream: BinaryIO) -> tuple[int, int] | None:
    head = stream.read(24)
    if len(head) < 24 or head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def jpeg_size(stream: BinaryIO) -> tuple[int, int] | None:
    if stream.read(2) != b"\xff\xd8":
        return None
    for _ in range(_MAX_SEGMENTS):
        byte = stream.read(1)
        while byte == b"\xff":  # fill bytes before a marker
            byte = stream.read(1)
        if not byte:
            return None
        marker = byte[0]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            continue  # markers without a length
        length_bytes = stream.read(2)
        if len(length_bytes) < 2:
            return None
        (length,) = struct.unpack(">H", length_bytes)
        if marker in _SOF:
            frame = stream.read(5)
            if len(frame) < 5:
                return None
            height, width = struct.unpack(">HH", frame[1:5])
            return width, height
        if marker == 0xDA or length < 2:  # scan data before any frame: not a valid JPEG
            return None
        stream.seek(length - 2, 1)
    return None


def image_size(stream: BinaryIO, content_type: str) -> tuple[int, int] | None:
    """(width, height), or None when the header cannot be read (refused as well)."""
    if content_type == "image/png":
        return png_size(stream)
    if content_type == "image/jpeg":
        return jpeg_size(stream)
    return None
