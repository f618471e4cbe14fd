"""Complaints accepted per second through the real form on PostgreSQL, none lost: one JSON line.

    .venv/bin/python bench/intake.py [--seconds S] [--rounds R] [--workers W] [--connections C]
    .venv/bin/python bench/intake.py --databases postgresql,sqlite   # also a line for SQLite

For every database, in one run: a throwaway PostgreSQL cluster (tests/support/postgres.py; or a
SQLite file in a temporary directory), migrated with `fairheat db upgrade`, served by `wsgi:app`
under gunicorn (sync workers, FAIRHEAT_ENV=production, the per-IP intake limit raised to
FAIRHEAT_FEEDBACK_RATE_LIMIT="1000000 per minute" since all load comes from one address). Before
the clock starts, resident sessions fetch the form (GET /<lang>/feedback: session cookie and
csrf_token, as a browser does); then POST /<lang>/feedback with realistic complaints in fi, sv, en
and pl (e-mail contacts, some mobile numbers for an SMS acknowledgement too, some SMS-only, some
landlines), each on a session of its language. Accepted = a 302 to the tracking page
/<lang>/feedback/<FH-YYYY-NNNNNN>/<token>; anything else is counted by status.

The baseline is bench/insert_app.py on the same gunicorn settings, in the same run, on the same
database server: the same POSTs, one committed INSERT each, a 302. The two are measured in
alternating rounds; rates and the ratio are medians over the rounds.

After the load: every accepted reference (warm-up included) must name a case in the database
whose tracking token and language match the redirect (`lost` counts those that do not; must be
0); every case with an e-mail address must have its acknowledgement in email_outbox and every
case with a mobile number its SMS in sms_outbox, written in the same transaction. Cases in the
database beyond the accepted ones are requests the load generator abandoned when its time was up
(`unanswered_at_stop`): the server finished them, nobody read the answer.

Load comes from `wrk` (a Lua script that records each response's status and Location) when it is
installed, else Python threads with http.client. Prints one JSON line per database on stdout;
progress and server logs go to stderr.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import random
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
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import (  # noqa: E402
    HOST,
    ROOT,
    Gunicorn,
    database_names,
    free_port,
    load_client,
    log,
    migrate,
)
from insert_app import complaint as baseline_table  # noqa: E402
from insert_app import metadata  # noqa: E402

sys.path.insert(0, str(ROOT))
RATE_LIMIT = "1000000 per minute"
WARMUP = 2
SESSIONS_PER_LANGUAGE = 16
REQUEST_LINES = 12_000  # distinct complaints; the load cycles through them
LANGUAGES = ("fi",) * 11 + ("sv",) * 3 + ("en",) * 3 + ("pl",) * 3  # 55/15/15/15 %
TRACKING = re.compile(r"/(fi|sv|en|pl)/feedback/([A-Z]{1,5}-\d{4}-\d{6,})/([A-Za-z0-9_-]+)$")
BASELINE = re.compile(r"/(fi|sv|en|pl)/feedback/(\d+)$")

# (type, area, description) per language: what residents write, with their own diacritics.
TEXTS: dict[str, list[tuple[str, str, str]]] = {
    "fi": [
        ("complaint", "heat_supply", "Asunnossa on ollut kylmä jo kolme päivää, patterit ovat "
         "haaleita ja sisälämpötila on 17 astetta. Taloyhtiön huolto ei ole löytänyt vikaa."),
        ("complaint", "hot_water", "Lämmin vesi tulee hanasta vasta viiden minuutin "
         "juoksutuksen jälkeen. Ongelma alkoi viime viikon katkon jälkeen."),
        ("billing_complaint", "billing", "Tammikuun lasku on kaksinkertainen viime vuoteen "
         "verrattuna, vaikka kulutus on mittarin mukaan sama. Pyydän tarkistamaan laskun."),
        ("complaint", "customer_service", "Soitin asiakaspalveluun kahdesti enkä saanut "
         "vastausta katkon kestosta. Tiedote tuli vasta katkon jälkeen."),
        ("disconnection_complaint", "connection", "Saimme ilmoituksen toimituksen "
         "keskeyttämisestä, vaikka lasku on maksettu eräpäivänä. Kuitti liitteenä."),
    ],
    "sv": [
        ("complaint", "heat_supply", "Elementen är kalla i hela trappuppgången sedan i "
         "måndags. Inomhustemperaturen är 16 grader och vi har små barn hemma."),
        ("billing_complaint", "billing", "Fakturan för december är för hög: mätarställningen "
         "stämmer inte med det som står på fakturan. Vänligen kontrollera."),
        ("complaint", "hot_water", "Varmvattnet räcker bara till en dusch åt gången; "
         "temperaturen sjunker till 35 grader. Felet började efter avbrottet."),
    ],
    "en": [
        ("complaint", "heat_supply", "The radiators in our flat have been lukewarm for a week "
         "and the indoor temperature is 18 °C. The housing company says the fault is yours."),
        ("complaint", "customer_service", "Nobody told us about the planned outage; the notice "
         "was only in Finnish and came a day late. Please inform residents in time."),
        ("billing_complaint", "billing", "I was charged a connection fee twice in the last "
         "invoice. Please refund the second charge."),
    ],
    "pl": [
        ("complaint", "heat_supply", "Od trzech dni grzejniki są zimne, w mieszkaniu jest "
         "tylko 16 stopni. Zgłaszałem usterkę zarządcy, ale nic się nie zmieniło."),
        ("complaint", "hot_water", "Ciepła woda płynie dopiero po kilku minutach, a jej "
         "temperatura spada przy każdym prysznicu. Proszę o pilną naprawę."),
        ("billing_complaint", "billing", "Rachunek za styczeń jest dwukrotnie wyższy niż "
         "zwykle, choć zużycie według licznika się nie zmieniło. Proszę o korektę."),
        ("disconnection_complaint", "connection", "Otrzymaliśmy zawiadomienie o wstrzymaniu "
         "dostaw, mimo że faktura została opłacona w terminie. Załączam potwierdzenie."),
    ],
}  # fmt: skip
NAMES = {
    "fi": ["Matti Mäkelä", "Päivi Häkkinen", "Jyrki Öhman", "Sanna Lähteenmäki"],
    "sv": ["Åsa Sjöström", "Björn Ekström", "Märta Öberg"],
    "en": ["John Smith", "Emily Clarke", "Ahmed Hassan"],
    "pl": ["Łukasz Wójcik", "Małgorzata Żółkiewska", "Paweł Ślusarczyk", "Zofia Kałużna"],
}
STREETS = {
    "fi": ["Hämeentie", "Mäkelänkatu", "Töölönkatu", "Sörnäisten rantatie"],
    "sv": ["Mannerheimvägen", "Tölögatan", "Fredriksgatan"],
    "en": ["Runeberginkatu", "Kalevankatu", "Otakaari"],
    "pl": ["Sturenkatu", "Helsinginkatu", "Lapinlahdenkatu"],
}
MOBILES = {"fi": "+35840", "sv": "+46701", "en": "+35850", "pl": "+48601"}


def complaint(i: int, rng: random.Random) -> tuple[str, dict[str, str]]:
    """The i-th complaint: (language, form fields). Contacts: 3 in 5 e-mail only, 1 in 5 e-mail
    and a mobile (acknowledged both ways), 1 in 10 a mobile only (answer by SMS), 1 in 10 e-mail
    and a landline (call-back number; no SMS)."""
    lang = LANGUAGES[i % len(LANGUAGES)]
    kind, area, text = TEXTS[lang][rng.randrange(len(TEXTS[lang]))]
    name = NAMES[lang][rng.randrange(len(NAMES[lang]))]
    local = name.split()[0].lower().translate(str.maketrans("äöåłśżźóńęąć", "aoalszzoneac"))
    fields = {
        "type": kind,
        "area": area,
        "description": f"{text} (#{i})",
        "address": f"{STREETS[lang][i % len(STREETS[lang])]} {1 + i % 60} A {1 + i % 40}",
        "customer_number": f"{100000 + i}" if i % 3 else "",
        "name": name,
        "email": f"{local}.{i}@example.{'pl' if lang == 'pl' else 'fi'}",
        "phone": "",
        "reply_channel": "email",
        "language": lang,
        "fh_leave_empty": "",
    }
    contact = i % 10
    if contact in (6, 7):
        fields["phone"] = f"{MOBILES[lang]}{i % 1_000_000:06d}"
    elif contact == 8:
        fields.update(phone=f"{MOBILES[lang]}{i % 1_000_000:06d}", email="", reply_channel="sms")
    elif contact == 9:
        fields["phone"] = "+48 22 123 45 67" if lang == "pl" else "09 123 4567"
    return lang, fields


# ---- sessions and prepared requests -------------------------------------------------------


def fetch_sessions(port: int) -> dict[str, list[tuple[str, str]]]:
    """(Cookie header, csrf_token) of SESSIONS_PER_LANGUAGE resident sessions per language."""
    sessions: dict[str, list[tuple[str, str]]] = {}
    for lang in dict.fromkeys(LANGUAGES):
        sessions[lang] = []
        for _ in range(SESSIONS_PER_LANGUAGE):
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
            try:
                conn.request("GET", f"/{lang}/feedback")
                response = conn.getresponse()
                html = response.read().decode("utf-8", "replace")
                cookies = response.headers.get_all("Set-Cookie") or []
            finally:
                conn.close()
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
            if response.status != 200 or not token or not cookies:
                raise RuntimeError(
                    f"GET /{lang}/feedback: {response.status}, "
                    f"{'a' if token else 'no'} csrf_token, {len(cookies)} cookies"
                )
            cookie = "; ".join(c.split(";", 1)[0] for c in cookies)
            sessions[lang].append((cookie, token.group(1)))
    return sessions


def write_requests(path: Path, sessions: dict[str, list[tuple[str, str]]]) -> None:
    """'path<TAB>cookie<TAB>form body' lines, each complaint on a session of its language."""
    rng = random.Random(20240117)
    lines = []
    for i in range(REQUEST_LINES):
        lang, fields = complaint(i, rng)
        cookie, token = sessions[lang][i % len(sessions[lang])]
        lines.append(f"/{lang}/feedback\t{cookie}\t{urlencode({'csrf_token': token, **fields})}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---- load ---------------------------------------------------------------------------------

WRK_SCRIPT = r"""
-- Each thread POSTs its share of the prepared complaints ("path<TAB>cookie<TAB>body" lines) in
-- order, starting again when they run out, and records every response's status and Location.
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end
function init(args)
  local path, threads, out = args[1], tonumber(args[2]), args[3]
  requests = {}
  local i = 0
  for line in io.lines(path) do
    if i % threads == id then
      local target, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", target, {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["Cookie"] = cookie,
      }, body)
    end
    i = i + 1
  end
  position = 0
  record = io.open(out .. "." .. id, "w")
