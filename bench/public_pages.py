"""Requests per second of the public outage list with 50 active outages, against hello-world.

    .venv/bin/python bench/public_pages.py [--seconds N] [--workers W] [--connections C]

Builds a throw-away instance (SQLite in a temporary directory, FAIRHEAT_ENV=production), migrates
it, publishes 50 active outages through the notifications services, then serves it with gunicorn
(sync workers) and measures GET /fi/ for a fixed time. The same gunicorn settings then serve a
plain Flask hello-world page (bench/hello_app.py), measured the same way in the same run, so the
ratio says what the outage page costs on this machine rather than how fast the machine is.
Target (the issue): the outage list serves at least 0.7 of the hello-world rate.

Load comes from a separate process: `wrk` when it is installed, else Python threads, each with
its own HTTP/1.1 connection kept open where the server allows it (gunicorn's sync worker closes
every connection after the response; the client then reconnects, as it would in production
behind a proxy that does not pool). Only 200 responses count; nothing sends If-None-Match, so
every response is a full render and no 304s. Only loopback addresses are used.

Prints exactly one JSON line on stdout; progress and gunicorn's log go to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402
    HOST,
    ROOT,
    Gunicorn,
    get,
    load_client,
    log,
    migrate,
)

ACTIVE_OUTAGES = 50
TARGET_RATIO = 0.7
OUTAGE_PATH = "/fi/"
STREETS = [  # (postcode, street): Helsinki and Espoo
    ("00100", "Mannerheimintie"), ("00100", "Kalevankatu"), ("00260", "Runeberginkatu"),
    ("00530", "Hämeentie"), ("00510", "Sturenkatu"), ("00120", "Fredrikinkatu"),
    ("00250", "Töölönkatu"), ("00550", "Mäkelänkatu"), ("02100", "Tapiolantie"),
    ("00180", "Lapinlahdenkatu"), ("00500", "Helsinginkatu"), ("02150", "Otakaari"),
]  # fmt: skip
IMPACTS = ("heating_and_hot_water", "heating", "hot_water", "reduced_supply")
CAUSES = ("leak", "network_repair", "other")
FREE_TEXT = "Tilapäinen vesipiste on korttelin sisäpihalla. Pidä ikkunat suljettuina."


def prepare_instance(tmp: Path) -> dict[str, str]:
    """Environment of a migrated SQLite instance holding ACTIVE_OUTAGES published outages."""
    env = {
        **os.environ,
        "FAIRHEAT_ENV": "production",
        "FAIRHEAT_DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "FAIRHEAT_SECRET_KEY": secrets.token_urlsafe(48),
        "FAIRHEAT_JURISDICTION": "FI",
        "FAIRHEAT_RUN_SCHEDULER": "0",
        "FAIRHEAT_PUBLIC_BASE_URL": f"http://{HOST}",
    }
    log("migrating", env["FAIRHEAT_DATABASE_URL"])
    migrate(env)
    os.environ.update(env)  # create_app() reads its settings from the environment
    insert_outages()
    return env


def uncached_render_ms(rounds: int = 20) -> float:
    """Median time to render GET /fi/ with the page and text caches emptied each time.

    What the first visitor after a change waits for; the server run below measures what all
    the others get.
    """
    from service.app import create_app
    from service.extensions import db

    app = create_app()
    client = app.test_client()
    timings = []
    with app.app_context():
        for _ in range(rounds):
            for name in ("fairheat_public_pages", "fairheat_notice_texts", "fairheat_public_state"):
                app.extensions.pop(name, None)
            start = time.perf_counter()
            response = client.get(OUTAGE_PATH)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        db.session.remove()
        db.engine.dispose()
    return statistics.median(timings)


def insert_outages() -> None:
    """Publish the active outages through the service functions, as a dispatcher would.

    Four in five are unplanned (half of those being repaired), one in five planned work in
    progress, published on time days before; 1-3 address ranges each, some with free text.
    """
    from flask import g

    from notifications import create_outage, update_outage
    from notifications.schemas import OutageInputSchema
    from service.app import create_app
    from service.db import utcnow
    from service.extensions import db

    app = create_app()
    with app.app_context():
        g.actor = "bench"
        full, partial = OutageInputSchema(), OutageInputSchema(partial=True)
        now = utcnow().replace(microsecond=0)
        for i in range(ACTIVE_OUTAGES):
            planned = i % 5 == 0
            starts = now - dt.timedelta(minutes=7 * (i + 1))
            areas = [
                {
                    "postcode": postcode,
                    "street": street,
                    "from_number": 1 + i % 20,
                    "to_number": 61,
                    "parity": ("odd", "even", "all")[(i + k) % 3],
                }
                for k, (postcode, street) in enumerate(STREETS[i % 10 : i % 10 + 1 + i % 3])
            ]
            expected_end = None if i % 7 == 3 else now + dt.timedelta(hours=1 + i % 6)
            payload = {
                "kind": "planned" if planned else "unplanned",
                "impact": IMPACTS[i % len(IMPACTS)],
                "cause": "maintenance" if planned else CAUSES[i % len(CAUSES)],
                "starts_at": starts.isoformat(),
                "expected_end_at": expected_end.isoformat() if expected_end else None,
                "areas": areas,
                "affected_buildings": 3 + (i * 7) % 60,
                "texts": {"fi": FREE_TEXT} if i % 3 == 0 else {},
                "publish": True,
            }
            published = starts - dt.timedelta(days=3) if planned else starts
            outage = create_outage(full.load(payload), now=published)
            status = "in_progress" if planned else ("repairing" if i % 2 else None)
            if status:
                update_outage(outage.id, partial.load({"status": status}), now=starts)
        db.session.remove()
        db.engine.dispose()
    log(f"published {ACTIVE_OUTAGES} active outages")


# ---- serving ------------------------------------------------------------------------------


def measure(
    client: str, port: int, path: str, seconds: int, warmup: int, connections: int
) -> float:
    """200 responses per second over `seconds`, after `warmup`, from a separate process."""
    if client == "wrk":
        url = f"http://{HOST}:{port}{path}"
        wrk = ["wrk", "-t", str(min(connections, os.cpu_count() or 1)), "-c", str(connections)]
        subprocess.run([*wrk, "-d", f"{warmup}s", url], capture_output=True, check=True)
        run = subprocess.run([*wrk, "-d", f"{seconds}s", url], capture_output=True, text=True)
        done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)\b", run.stdout)
        if run.returncode or not done:
            raise RuntimeError(f"wrk failed:\n{run.stdout}{run.stderr}")
        elapsed = float(done.group(2)) * {"ms": 0.001, "s": 1, "m": 60}[done.group(3)]
        bad = re.search(r"Non-2xx or 3xx responses: (\d+)", run.stdout)
        if bad:
            log(f"{path}: {bad.group(1)} responses other than 200")
        return (int(done.group(1)) - (int(bad.group(1)) if bad else 0)) / elapsed
    command = [
        sys.executable,
        __file__,
        "--drive",
        str(port),
        path,
        str(seconds),
        str(warmup),
        str(connections),
    ]
    result = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    if result["other"] or result["errors"]:
        log(f"{path}: {result['other']} non-200 responses, {result['errors']} errors")
    return float(result["ok"]) / result["elapsed"]


def drive(port: int, path: str, seconds: int, warmup: int, connections: int) -> None:
    """The Python load generator (the child process): prints {"ok", "other", "errors", …}."""
    start = time.monotonic()
    begin, end = start + warmup, start + warmup + seconds
    totals = {"ok": 0, "other": 0, "errors": 0}
    lock = threading.Lock()

    def client() -> None:
        counts = dict.fromkeys(totals, 0)
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        while (now := time.monotonic()) < end:
            try:
                conn.request("GET", path)  # HTTP/1.1, keep-alive unless the server closes
                response = conn.getresponse()
                response.read()
                kind = "ok" if response.status == 200 else "other"
            except (OSError, http.client.HTTPException):
                conn.close()
                kind = "errors"
            if begin <= now and time.monotonic() <= end:
                counts[kind] += 1
        conn.close()
        with lock:
            for key, value in counts.items():
                totals[key] += value

    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({**totals, "elapsed": seconds}))


# ---- main ---------------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--drive":
        given = sys.argv[2:7]  # port, path, seconds, warm-up, connections
        drive(int(given[0]), given[1], int(given[2]), int(given[3]), int(given[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="measured time per page and round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (1-9)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (1-32)")
    parser.add_argument(
        "--connections", type=int, default=0, help="concurrent clients (default: 2 × workers)"
    )
    parser.add_argument(
        "--client",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="load generator (auto: wrk when installed, else Python threads)",
    )
    args = parser.parse_args()
    seconds = min(max(args.seconds, 1), 120)
    rounds = min(max(args.rounds, 1), 9)
    workers = min(max(args.workers, 1), 32)
    connections = min(max(args.connections or 2 * workers, 1), 256)
    warmup = 2 if seconds >= 4 else 1
    client = load_client(args.client)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` stops gunicorn
    tmp = Path(tempfile.mkdtemp(prefix="fairheat-bench-"))
    servers: list[Gunicorn] = []
    try:
        env = prepare_instance(tmp)
        render_ms = uncached_render_ms()
        log(f"uncached render of {OUTAGE_PATH}: {render_ms:.1f} ms")
        targets = {}
        for name, app, chdir, path in (
            ("outage_list", "wsgi:app", ROOT, OUTAGE_PATH),
            ("hello", "hello_app:app", ROOT / "bench", "/"),
        ):
            server = Gunicorn(app, workers, env, tmp / f"{name}.log", chdir=chdir)
            servers.append(server)
            server.wait_ready(path)
            targets[name] = (server, path)
        status, html = get(targets["outage_list"][0].port, OUTAGE_PATH)
        listed = html.count('<article class="outage ')
        if status != 200 or listed != ACTIVE_OUTAGES:
            raise RuntimeError(f"{OUTAGE_PATH} lists {listed} outages, not {ACTIVE_OUTAGES}")
        # Both servers stay up (an idle one only waits in accept()); the two pages are measured
        # in alternating rounds, so a noisy neighbour on this 2-core machine hits both alike,
        # and the figures are the medians of the rounds.
        samples: dict[str, list[float]] = {"outage_list": [], "hello": []}
        ratios = []
        for round_no in range(rounds):
            order = ("outage_list", "hello") if round_no % 2 == 0 else ("hello", "outage_list")
            for name in order:
                server, path = targets[name]
                log(
                    f"round {round_no + 1}: {name} {path}, {seconds:g} s after {warmup:g} s warm-up"
                )
                samples[name].append(
                    measure(client, server.port, path, seconds, warmup, connections)
                )
                log(f"{name}: {samples[name][-1]:.1f} requests/s")
            hello = samples["hello"][-1]
            ratios.append(samples["outage_list"][-1] / hello if hello else 0.0)
        rates = {name: statistics.median(values) for name, values in samples.items()}
        ratio = statistics.median(ratios)
        print(
            json.dumps(
                {
                    "bench": "public_pages",
                    "outage_list_rps": round(rates["outage_list"], 1),
                    "hello_rps": round(rates["hello"], 1),
                    "ratio": round(ratio, 3),
                    "target_ratio": TARGET_RATIO,
                    "meets_target": ratio >= TARGET_RATIO,
                    "active_outages": ACTIVE_OUTAGES,
                    "workers": workers,
                    "seconds": seconds,
                    "rounds": rounds,
                    "uncached_render_ms": round(render_ms, 1),
                    "round_ratios": [round(r, 3) for r in ratios],
                    "server": "gunicorn sync",
                    "database": "sqlite",
                    "client": client,
                    "connections": connections,
                }
            ),
            flush=True,
        )
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
