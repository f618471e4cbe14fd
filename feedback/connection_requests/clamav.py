"""Scanning a stored file with ClamAV: clamd's INSTREAM command on its unix socket.

Hand-written rather than a client library: the protocol is three steps (send "zINSTREAM\\0",
then the bytes in chunks each prefixed by its length as 4 bytes big-endian, then a zero length;
read one reply ending in "\\0": "stream: OK" or "stream: <signature> FOUND"), the maintained
Python clients (clamd, pyclamd) are unmaintained or pull in more than they give, and this way
the file is streamed from storage in chunks, never held whole in memory. See
docs/decisions/ on connection requests.
"""

from __future__ import annotations

import socket
import struct
from typing import BinaryIO

CHUNK = 64 * 1024


class ScannerUnavailable(Exception):
    """clamd did not answer (not running, wrong socket, timeout, or an error reply)."""


def scan(stream: BinaryIO, socket_path: str, timeout: float) -> str | None:
    """The signature found in what `stream` holds, or None when it is clean."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(socket_path)
            sock.sendall(b"zINSTREAM\0")
            while chunk := stream.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                more = sock.recv(4096)
                if not more:
                    break
                reply += more
    except OSError as error:
        raise ScannerUnavailable(str(error)) from error
    text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith("OK"):
        return None
    if text.endswith("FOUND"):
        return text.removeprefix("stream:").removesuffix("FOUND").strip()
    raise ScannerUnavailable(text or "no reply")
