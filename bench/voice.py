"""A storm on the emergency line: signed incoming-call webhooks from many callers at once.

    .venv/bin/python bench/voice.py                      # 2,000 calls, 100 callers, 2 workers
    .venv/bin/python bench/voice.py --calls 5000 --callers 200 --workers 4
    .venv/bin/python bench/voice.py --database-url postgresql://…/empty_db

In one run: a temporary instance (SQLite in a temp directory unless --database-url names an
empty database), migrated, with a duty roster covering the week; `wsgi:app` under gunicorn
(sync workers, one thread each) gets `--calls` Twilio-signed POST /twilio/voice/incoming, each a
distinct CallSid, from `--callers` concurrent connections, after a short warm-up; bench/
hello_app.py's bare route answering fixed TwiML gets the same signed requests on the same
gunicorn settings, in alternating rounds (`--rounds`), so a busy neighbour slows both alike.
Every answer must be a 200 with a <Dial>; every call must be logged exactly once. Prints one
JSON line: latencies (median, p99) of both, their p99 ratio against the target of at most 3
(over all rounds, and per round), and the counts.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import HOST, ROOT, Gunicorn, free_port, log, migrate  # noqa: E402

sys.path.insert(0, str(ROOT))

PATH = "/twilio/voice/incoming"
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
LINE = "+358981234567"
DUTY = "+358401110001"
TARGET_P99_RATIO = 3.0
WARMUP = 100


def environment(url: str, callback_port: int, auth_token: str) -> dict[str, str]:
    return {
        **os.environ,
        "FAIRHEAT_ENV": "production",
        "FAIRHEAT_DATABASE_URL": url,
        "FAIRHEAT_SECRET_KEY": secrets.token_urlsafe(48),
        "FAIRHEAT_JURISDICTION": "FI",
        "FAIRHEAT_RUN_SCHEDULER": "0",
        "FAIRHEAT_PUBLIC_BASE_URL": f"http://{HOST}:{callback_port}",
        "FAIRHEAT_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "FAIRHEAT_TWILIO_AUTH_TOKEN": auth_token,
        "FAIRHEAT_VOICE_NUMBERS": f"{LINE}=fi",
        "FAIRHEAT_EMERGENCY_DUTY_NUMBER": "+358401119999",
    }


def in_app(env: dict[str, str], tmp: Path) -> Any:
    from config import load_settings
    from service.app import create_app

    return create_app({"FAIRHEAT": load_settings(env, instance_path=tmp / "instance")})


def prepare(app: Any) -> None:
    """A roster covering the whole week; the database must hold no calls before."""
    import sqlalchemy as sa

    from feedback.emergency.models import DutySlot, EmergencyCall
    from service.extensions import db

    with app.app_context():
        if db.session.scalar(sa.select(sa.func.count(EmergencyCall.id))):
            sys.exit("bench: the database already holds emergency calls; give an empty one")
        for weekday in range(7):
            db.session.add(
                DutySlot(weekday=weekday, start_minute=0, end_minute=1440, name="Bench", phone=DUTY)
            )
        db.session.commit()
        db.session.remove()


def signed_requests(env: dict[str, str], sids: list[str]) -> list[tuple[str, str]]:
    """(signature, form body) of Twilio's incoming-call webhook for each CallSid."""
    from twilio.request_validator import RequestValidator

    validator = RequestValidator(env["FAIRHEAT_TWILIO_AUTH_TOKEN"])
    url = env["FAIRHEAT_PUBLIC_BASE_URL"] + PATH
    found = []
    for n, sid in enumerate(sids):
        params = {
            "AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01", "CallSid": sid,
            "CallStatus": "ringing", "Direction": "inbound", "From": f"+35840{n % 10_000_000:07d}",
            "To": LINE, "Caller": f"+35840{n % 10_000_000:07d}", "Called": LINE,
        }  # fmt: skip
        found.append((validator.compute_signature(url, params), urlencode(params)))
    return found


def storm(port: int, requests: list[tuple[str, str]], callers: int) -> dict[str, Any]:
    """Each caller (a thread with its own keep-alive connection) sends its share in order."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def caller(offset: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        mine: list[float] = []
        bad: list[str] = []
        for signature, body in requests[offset::callers]:
            started = time.perf_counter()
            try:
                conn.request(
                    "POST",
                    PATH,
                    body=body,
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "X-Twilio-Signature": signature,
                    },
                )
                response = conn.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                bad.append(type(error).__name__)
                continue
            mine.append(time.perf_counter() - started)
            if response.status != 200 or b"<Dial" not in answer:
                bad.append(f"{response.status}")
        conn.close()
        with lock:
            latencies.extend(mine)
            failures.extend(bad)

    started = time.perf_counter()
    threads = [threading.Thread(target=caller, args=(i,)) for i in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return summary(latencies, failures, elapsed)


def summary(latencies: list[float], failures: list[str], elapsed: float) -> dict[str, Any]:
    latencies = sorted(latencies)
    p99 = latencies[max(0, int(len(latencies) * 0.99 + 0.5) - 1)] if latencies else None
    return {
        "latencies": latencies,
        "elapsed": elapsed,
        "answered": len(latencies),
        "failures": failures,
        "median_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p99_ms": round(p99 * 1000, 1) if p99 is not None else None,
        "rps": round(len(latencies) / elapsed, 1) if elapsed else None,
    }


def combined(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """One side's rounds together: latencies pooled, throughput over the time spent."""
    return summary(
        [x for part in parts for x in part["latencies"]],
        [f for part in parts for f in part["failures"]],
        sum(part["elapsed"] for part in parts),
    )


