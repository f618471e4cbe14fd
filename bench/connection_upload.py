"""Documents through the real connection-request form on gunicorn: memory and none lost.

    .venv/bin/python bench/connection_upload.py [--size-mb 50] [--applications 50]
    .venv/bin/python bench/connection_upload.py --database postgresql   # a throwaway cluster

In one run: a temporary instance (SQLite in a temp directory, or a throwaway PostgreSQL
cluster; FAIRHEAT_ENV=production, Polish rules, the intake rate limit raised since all load
comes from one address), migrated with `fairheat db upgrade`, served by `wsgi:app` under
gunicorn (2 sync workers).

1. Memory. Each worker's peak RSS is reset (/proc/<pid>/clear_refs "5") after a warm-up
   application; then a baseline application with a 100 KB document, then one with a
   `--size-mb` MB PDF, streamed by the client in 1 MB chunks. The figure is each upload's peak
   RSS growth of the worker that served it (VmHWM after minus VmRSS before); the form parser
   spools a file part to disk past 500 KB and the storage copies it in 256 KB chunks, so a 50 MB
   document should cost the worker no more than a small one (target: at most 10 MB).
2. At once: `--applications` applicants, each on its own session (GET the form: cookie,
   csrf_token, form token), all POST together with two documents (a PDF and a PNG). Every 302
   must lead to a request in the database with both documents stored and their SHA-256 intact
   (`lost` must be 0), and no file may be left without its row.

Prints one JSON line on stdout; progress and server logs go to stderr.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import struct
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import HOST, Gunicorn, free_port, log, migrate  # noqa: E402

BOUNDARY = "----fairheatbench" + secrets.token_hex(8)
CHUNK = 1024 * 1024
FIELDS = {
    "applicant_kind": "cooperative",
    "applicant_name": "Spółdzielnia Mieszkaniowa Słoneczna",
    "nip": "8567346215",
    "signatory": "Anna Kowalska",
    "email": "biuro@sloneczna.example.pl",
    "street": "Słoneczna",
    "house_number": "12",
    "postcode": "00-950",
    "city": "Warszawa",
    "plot_number": "123/4",
    "legal_title": "owner",
    "purpose": "residential",
    "new_building": "new",
    "heated_area_m2": "2400",
    "heating_kw": "180",
    "hot_water_kw": "60",
    "desired_start": "2030-10-01",
    "language": "pl",
}


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", 40, 30, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def pdf_parts(size: int) -> tuple[list[bytes], int, str]:
    """A PDF of `size` bytes as 1 MB pieces made on the fly (a generator would do; the client
    is not what is measured), its length and SHA-256."""
    head = b"%PDF-1.4\n%" + os.urandom(8).hex().encode() + b"\n"
    tail = b"\n%%EOF\n"
    digest = hashlib.sha256(head)
    filler = b"%" + b"0" * (CHUNK - 2) + b"\n"
    pieces = [head]
    remaining = size - len(head) - len(tail)
    while remaining > 0:
        piece = filler[:remaining]
        pieces.append(piece)
        digest.update(piece)
        remaining -= len(piece)
    pieces.append(tail)
    digest.update(tail)
    return pieces, size, digest.hexdigest()


class Session:
    """One applicant: a cookie jar of one session cookie, the form's tokens."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""
        self.csrf = ""
        self.form_token = ""

    def open_form(self) -> None:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
        conn.request("GET", "/pl/connection-request")
        response = conn.getresponse()
        html = response.read().decode()
        conn.close()
        cookie = response.getheader("Set-Cookie") or ""
        self.cookie = cookie.split(";", 1)[0]
        self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
        self.form_token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]

    def submit(self, files: list[tuple[str, str, str, list[bytes]]]) -> tuple[int, str]:
        """POST the form with `files` (field, filename, type, pieces), streamed."""
        fields = {**FIELDS, "csrf_token": self.csrf, "form_token": self.form_token}
        head = b"".join(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + f"{value}\r\n".encode()
            for name, value in fields.items()
        )
        parts: list[bytes | list[bytes]] = [head]
        for field, filename, mime, pieces in files:
            parts.append(
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
                f'filename="{filename}"\r\nContent-Type: {mime}\r\n\r\n'.encode()
            )
            parts.append(pieces)
            parts.append(b"\r\n")
        parts.append(f"--{BOUNDARY}--\r\n".encode())
        length = sum(len(p) if isinstance(p, bytes) else sum(map(len, p)) for p in parts)
        conn = http.client.HTTPConnection(HOST, self.port, timeout=300)
        conn.putrequest("POST", "/pl/connection-request")
        conn.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
        conn.putheader("Content-Length", str(length))
        conn.putheader("Cookie", self.cookie)
        conn.putheader("Referer", f"http://{HOST}:{self.port}/pl/connection-request")
        conn.endheaders()
        for part in parts:
            for piece in [part] if isinstance(part, bytes) else part:
                conn.send(piece)
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status, response.getheader("Location") or ""


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


def reset_peaks(pids: list[int]) -> dict[int, int]:
    rss = {}
    for pid in pids:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        rss[pid] = status_kb(pid, "VmRSS")
    return rss


