"""The compliance export of a large utility's year on PostgreSQL, against raw SQL: one JSON line.

    .venv/bin/python bench/compliance_export.py [--scale 1.0] [--year 2025] [--repeat 3]

In one run, on a throwaway PostgreSQL cluster (tests/support/postgres.py), two databases are
migrated with `fairheat db upgrade` and filled with INSERT … SELECT generate_series: the full
year (at --scale 1: 2,000 interruptions, 100,000 delivery points, 1,000,000 notice SMS, 200,000
e-mails, 50,000 emergency calls, 20,000 cases, 5,000 connection requests; tables of parts not
installed are skipped and named) and the same at a tenth of the size. Then, each in a fresh
Python process so its peak memory (ru_maxrss) is its own:

- export: `write_bundle` for --mark all over the year, in English, as `fairheat compliance
  export` runs it (every domain's figures and registers, CSV, XLSX, data package, HTML, PDF,
  manifest, ZIP); timed from the call, after the app is created and WeasyPrint imported, as in
  a running worker (this machine sets PYTHONDONTWRITEBYTECODE, so a cold import compiles it).
  The PDF is rendered by a process the export starts (service/compliance/report_pdf.py), which
  loads WeasyPrint itself, inside the timed call; its peak memory (its own VmHWM, which it
  reports and the export logs: a child's ru_maxrss would count the export's pages from before
  its exec) is added to the export's, as the two run at the same time;
- baseline: the same database through psycopg alone: the key figures as raw SQL aggregates,
  and COPY … TO STDOUT of the same register rows into CSV files.

Baseline and export alternate --repeat times in each database and each side's fastest run
counts (on a shared machine a run only ever gains time; every run's seconds are printed too).

Targets (issue 13): export time ≤ 5 × baseline; export peak memory < 300 MB and within 1.2 × of
the tenth-size run. Progress on stderr; one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, log, migrate, tool  # noqa: E402

sys.path.insert(0, str(ROOT))

FULL = {
    "outages": 2_000,
    "delivery_points": 100_000,
    "sms": 1_000_000,
    "emails": 200_000,
    "calls": 50_000,
    "cases": 20_000,
    "connection_requests": 5_000,
}

# Every row lands in the year: `ts` spreads row n over it (UTC, minute resolution).
_TS = "timestamptz '{year}-01-01 00:00+00' + ((n::bigint * 7919) % 525000) * interval '1 minute'"

FILL: dict[str, str] = {
    "outages": """
        INSERT INTO outages (kind, impact, cause, status, starts_at, expected_end_at, ended_at,
            affected_buildings, texts, first_published_at, required_notice_days, notice_late,
            created_at, updated_at, created_by, version)
        SELECT CASE WHEN n % 3 = 0 THEN 'planned' ELSE 'unplanned' END,
            'heating_and_hot_water', CASE WHEN n % 3 = 0 THEN 'maintenance' ELSE 'leak' END,
            CASE WHEN n % 3 = 0 THEN 'completed' ELSE 'restored' END,
            {ts}, {ts} + interval '4 hours', {ts} + (1 + n % 30) * interval '1 hour',
            1 + n % 40, '{{"fi": "Katko"}}'::json,
            {ts} - CASE WHEN n % 3 = 0 THEN (n % 9) * interval '1 day'
                        ELSE interval '5 minutes' END,
            CASE WHEN n % 3 = 0 THEN 2 END, n % 3 = 0 AND n % 9 < 2,
            {ts}, {ts}, 'bench', 1
        FROM generate_series(1, {count}) AS n""",
    "sms": """
        INSERT INTO sms_outbox (event_key, kind, outage_id, phone, language, body, encoding,
            segments, priority, status, attempts, not_before, created_at)
        SELECT 'bench:' || n, 'notice', (SELECT min(id) FROM outages) + n % {outages},
            '+35840' || lpad((n % 10000000)::text, 7, '0'), 'fi', 'Lämmönjakelun keskeytys',
            'GSM-7', 1, 0,
            (ARRAY['delivered','delivered','delivered','delivered','delivered','delivered',
                   'delivered','delivered','sent','undelivered','failed'])[1 + n % 11],
            1, {ts}, {ts}
        FROM generate_series(1, {count}) AS n""",
    "emails": """
        INSERT INTO email_outbox (event_key, to_address, language, subject, body, status,
            attempts, next_attempt_at, created_at)
        SELECT 'bench:' || n, 'asiakas' || n || '@example.fi', 'fi', 'Katko', 'Katko',
            CASE WHEN n % 50 = 0 THEN 'failed' ELSE 'sent' END, 1, {ts}, {ts}
        FROM generate_series(1, {count}) AS n""",
    "cases": """
        INSERT INTO feedback_case (year, token_nonce, type, area, channel, track, status,
            description, reply_channel, language, received_at, recorded_at, rule_value, rule_unit,
            rule_source, base_deadline_at, deadline_at, first_answered_at, answered_at,
            outcome, is_spam, satisfaction_score, surveyed_at, version, updated_at, email, name)
        SELECT {year}, md5(n::text), (ARRAY['complaint','feedback','question'])[1 + n % 3],
            'heat_supply', 'web', 'standard', 'closed', 'Patterit kylmiä', 'email', 'fi',
            {ts}, {ts}, 7, 'working_days', 'Reilu', {ts} + interval '9 days',
            {ts} + interval '9 days', {ts} + (1 + n % 300) * interval '1 hour',
            {ts} + (1 + n % 300) * interval '1 hour', 'upheld', false,
            CASE WHEN n % 4 = 0 THEN 1 + n % 5 END,
            CASE WHEN n % 4 = 0 THEN {ts} + interval '20 days' END, 1, {ts},
            'asiakas' || n || '@example.fi', 'Asiakas ' || n
        FROM generate_series(1, {count}) AS n""",
    "calls": """
        INSERT INTO emergency_calls (received_at, answered_at, channel, caller_phone, problem,
            scope, caller_kind, language, priority, logged_by, logged_at, informed_in_writing,
            duty_covered, reconciled, created_at, updated_at, version, wait_seconds)
        SELECT {ts}, CASE WHEN n % 20 = 0 THEN NULL ELSE {ts} + interval '20 seconds' END,
            'twilio', '+35840' || lpad(n::text, 7, '0'), 'no_heating', 'building', 'resident',
            'fi', 'normal', 'bench', {ts}, false, true, true, {ts}, {ts}, 1, 20
        FROM generate_series(1, {count}) AS n""",
    "delivery_points": """
        INSERT INTO customer_delivery_points (customer_number, name, postcode, street,
            street_key, number, number_text, priority, dwellings, created_at, updated_at)
        SELECT 'C' || n, 'Asunto Oy ' || n, lpad((n % 990)::text, 5, '0'), 'Katu ' || n % 500,
            'katu ' || n % 500, 1 + n % 99, (1 + n % 99)::text, 'none', n % 40, now(), now()
        FROM generate_series(1, {count}) AS n""",
    "connection_requests": """
        INSERT INTO connection_request (year, token_nonce, jurisdiction, language, channel,
            status, applicant_kind, applicant_name, postcode, street, house_number, city,
            legal_title, purpose, new_building, heated_area_m2, heating_kw, hot_water_kw,
            ventilation_kw, process_kw, desired_start, received_at, recorded_at, version,
            updated_at, email)
        SELECT {year}, md5(n::text), 'FI', 'fi', 'web', 'received', 'person', 'Hakija ' || n,
            '00100', 'Katu', '1', 'Helsinki', 'owner', 'residential', true, 120, 10, 5, 0, 0,
            date '{year}-12-31', {ts}, {ts}, 1, {ts}, 'hakija' || n || '@example.fi'
        FROM generate_series(1, {count}) AS n""",
}
TABLES = {
    "outages": "outages",
    "sms": "sms_outbox",
    "emails": "email_outbox",
    "cases": "feedback_case",
    "calls": "emergency_calls",
    "delivery_points": "customer_delivery_points",
    "connection_requests": "connection_request",
}

# The baseline: the key figures in raw SQL, and COPY of the registers' rows.
AGGREGATES = [
    """SELECT count(*) FILTER (WHERE kind = 'unplanned'), count(*) FILTER (WHERE kind = 'planned'),
        avg(extract(epoch FROM ended_at - starts_at) / 3600),
        count(*) FILTER (WHERE ended_at - starts_at > interval '10 hours'),
        count(*) FILTER (WHERE ended_at - starts_at > interval '24 hours'),
        sum(extract(epoch FROM ended_at - starts_at) / 3600 * affected_buildings)
      FROM outages WHERE first_published_at IS NOT NULL AND status <> 'cancelled'
        AND starts_at >= %(start)s AND starts_at < %(end)s""",
    """SELECT count(*), count(*) FILTER (WHERE notice_late) FROM outages
      WHERE kind = 'planned' AND status <> 'cancelled'
        AND first_published_at >= %(start)s AND first_published_at < %(end)s""",
    """SELECT count(*) FILTER (WHERE status IN ('sent','delivered','undelivered','failed')),
        count(*) FILTER (WHERE status = 'delivered')
      FROM sms_outbox WHERE kind = 'notice' AND created_at >= %(start)s AND created_at < %(end)s""",
    """SELECT count(*), count(*) FILTER (WHERE status = 'sent') FROM email_outbox
      WHERE created_at >= %(start)s AND created_at < %(end)s""",
    """SELECT count(*), count(*) FILTER (WHERE first_answered_at <= deadline_at),
        percentile_cont(0.5) WITHIN GROUP (
          ORDER BY extract(epoch FROM first_answered_at - received_at) / 3600),
        avg(satisfaction_score)
      FROM feedback_case
      WHERE NOT is_spam AND received_at >= %(start)s AND received_at < %(end)s""",
    """SELECT count(*), count(answered_at) FROM emergency_calls
      WHERE received_at >= %(start)s AND received_at < %(end)s""",
    """SELECT count(*), count(complete_at), count(decided_at),
        count(*) FILTER (WHERE decided_at <= conditions_due_at),
        percentile_cont(0.5) WITHIN GROUP (
          ORDER BY extract(epoch FROM decided_at - complete_at) / 86400),
        count(withdrawn_at), count(agreement_signed_at), count(connected_at)
      FROM connection_request
      WHERE received_at >= %(start)s AND received_at < %(end)s""",
    # Calls by type and by channel (the export gives one figure for each).
    """SELECT problem, count(*) FROM emergency_calls
      WHERE received_at >= %(start)s AND received_at < %(end)s GROUP BY problem""",
    """SELECT channel, count(*) FROM emergency_calls
      WHERE received_at >= %(start)s AND received_at < %(end)s GROUP BY channel""",
    # Contract customers' notices (e-mail and SMS to contacts) of the period's interruptions.
    """SELECT count(*), count(*) FILTER (WHERE status IN ('sent','failed')),
        count(*) FILTER (WHERE status = 'sent' AND bounced_at IS NULL),
        count(*) FILTER (WHERE status = 'failed' OR bounced_at IS NOT NULL)
      FROM email_outbox WHERE contact_id IS NOT NULL AND outage_id IN (
        SELECT id FROM outages WHERE first_published_at IS NOT NULL AND status <> 'cancelled'
          AND starts_at >= %(start)s AND starts_at < %(end)s)""",
    """SELECT count(*),
        count(*) FILTER (WHERE status IN ('sent','delivered','undelivered','failed')),
        count(*) FILTER (WHERE status = 'delivered')
      FROM sms_outbox WHERE contact_id IS NOT NULL AND outage_id IN (
        SELECT id FROM outages WHERE first_published_at IS NOT NULL AND status <> 'cancelled'
          AND starts_at >= %(start)s AND starts_at < %(end)s)""",
    *(
        f"""SELECT avg(extract(epoch FROM f.first_at - o.first_published_at) / 3600)
      FROM (SELECT outage_id, min(sent_at) AS first_at FROM {outbox}
        WHERE contact_id IS NOT NULL AND sent_at IS NOT NULL AND outage_id IN (
          SELECT id FROM outages WHERE first_published_at IS NOT NULL
            AND status <> 'cancelled' AND starts_at >= %(start)s AND starts_at < %(end)s)
        GROUP BY outage_id) f JOIN outages o ON o.id = f.outage_id"""
        for outbox in ("email_outbox", "sms_outbox")
    ),  # hours from publication to a contract customer's first notice, per channel
]
# The registers' rows as the export writes them (bundle's non-personal columns, same joins and
# order), so the baseline reads what the export reads. customer_outages and
# customers_unreachable are left out: they match delivery points against outage areas, and the
# generated year has no areas (both registers are empty, and cost the export ~0.02 s).
_OUTAGES_IN = """SELECT id FROM outages WHERE first_published_at IS NOT NULL
        AND status <> 'cancelled' AND starts_at >= {start} AND starts_at < {end}"""
COPIES = {
    "interruptions": """SELECT id, kind, cause, impact, status, starts_at, ended_at,
        extract(epoch FROM ended_at - starts_at) / 3600, first_published_at,
        CASE WHEN kind = 'planned'
          THEN extract(epoch FROM starts_at - first_published_at) / 3600 END,
        required_notice_days, notice_late, affected_buildings FROM outages
      WHERE first_published_at IS NOT NULL AND status <> 'cancelled'
        AND starts_at >= {start} AND starts_at < {end} ORDER BY id""",
    "notices_sent": """SELECT outage_id, 'sms', count(*),
        count(*) FILTER (WHERE status IN ('sent','delivered','undelivered','failed')),
        count(*) FILTER (WHERE status = 'delivered'),
        count(*) FILTER (WHERE status IN ('undelivered','failed'))
      FROM sms_outbox WHERE kind = 'notice' AND outage_id IS NOT NULL
        AND created_at >= {start} AND created_at < {end} GROUP BY outage_id ORDER BY outage_id""",
    "cases": """SELECT 'FH-' || year || '-' || lpad(id::text, 6, '0'), type, area, channel, track,
        received_at, deadline_at, first_answered_at,
        CASE WHEN first_answered_at IS NOT NULL THEN first_answered_at <= deadline_at END,
        extract(epoch FROM first_answered_at - received_at) / 3600, outcome,
        deemed_accepted_at IS NOT NULL, satisfaction_score, rule_value, rule_unit
      FROM feedback_case WHERE NOT is_spam AND received_at >= {start} AND received_at < {end}
      ORDER BY id""",
    "survey_answers": """SELECT 'FH-' || year || '-' || lpad(id::text, 6, '0'), surveyed_at,
        satisfaction_score FROM feedback_case
      WHERE NOT is_spam AND satisfaction_score IS NOT NULL
        AND received_at >= {start} AND received_at < {end} ORDER BY id""",
    "emergency_calls": """SELECT c.id, c.received_at, c.answered_at, c.channel, c.problem,
        c.priority, c.scope, c.caller_kind, c.postcode, c.street, c.verified_at,
        c.dispatched_at, c.on_site_at, c.resolved_at, c.informed_at, c.outcome, c.outage_id,
        c.call_status, c.wait_seconds, c.talk_seconds, c.duty_covered, c.twilio_call_sid,
        b.due_at, b.done_at
      FROM emergency_calls c LEFT JOIN emergency_callbacks b ON b.call_id = c.id
      WHERE c.received_at >= {start} AND c.received_at < {end} ORDER BY c.id""",
    "connection_requests": """SELECT 'PR-' || r.year || '-' || lpad(r.id::text, 6, '0'),
        r.received_at, r.channel, r.applicant_kind, r.postcode, r.legal_title = 'none',
        r.heating_kw + r.hot_water_kw + r.ventilation_kw + r.process_kw, r.status,
        r.complete_at, r.conditions_due_at,
        CASE WHEN r.rule_days IS NOT NULL THEN r.rule_days || ' days: ' || r.rule_source END,
        r.decided_at,
        CASE WHEN r.decided_at IS NOT NULL AND r.conditions_due_at IS NOT NULL
          THEN r.decided_at <= r.conditions_due_at END,
        r.refusal_category, u.sent_on, r.conditions_set_on, r.conditions_delivered_on,
        r.expires_on, r.agreement_signed_at, r.supply_started_at, r.connected_at,
        r.withdrawn_at
      FROM connection_request r LEFT JOIN connection_letter u
        ON u.request_id = r.id AND u.kind = 'refusal_to_ure'
      WHERE r.received_at >= {start} AND r.received_at < {end} ORDER BY r.id""",
    "delivery_points": """SELECT p.customer_number, p.postcode, p.street, p.number_text,
        p.priority, p.dwellings,
        (SELECT count(*) FROM customer_contacts c
          WHERE c.delivery_point_id = p.id AND (c.by_email OR c.by_sms))
      FROM customer_delivery_points p ORDER BY p.id""",
    "customer_notices": """SELECT n.outage_id, n.channel, n.queued, n.sent, n.delivered,
        n.failed, n.first_at, extract(epoch FROM n.first_at - o.first_published_at) / 3600
      FROM (
        SELECT outage_id, 'email' AS channel, count(*) AS queued,
          count(*) FILTER (WHERE status IN ('sent','failed')) AS sent,
          count(*) FILTER (WHERE status = 'sent' AND bounced_at IS NULL) AS delivered,
          count(*) FILTER (WHERE status = 'failed' OR bounced_at IS NOT NULL) AS failed,
          min(sent_at) AS first_at
        FROM email_outbox WHERE outage_id IN ({outages}) AND contact_id IS NOT NULL
        GROUP BY outage_id
        UNION ALL
        SELECT outage_id, 'sms', count(*),
          count(*) FILTER (WHERE status IN ('sent','delivered','undelivered','failed')),
          count(*) FILTER (WHERE status = 'delivered'),
          count(*) FILTER (WHERE status IN ('undelivered','failed')), min(sent_at)
        FROM sms_outbox WHERE outage_id IN ({outages}) AND contact_id IS NOT NULL
        GROUP BY outage_id
      ) n JOIN outages o ON o.id = n.outage_id ORDER BY n.outage_id, n.channel""",
}


def _tables_of(sql: str) -> set[str]:
    """The tables a statement reads ("extract(epoch FROM …)" is no table): a part that is not
    installed leaves its statements out of the baseline, as it leaves its registers out of the
    export."""
    return set(re.findall(r"(?<!epoch )\b(?:FROM|JOIN)\s+([a-z_]+)", sql))


def _conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def existing_tables(url: str) -> set[str]:
    import psycopg

    with psycopg.connect(_conninfo(url)) as conn:
        return {
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        }


def fill(url: str, scale: float, year: int) -> tuple[dict[str, int], list[str]]:
    """Generate the year's rows; returns (rows per kind, kinds skipped for a missing table)."""
    import psycopg

    tables = existing_tables(url)
    counts, skipped = {}, []
    with psycopg.connect(_conninfo(url), autocommit=True) as conn:
        for kind in ("outages", "sms", "emails", "cases", "calls", "delivery_points",
                     "connection_requests"):  # fmt: skip
            if TABLES[kind] not in tables:
                skipped.append(kind)
                continue
            count = max(int(FULL[kind] * scale), 1)
            started = time.monotonic()
            conn.execute(
                FILL[kind].format(
                    ts=_TS.format(year=year),
                    count=count,
                    year=year,
                    outages=max(int(FULL["outages"] * scale), 1),
                )
            )
            counts[kind] = count
            log(f"  {kind}: {count} rows in {time.monotonic() - started:.1f} s")
        conn.execute("ANALYZE")
    return counts, skipped