def logged(app: Any, sids: list[str]) -> tuple[int, int]:
    """(rows for these CallSids, distinct CallSids among them)."""
    import sqlalchemy as sa

    from feedback.emergency.models import EmergencyCall
    from service.extensions import db

    with app.app_context():
        sid = EmergencyCall.twilio_call_sid
        rows, distinct = db.session.execute(
            sa.select(sa.func.count(EmergencyCall.id), sa.func.count(sa.distinct(sid))).where(
                sid.in_(sids)
            )
        ).one()
        db.session.remove()
        return int(rows), int(distinct)


def empty(app: Any) -> None:
    import sqlalchemy as sa

    from feedback.emergency.models import Callback, DutySlot, EmergencyCall
    from service.extensions import db

    with app.app_context():
        for model in (Callback, EmergencyCall, DutySlot):
            db.session.execute(sa.delete(model))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--callers", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds per side")
    parser.add_argument("--database-url", default="", help="an EMPTY database (else SQLite)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fairheat-voice-") as tmpdir:
        tmp = Path(tmpdir)
        url = args.database_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
        port = free_port()
        env = environment(url, port, secrets.token_hex(16))
        migrate(env)
        app = in_app(env, tmp)
        prepare(app)
        warm_sids = [f"CA{secrets.token_hex(16)}" for _ in range(WARMUP)]
        sids = [f"CA{secrets.token_hex(16)}" for _ in range(args.calls)]
        warm, storm_requests = signed_requests(env, warm_sids), signed_requests(env, sids)
        server = Gunicorn("wsgi:app", args.workers, env, tmp / "app.log", port=port)
        bare_server = Gunicorn(
            "hello_app:app", args.workers, env, tmp / "bare.log", chdir=ROOT / "bench"
        )
        try:
            server.wait_ready()
            bare_server.wait_ready(path="/")
            storm(server.port, warm, min(args.callers, WARMUP))
            storm(bare_server.port, warm, min(args.callers, WARMUP))
            # Alternating rounds: a noisy neighbour on a small machine hits both alike.
            per_round = -(-len(storm_requests) // args.rounds)
            rounds = []
            for n in range(args.rounds):
                part = storm_requests[n * per_round : (n + 1) * per_round]
                log(f"round {n + 1}: {len(part)} calls from {args.callers} callers, each side")
                rounds.append(
                    (
                        storm(server.port, part, args.callers),
                        storm(bare_server.port, part, args.callers),
                    )
                )
        finally:
            server.stop()
            bare_server.stop()
        try:
            rows, distinct = logged(app, sids)
        finally:
            if args.database_url:
                empty(app)
    webhook, bare = combined([r[0] for r in rounds]), combined([r[1] for r in rounds])
    round_ratios = [
        round(w["p99_ms"] / b["p99_ms"], 2) for w, b in rounds if w["p99_ms"] and b["p99_ms"]
    ]
    ratio = (
        round(webhook["p99_ms"] / bare["p99_ms"], 2)
        if webhook["p99_ms"] and bare["p99_ms"]
        else None
    )
    exactly_once = rows == distinct == args.calls
    print(
        json.dumps(
            {
                "bench": "voice",
                "calls": args.calls,
                "callers": args.callers,
                "workers": args.workers,
                "database": url.split(":", 1)[0].split("+")[0],
                "webhook_median_ms": webhook["median_ms"],
                "webhook_p99_ms": webhook["p99_ms"],
                "webhook_rps": webhook["rps"],
                "bare_median_ms": bare["median_ms"],
                "bare_p99_ms": bare["p99_ms"],
                "bare_rps": bare["rps"],
                "p99_ratio": ratio,
                "target_p99_ratio": TARGET_P99_RATIO,
                "meets_target": ratio is not None and ratio <= TARGET_P99_RATIO,
                "round_p99_ratios": round_ratios,
                "rounds": args.rounds,
                "logged_rows": rows,
                "logged_exactly_once": exactly_once,
                "webhook_failures": len(webhook["failures"]),
                "bare_failures": len(bare["failures"]),
                "server": "gunicorn sync",
                "client": "python",
            }
        )
    )


if __name__ == "__main__":
    main()