end
function request()
  position = position % #requests + 1
  return requests[position]
end
function response(status, headers, body)
  record:write(status, "\t", headers["Location"] or headers["location"] or "", "\n")
  record:flush()
end
"""


def run_load(
    client: str, port: int, requests_file: Path, seconds: int, connections: int, out: Path
) -> tuple[list[tuple[str, str]], dict[str, int], float]:
    """([(status, Location)] of every answer read, socket errors, elapsed seconds)."""
    socket_errors: dict[str, int] = {}
    if client == "wrk":
        threads = min(connections, os.cpu_count() or 1)
        script = requests_file.with_suffix(".lua")
        script.write_text(WRK_SCRIPT)
        command = [
            "wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
            "--timeout", "30s", "-s", str(script), f"http://{HOST}:{port}/",
            "--", str(requests_file), str(threads), str(out),
        ]  # fmt: skip
        run = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
        done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)\b", run.stdout)
        if run.returncode or not done:
            raise RuntimeError(f"wrk failed:\n{run.stdout}{run.stderr}")
        elapsed = float(done.group(2)) * {"ms": 0.001, "s": 1, "m": 60}[done.group(3)]
        errors = re.search(r"Socket errors: (.*)", run.stdout)
        if errors:
            for kind, count in re.findall(r"(\w+) (\d+)", errors.group(1)):
                if int(count):
                    socket_errors[f"socket_{kind}"] = int(count)
    else:
        command = [
            sys.executable, __file__, "--drive", str(port), str(requests_file), str(seconds),
            str(connections), str(out),
        ]  # fmt: skip
        result = subprocess.run(
            command, capture_output=True, text=True, check=True, timeout=seconds + 60
        )
        elapsed = float(json.loads(result.stdout)["elapsed"])
    answers = []
    for record in sorted(out.parent.glob(out.name + ".*")):
        for line in record.read_text().splitlines():
            status, _, location = line.partition("\t")
            if status == "socket":
                socket_errors["socket_python"] = socket_errors.get("socket_python", 0) + 1
            else:
                answers.append((status, location))
    return answers, socket_errors, elapsed


def drive(port: int, requests_file: str, seconds: int, connections: int, out: str) -> None:
    """The Python load generator (child process): POSTs the prepared complaints for `seconds`,
    one thread and connection per client, writing 'status<TAB>Location' lines to out.<n>."""
    lines = Path(requests_file).read_text(encoding="utf-8").splitlines()
    end = time.monotonic() + seconds

    def client(n: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        records, index = [], n
        while time.monotonic() < end:
            target, cookie, body = lines[index % len(lines)].split("\t", 2)
            index += connections
            try:
                conn.request(
                    "POST",
                    target,
                    body=body.encode(),
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": cookie,
                    },
                )
                response = conn.getresponse()
                response.read()
                records.append(f"{response.status}\t{response.getheader('Location') or ''}")
            except (OSError, http.client.HTTPException):
                conn.close()
                records.append("socket\t")
        conn.close()
        Path(f"{out}.{n}").write_text("".join(r + "\n" for r in records))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"elapsed": seconds}))


class Phase:
    """What one server answered over all its load runs (warm-up included)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.accepted: list[tuple[str, ...]] = []  # the Location's groups
        self.errors: collections.Counter[str] = collections.Counter()
        self.rates: list[float] = []
        self.measured = 0  # accepted in the measured rounds

    def add(self, answers: list[tuple[str, str]], socket_errors: dict[str, int]) -> int:
        accepted = 0
        for status, location in answers:
            match = self.pattern.search(location) if status == "302" else None
            if match:
                self.accepted.append(match.groups())
                accepted += 1
            else:
                self.errors["302_elsewhere" if status == "302" else status] += 1
        self.errors.update(socket_errors)
        return accepted