# ---- the two measured runs, each in its own process ----------------------------------------


def run_export(env: dict[str, str], out: str, year: int) -> dict[str, Any]:
    os.environ.update(env)
    from service import domains
    from service.app import create_app

    left_out = [p for p in env.get("BENCH_WITHOUT_PARTS", "").split(",") if p]
    domains.DOMAINS = tuple(p for p in domains.DOMAINS if p not in left_out)
    import weasyprint  # noqa: F401  (loaded already in a long-running worker)

    from service.compliance.bundle import check_request, write_bundle

    app = create_app()
    pdf_logs: list[logging.LogRecord] = []  # after create_app, which may configure logging
    pdf_logger = logging.getLogger("service.compliance.report_pdf")
    pdf_logger.setLevel(logging.INFO)
    pdf_logger.disabled = False
    pdf_logger.addHandler(_Kept(pdf_logs))
    with app.app_context():
        request = check_request("all", str(year), "en")  # steps are named in English
        marks: list[tuple[str, float]] = []
        started = time.monotonic()
        path = write_bundle(
            request, Path(out), lambda step, _: marks.append((step, time.monotonic() - started))
        )
        seconds = time.monotonic() - started
    # Where the time goes: each step's seconds (a step ends where the next one starts).
    steps: dict[str, float] = {}
    for (step, at), (_, until) in zip(marks, [*marks[1:], ("end", seconds)], strict=True):
        steps[step] = round(steps.get(step, 0) + until - at, 2)
    if not pdf_logs:
        sys.exit("bench: the export's PDF process did not report its peak memory")
    pdf_peak_kb = pdf_logs[-1].pdf_peak_kb  # type: ignore[attr-defined]
    return {
        "seconds": seconds,
        "bytes": path.stat().st_size,
        "steps": steps,
        "pdf_process_peak_kb": pdf_peak_kb,
    }