def growth_mb(pids: list[int], before: dict[int, int]) -> float:
    """The largest peak-RSS growth among the workers, in MB."""
    return max((status_kb(pid, "VmHWM") - before[pid]) / 1024 for pid in pids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size-mb", type=int, default=50)
    parser.add_argument("--applications", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="fairheat-bench-upload-"))
    server: Gunicorn | None = None
    cluster: Any = None
    try:
        port = free_port()
        if args.database == "postgresql":
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
            from tests.support.postgres import start_cluster

            cluster = start_cluster()
            url = cluster.create_database("fairheat_upload")
        else:
            url = f"sqlite:///{tmp / 'fairheat.sqlite3'}"
        env = {
            **os.environ,
            "FAIRHEAT_ENV": "production",
            "FAIRHEAT_DATABASE_URL": url,
            "FAIRHEAT_SECRET_KEY": secrets.token_urlsafe(48),
            "FAIRHEAT_JURISDICTION": "PL",
            "FAIRHEAT_RUN_SCHEDULER": "0",
            "FAIRHEAT_FEEDBACK_RATE_LIMIT": "1000000 per minute",
            "FAIRHEAT_PUBLIC_BASE_URL": f"http://{HOST}:{port}",
            "FAIRHEAT_FILES_DIR": str(tmp / "files"),
            "FAIRHEAT_CONNECTION_MAX_FILE_MB": str(args.size_mb + 5),
            "FAIRHEAT_MAX_UPLOAD_BYTES": str((args.size_mb + 8) * CHUNK),
            "TMPDIR": str(tmp),
        }
        migrate(env)
        server = Gunicorn("wsgi:app", args.workers, env, tmp / "gunicorn.log", port=port)
        server.wait_ready()
        pids = workers_of(server.process.pid)
        small = pdf_parts(100 * 1024)
        png = png_bytes()

        # warm every worker: imports, templates, the first request of each
        for _ in range(args.workers * 3):
            warm = Session(port)
            warm.open_form()
            warm.submit([("title_proof", "a.pdf", "application/pdf", small[0])])

        before = reset_peaks(pids)
        baseline = Session(port)
        baseline.open_form()
        status_small, _ = baseline.submit(
            [("title_proof", "maly.pdf", "application/pdf", small[0])]
        )
        small_growth = growth_mb(pids, before)

        big = pdf_parts(args.size_mb * CHUNK)
        before = reset_peaks(pids)
        applicant = Session(port)
        applicant.open_form()
        started = time.monotonic()
        status_big, location_big = applicant.submit(
            [("site_plan", "plan-zagospodarowania.pdf", "application/pdf", big[0])]
        )
        upload_seconds = time.monotonic() - started
        big_growth = growth_mb(pids, before)
        log("upload", status_big, location_big, f"{upload_seconds:.1f} s", f"+{big_growth:.1f} MB")

        # at once
        sessions = [Session(port) for _ in range(args.applications)]
        for session in sessions:
            session.open_form()
        results: list[tuple[int, str]] = [(0, "")] * len(sessions)
        doc = pdf_parts(200 * 1024)
        gate = threading.Barrier(len(sessions))

        def apply(i: int) -> None:
            gate.wait()
            try:
                results[i] = sessions[i].submit(
                    [
                        ("title_proof", f"akt-{i}.pdf", "application/pdf", doc[0]),
                        ("site_plan", f"mapa-{i}.png", "image/png", [png]),
                    ]
                )
            except OSError as error:
                results[i] = (-1, str(error))

        started = time.monotonic()
        threads = [threading.Thread(target=apply, args=(i,)) for i in range(len(sessions))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        burst_seconds = time.monotonic() - started

        references = {
            re.search(r"PR-\d{4}-(\d{6,})", loc).group(1)
            for s, loc in results
            if s == 302 and re.search(r"PR-\d{4}-(\d{6,})", loc)
        }  # type: ignore[union-attr]
        statuses: dict[str, int] = {}
        for status, _ in results:
            statuses[str(status)] = statuses.get(str(status), 0) + 1

        import sqlalchemy as sa

        engine = sa.create_engine(env["FAIRHEAT_DATABASE_URL"])
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT request_id, file_key, sha256, size FROM connection_document")
            ).all()
        engine.dispose()
        docs: dict[int, tuple[int, str]] = {}
        for request_id, _key, sha, _size in rows:
            count, shas = docs.get(request_id, (0, ""))
            docs[request_id] = (count + 1, shas + "," + sha)
        keys = {row[1] for row in rows}
        big_ok = sum(1 for row in rows if row[2] == big[2] and row[3] == big[1])
        lost = sum(
            1
            for ref in references
            if docs.get(int(ref), (0, ""))[0] != 2 or doc[2] not in docs[int(ref)][1]
        )
        lost += sum(1 for status, _ in results if status != 302)
        files_root = tmp / "files"
        on_disk = {str(p.relative_to(files_root)) for p in files_root.rglob("*") if p.is_file()}
        print(
            json.dumps(
                {
                    "bench": "connection_upload",
                    "database": args.database,
                    "workers": args.workers,
                    "document_mb": args.size_mb,
                    "upload_status": status_big,
                    "upload_stored_intact": big_ok == 1,
                    "upload_seconds": round(upload_seconds, 2),
                    "worker_peak_rss_growth_mb": round(big_growth, 1),
                    "baseline_100kb_peak_rss_growth_mb": round(small_growth, 1),
                    "baseline_status": status_small,
                    "target_growth_mb": 10,
                    "growth_within_target": big_growth <= 10,
                    "applications_at_once": args.applications,
                    "accepted": len(references),
                    "statuses": statuses,
                    "lost": lost,
                    "files_without_row": len(on_disk - keys),
                    "rows_without_file": len(keys - on_disk),
                    "burst_seconds": round(burst_seconds, 2),
                },
                sort_keys=False,
            )
        )
    finally:
        if server is not None:
            server.stop()
            if "--keep" not in sys.argv:
                log("gunicorn log tail:\n" + server.tail())
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