class LockSampler:
    """What the app's PostgreSQL backends are doing, sampled every 50 ms while the intake is
    under load: running a statement, waiting for a lock (and for an advisory lock among those),
    idle inside a transaction while the web process works in Python; and how many hold an
    advisory lock (the audit log's chain lock: at most one, so its mean is the share of the
    time the lock is taken)."""

    QUERY = (
        "SELECT count(*) FILTER (WHERE state = 'active'), "
        "count(*) FILTER (WHERE wait_event_type = 'Lock'), "
        "count(*) FILTER (WHERE wait_event = 'advisory'), "
        "count(*) FILTER (WHERE state LIKE 'idle in transaction%'), "
        "(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted) "
        "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )

    def __init__(self, url: str) -> None:
        self.conninfo = url.replace("postgresql+psycopg://", "postgresql://", 1)
        self.samples: list[tuple[int, ...]] = []
        self.running = threading.Event()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            while not self.stopped.wait(0.05):
                if self.running.is_set():
                    row = conn.execute(self.QUERY).fetchone()
                    self.samples.append(tuple(int(v) for v in row or ()))

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)

    def figures(self) -> dict[str, Any]:
        if not self.samples:
            return {}
        columns = list(zip(*self.samples, strict=True))
        names = (
            "active",
            "waiting_for_lock",
            "waiting_for_advisory_lock",
            "idle_in_transaction",
            "holding_advisory_lock",
        )
        means = {
            name: round(statistics.fmean(col), 2) for name, col in zip(names, columns, strict=True)
        }
        return {"samples": len(self.samples), "backends_mean": means}