class _Kept(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.INFO)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def run_baseline(env: dict[str, str], out: str, year: int) -> dict[str, Any]:
    import datetime as dt
    import zoneinfo

    import psycopg

    zone = zoneinfo.ZoneInfo("Europe/Helsinki")
    start = dt.datetime(year, 1, 1, tzinfo=zone)
    end = dt.datetime(year + 1, 1, 1, tzinfo=zone)
    tables = existing_tables(env["FAIRHEAT_DATABASE_URL"])
    started = time.monotonic()
    written = 0
    with psycopg.connect(_conninfo(env["FAIRHEAT_DATABASE_URL"])) as conn:
        for sql in AGGREGATES:
            if _tables_of(sql) <= tables:
                conn.execute(sql, {"start": start, "end": end}).fetchall()
        bounds = {"start": f"'{start.isoformat()}'", "end": f"'{end.isoformat()}'"}
        bounds["outages"] = _OUTAGES_IN.format(**bounds)
        for name, sql in COPIES.items():
            if not _tables_of(sql) <= tables:
                continue
            query = sql.format(**bounds)
            command = f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER)"
            with (
                conn.cursor() as cursor,
                open(Path(out) / f"{name}.csv", "wb") as target,
                cursor.copy(command) as copy,
            ):
                for chunk in copy:
                    target.write(chunk)
                    written += len(chunk)
    return {"seconds": time.monotonic() - started, "bytes": written}