# ---- one database -------------------------------------------------------------------------


def prepare(name: str, tmp: Path, cluster: Any, port: int) -> tuple[dict[str, str], str]:
    """(the app's environment, the baseline's database URL); the app's database migrated."""
    import sqlalchemy as sa

    if name == "postgresql":
        url = cluster.create_database("fairheat_intake")
        baseline_url = cluster.create_database("intake_baseline")
    else:
        url = f"sqlite:///{tmp / 'intake.sqlite3'}"
        baseline_url = f"sqlite:///{tmp / 'baseline.sqlite3'}"
    env = {
        **os.environ,
        "FAIRHEAT_ENV": "production",
        "FAIRHEAT_DATABASE_URL": url,
        "FAIRHEAT_SECRET_KEY": secrets.token_urlsafe(48),
        "FAIRHEAT_JURISDICTION": "FI",
        "FAIRHEAT_RUN_SCHEDULER": "0",
        "FAIRHEAT_FEEDBACK_RATE_LIMIT": RATE_LIMIT,
        "FAIRHEAT_PUBLIC_BASE_URL": f"http://{HOST}:{port}",
        "BENCH_INSERT_DATABASE_URL": baseline_url,
    }
    log(f"{name}: migrating")
    migrate(env)
    engine = sa.create_engine(baseline_url)
    metadata.create_all(engine)
    engine.dispose()
    return env, baseline_url


def verify_cases(env: dict[str, str], accepted: list[tuple[str, ...]]) -> dict[str, Any]:
    """Every accepted reference against the database, and the acknowledgements queued."""
    import marshmallow as ma
    import sqlalchemy as sa

    from feedback.models import Case
    from feedback.references import parse_reference, token_matches
    from service.app import create_app
    from service.extensions import db
    from service.mail.models import EmailMessage
    from service.phones import mobile_number

    os.environ.update(env)  # create_app() reads its settings from the environment
    app = create_app()
    with app.app_context():
        wanted: dict[int, tuple[str, str, int]] = {}
        duplicates = 0
        for lang, ref, token in accepted:
            parsed = parse_reference(ref)
            case_id = parsed[1] if parsed else 0
            if case_id in wanted:
                duplicates += 1
            wanted[case_id] = (lang, token, parsed[0] if parsed else 0)
        found = {
            case.id: case
            for chunk in range(0, len(wanted), 5000)
            for case in db.session.scalars(
                sa.select(Case).where(Case.id.in_(list(wanted)[chunk : chunk + 5000]))
            )
        }
        lost = 0
        for case_id, (lang, token, year) in wanted.items():
            case = found.get(case_id)
            if (
                case is None
                or case.year != year
                or case.language != lang
                or not token_matches(case, token)
            ):
                lost += 1
        in_database = db.session.scalar(sa.select(sa.func.count()).select_from(Case)) or 0
        email_acks = set(
            db.session.scalars(
                sa.select(EmailMessage.event_key).where(EmailMessage.event_key.like("case:%:ack:%"))
            )
        )
        sms_acks = set(
            db.session.scalars(
                sa.text("SELECT event_key FROM sms_outbox WHERE event_key LIKE 'case:%:ack:%'")
            )
        )
        missing = 0
        for case_id, email, phone in db.session.execute(sa.select(Case.id, Case.email, Case.phone)):
            if email and f"case:{case_id}:ack:email" not in email_acks:
                missing += 1
            if phone and f"case:{case_id}:ack:sms" not in sms_acks:
                try:
                    mobile_number(phone)
                    missing += 1
                except ma.ValidationError:  # a landline: no SMS expected
                    pass
        database = {}
        if db.engine.dialect.name == "postgresql":
            row = db.session.execute(
                sa.text(
                    "SELECT xact_commit, xact_rollback, deadlocks FROM pg_stat_database "
                    "WHERE datname = current_database()"
                )
            ).one()
            database = {"commits": row[0], "rollbacks": row[1], "deadlocks": row[2]}
        db.session.remove()
        db.engine.dispose()
    return {
        "in_database": in_database,
        "lost": lost + duplicates,
        "duplicates": duplicates,
        "email": len(email_acks),
        "sms": len(sms_acks),
        "missing": missing,
        "database": database,
    }