def measured(kind: str, env: dict[str, str], year: int, tmp: Path) -> dict[str, Any]:
    """Run `kind` in a child process; its figures plus its peak memory."""
    out = tempfile.mkdtemp(dir=tmp)
    result = tmp / f"{kind}-{os.getpid()}-{time.monotonic_ns()}.json"
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", kind, out, str(year), str(result)],
        env=env,
        cwd=ROOT,
        stdout=sys.stderr,
    )
    _, status, _usage = os.wait4(child.pid, 0)
    if status != 0:
        sys.exit(f"bench: the {kind} run failed (status {status})")
    figures = json.loads(result.read_text())
    # The run's own peak plus its PDF process's (the export's, which runs beside it): an upper
    # bound of what both held at once. Kilobytes on Linux.
    beside = figures.get("pdf_process_peak_kb", 0)
    figures["peak_mb"] = round((figures["own_peak_kb"] + beside) / 1024, 1)
    shutil.rmtree(out, ignore_errors=True)
    return figures


def child_main(kind: str, out: str, year: int, result: str) -> None:
    env = dict(os.environ)
    figures = (run_export if kind == "export" else run_baseline)(env, out, year)
    figures["own_peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    Path(result).write_text(json.dumps(figures))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, out, year, result = sys.argv[2:6]
        child_main(kind, out, int(year), result)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="of a large utility's year")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each side; the fastest of each counts"
    )
    parser.add_argument(
        "--without", default="", help="parts (service/domains.py) to leave out, comma-separated"
    )
    args = parser.parse_args()
    tool("fairheat")

    from tests.support.postgres import start_cluster

    tmp = Path(tempfile.mkdtemp(prefix="fairheat-bench-compliance-"))
    log("starting a throwaway PostgreSQL cluster")
    cluster = start_cluster()
    try:
        runs: dict[str, dict[str, Any]] = {}
        for label, scale in (("full", args.scale), ("tenth", args.scale / 10)):
            url = cluster.create_database(f"compliance_{label}")
            env = {
                **os.environ,
                "FAIRHEAT_ENV": "production",
                "FAIRHEAT_DATABASE_URL": url,
                "FAIRHEAT_SECRET_KEY": "bench-" + "x" * 48,
                "FAIRHEAT_JURISDICTION": "FI",
                "FAIRHEAT_CUSTOMERS_SERVED": "100000",
                "FAIRHEAT_FILES_DIR": str(tmp / label / "files"),
                "FAIRHEAT_SIGNING_KEY_FILE": str(tmp / label / "signing.pem"),
                "BENCH_WITHOUT_PARTS": args.without,
            }
            log(f"{label}: migrating")
            migrate(env)
            subprocess.run(
                [tool("fairheat"), "compliance", "keys", "create"],
                env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            log(f"{label}: generating a year at scale {scale}")
            started = time.monotonic()
            counts, skipped = fill(url, scale, args.year)
            generated = time.monotonic() - started
            # Baseline and export alternate --repeat times; each side's fastest run counts (a
            # busy machine only ever adds time), and every run's seconds are in the line.
            baselines, exports = [], []
            for attempt in range(args.repeat):
                log(f"{label}: baseline (raw SQL aggregates + COPY), run {attempt + 1}")
                baselines.append(measured("baseline", env, args.year, tmp))
                log(f"{label}: export, run {attempt + 1}")
                exports.append(measured("export", env, args.year, tmp))
            baseline = min(baselines, key=lambda run: run["seconds"])
            export = min(exports, key=lambda run: run["seconds"])
            export["peak_mb"] = max(run["peak_mb"] for run in exports)
            export["pdf_process_peak_mb"] = max(
                round(run["pdf_process_peak_kb"] / 1024, 1) for run in exports
            )
            baseline["peak_mb"] = max(run["peak_mb"] for run in baselines)
            log(f"{label}: export {export['seconds']:.1f} s, baseline {baseline['seconds']:.1f} s")
            runs[label] = {
                "rows": counts,
                "skipped_tables": skipped,
                "generation_seconds": round(generated, 1),
                "export_seconds": round(export["seconds"], 2),
                "export_peak_mb": export["peak_mb"],
                "export_pdf_process_peak_mb": export["pdf_process_peak_mb"],
                "export_steps_seconds": export["steps"],
                "bundle_bytes": export["bytes"],
                "baseline_seconds": round(baseline["seconds"], 2),
                "baseline_peak_mb": baseline["peak_mb"],
                "baseline_csv_bytes": baseline["bytes"],
                "export_seconds_each_run": [round(run["seconds"], 2) for run in exports],
                "baseline_seconds_each_run": [round(run["seconds"], 2) for run in baselines],
            }
        full, tenth = runs["full"], runs["tenth"]
        ratio = full["export_seconds"] / max(full["baseline_seconds"], 1e-6)
        memory_ratio = full["export_peak_mb"] / max(tenth["export_peak_mb"], 1e-6)
        print(
            json.dumps(
                {
                    "bench": "compliance_export",
                    "database": "postgresql",
                    "scale": args.scale,
                    "year": args.year,
                    "parts_left_out": [p for p in args.without.split(",") if p],
                    "full": full,
                    "tenth": tenth,
                    "time_ratio": round(ratio, 2),
                    "memory_ratio_full_to_tenth": round(memory_ratio, 3),
                    "targets": {
                        "time_ratio_at_most_5": ratio <= 5,
                        "peak_under_300_mb": full["export_peak_mb"] < 300,
                        "memory_within_1_2_of_tenth": memory_ratio <= 1.2,
                    },
                    "peak_memory": "ru_maxrss of each run's process plus its PDF process",
                }
            ),
            flush=True,
        )
    finally:
        cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