def count_baseline(url: str, accepted: list[tuple[str, ...]]) -> tuple[int, int]:
    """(rows in the baseline table, accepted ids missing from it)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        ids = set(conn.scalars(sa.select(baseline_table.c.id)))
    engine.dispose()
    return len(ids), sum(1 for _, row_id in accepted if int(row_id) not in ids)


def bench_database(
    name: str, tmp: Path, cluster: Any, args: argparse.Namespace, client: str
) -> dict[str, Any]:
    work = tmp / name
    work.mkdir()
    port = free_port()
    env, baseline_url = prepare(name, tmp, cluster, port)
    servers = {
        "intake": Gunicorn("wsgi:app", args.workers, env, work / "intake.log", port=port),
        "baseline": Gunicorn(
            "insert_app:app", args.workers, env, work / "baseline.log", chdir=ROOT / "bench"
        ),
    }
    phases = {"intake": Phase(TRACKING), "baseline": Phase(BASELINE)}
    requests_file = work / "requests.txt"
    sampler = LockSampler(env["FAIRHEAT_DATABASE_URL"]) if name == "postgresql" else None
    try:
        for server in servers.values():
            server.wait_ready()
        write_requests(requests_file, fetch_sessions(servers["intake"].port))
        run = 0

        def load(kind: str, seconds: int, measured: bool = True) -> float:
            nonlocal run
            run += 1
            if sampler is not None and kind == "intake" and measured:
                sampler.running.set()
            answers, socket_errors, elapsed = run_load(
                client, servers[kind].port, requests_file, seconds, args.connections,
                work / f"answers{run}",
            )  # fmt: skip
            if sampler is not None:
                sampler.running.clear()
            accepted = phases[kind].add(answers, socket_errors)
            if measured:
                phases[kind].measured += accepted
            return accepted / elapsed

        for kind in servers:
            log(f"{name}: {kind} warm-up, {WARMUP} s")
            load(kind, WARMUP, measured=False)
        ratios = []
        for round_no in range(args.rounds):
            order = ("intake", "baseline") if round_no % 2 == 0 else ("baseline", "intake")
            for kind in order:
                phases[kind].rates.append(load(kind, args.seconds))
                log(f"{name}: round {round_no + 1}, {kind}: {phases[kind].rates[-1]:.1f}/s")
            ratios.append(phases["intake"].rates[-1] / (phases["baseline"].rates[-1] or 1))
    finally:
        if sampler is not None:
            sampler.stop()
        for server in servers.values():
            server.stop()
    for kind, server in servers.items():
        logged = [
            line for line in server.tail().splitlines() if "Error" in line or "[ERROR]" in line
        ]
        if logged:
            log(f"{kind} server log, last errors:\n" + "\n".join(logged[-5:]))
    intake, baseline = phases["intake"], phases["baseline"]
    check = verify_cases(env, intake.accepted)
    baseline_rows, baseline_lost = count_baseline(baseline_url, baseline.accepted)
    for kind, phase in phases.items():
        if phase.errors:
            log(f"{name}: {kind} answers other than an accepting 302: {dict(phase.errors)}")
    if check["lost"] or check["missing"] or baseline_lost:
        log(
            f"{name}: LOST {check['lost']} accepted complaints ({check['duplicates']} duplicate "
            f"references), {check['missing']} acknowledgements missing, {baseline_lost} "
            "baseline rows lost"
        )
    rate = statistics.median(intake.rates)
    baseline_rate = statistics.median(baseline.rates)
    measured = round(len(intake.rates) * args.seconds)
    return {
        "bench": "intake",
        "database": name,
        "complaints": intake.measured,
        "seconds": measured,
        "accepted_per_second": round(rate, 1),
        "errors": dict(sorted(intake.errors.items())),
        "in_database": check["in_database"],
        "lost": check["lost"],
        "accepted_with_warmup": len(intake.accepted),
        "unanswered_at_stop": check["in_database"] - len(intake.accepted) + check["lost"],
        "acknowledgements_queued": {"email": check["email"], "sms": check["sms"]},
        "acknowledgements_missing": check["missing"],
        "baseline_inserts_per_second": round(baseline_rate, 1),
        "ratio": round(statistics.median(ratios), 3),
        "round_rates": [round(r, 1) for r in intake.rates],
        "round_ratios": [round(r, 3) for r in ratios],
        "baseline": {
            "accepted": len(baseline.accepted),
            "in_database": baseline_rows,
            "lost": baseline_lost,
            "errors": dict(sorted(baseline.errors.items())),
        },
        "database_stats": {
            **check["database"],
            **({"pg_stat_activity": sampler.figures()} if sampler else {}),
        },
        "rounds": args.rounds,
        "seconds_per_round": args.seconds,
        "server": f"gunicorn sync, {args.workers} workers",
        "client": client,
        "connections": args.connections,
    }


# ---- main ---------------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--drive":
        port, requests_file, seconds, connections, out = sys.argv[2:7]
        drive(int(port), requests_file, int(seconds), int(connections), out)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=6, help="measured time per server and round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (1-9)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (1-32)")
    parser.add_argument(
        "--connections", type=int, default=0, help="concurrent clients (default: 2 × workers)"
    )
    parser.add_argument("--databases", default="postgresql", help="postgresql and/or sqlite")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()
    args.seconds = min(max(args.seconds, 1), 120)
    args.rounds = min(max(args.rounds, 1), 9)
    args.workers = min(max(args.workers, 1), 32)
    args.connections = min(max(args.connections or 2 * args.workers, 1), 256)
    databases = database_names(args.databases)
    client = load_client(args.client)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` cleans up
    tmp = Path(tempfile.mkdtemp(prefix="fairheat-bench-intake-"))
    cluster = None
    try:
        for name in databases:
            if name == "postgresql" and cluster is None:
                from tests.support.postgres import start_cluster

                log("starting a throwaway PostgreSQL cluster")
                cluster = start_cluster()
            print(json.dumps(bench_database(name, tmp, cluster, args, client)), flush=True)
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
