"""The public outage list through nginx and its microcache, against nginx serving a static file
of the same size, on this machine in the same run.

    .venv/bin/python bench/edge.py [--seconds N] [--rounds R] [--connections C]

Builds the same throw-away instance as bench/public_pages.py (SQLite, FAIRHEAT_ENV=production,
50 published active outages), serves it with gunicorn (2 sync workers, FAIRHEAT_PROXY_HOPS=1)
behind nginx configured with deploy/nginx/fairheat.conf and its microcache include, as shipped
(only paths, ports and a self-signed certificate made here are substituted). The same nginx
process has a second TLS server with the same TLS settings that serves GET /fi/'s body, saved as
a file of exactly the same size. Both are measured over HTTPS with keep-alive, in alternating
rounds (a noisy neighbour on this 2-core machine hits both alike); figures are medians.
Target (issue 16): the outage list through the microcache serves at least 0.8 of the static
file's rate.

Before measuring it checks what the site promises: the page is cached (X-Cache MISS then HIT),
a revalidation with its ETag is a 304, the security headers pass through, /twilio/ is never
cached and a body over 64 KiB there is refused by nginx (413).

Load comes from `wrk` when installed (apt install wrk), else Python threads. Only loopback
addresses are used (nginx's rate limits exempt the host itself). Prints exactly one JSON line.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import HOST, ROOT, Gunicorn, free_port, load_client, log  # noqa: E402
from public_pages import ACTIVE_OUTAGES, prepare_instance  # noqa: E402

TARGET_RATIO = 0.8
PAGE = "/fi/"
STATIC_NAME = "/outages-same-size.html"
DEPLOY = ROOT / "deploy" / "nginx"


# ---- nginx --------------------------------------------------------------------------------


def nginx_config(
    tmp: Path, upstream: int, site_port: int, plain_port: int, static_port: int
) -> Path:
    """deploy/nginx/ with this run's paths and ports, and the static server beside it."""
    openssl = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    subprocess.run(
        [*openssl, "-subj", "/CN=heat.example.fi", "-keyout", str(tmp / "privkey.pem")]
        + ["-out", str(tmp / "fullchain.pem")],
        check=True,
        capture_output=True,
    )
    for name in ("cache", "logs", "static", "static-root"):
        (tmp / name).mkdir(exist_ok=True)
    site = (DEPLOY / "fairheat.conf").read_text()
    for old, new in (
        ("/etc/nginx/fairheat-microcache.conf", str(tmp / "fairheat-microcache.conf")),
        ("/etc/ssl/fairheat/", f"{tmp}/"),
        ("/var/cache/nginx/fairheat", str(tmp / "cache")),
        ("/var/log/nginx/", f"{tmp}/logs/"),
        ("/opt/fairheat/current/static/", f"{tmp}/static/"),
        ("server 127.0.0.1:8000;", f"server {HOST}:{upstream};"),
        ("listen 443 ssl http2;", f"listen {HOST}:{site_port} ssl;"),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen {HOST}:{plain_port};"),
        ("listen [::]:80;", ""),
    ):
        if old not in site:
            raise RuntimeError(f"deploy/nginx/fairheat.conf no longer has {old!r}")
        site = site.replace(old, new)
    (tmp / "fairheat.conf").write_text(site)
    shutil.copy(DEPLOY / "fairheat-microcache.conf", tmp / "fairheat-microcache.conf")
    # Run as root (CI, this machine), nginx's workers would drop to nobody, who cannot read the
    # private temporary directory: they keep the user that runs the bench.
    user = "user root;" if os.geteuid() == 0 else ""
    main = f"""
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/fairheat.conf;

    # The baseline: the same TLS settings, one static file of the page's size.
    server {{
        listen {HOST}:{static_port} ssl;
        ssl_certificate     {tmp}/fullchain.pem;
        ssl_certificate_key {tmp}/privkey.pem;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_prefer_server_ciphers off;
        ssl_session_cache shared:static_tls:10m;
        ssl_session_tickets off;
        access_log {tmp}/logs/static.access.log;
        root {tmp}/static-root;
    }}
}}
"""
    path = tmp / "nginx.conf"
    path.write_text(main)
    return path


class Nginx:
    def __init__(self, config: Path) -> None:
        self.config = config
        prefix = ["nginx", "-p", str(config.parent), "-c", str(config)]
        subprocess.run([*prefix, "-t", "-q"], check=True)
        subprocess.run([*prefix, "-g", "daemon on;"], check=True)
        self.pid_file = config.parent / "nginx.pid"

    def stop(self) -> None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return
        os.kill(pid, signal.SIGQUIT)
        for _ in range(50):
            if not self.pid_file.exists():
                return
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)


# ---- requests -----------------------------------------------------------------------------

_TLS = ssl.create_default_context()
_TLS.check_hostname = False
_TLS.verify_mode = ssl.CERT_NONE


def fetch(
    port: int, path: str, method: str = "GET", headers: dict[str, str] | None = None, body=None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPSConnection(HOST, port, timeout=15, context=_TLS)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def check_site(port: int) -> bytes:
    """What the site promises, checked once; the page's body."""
    first = fetch(port, PAGE)
    second = fetch(port, PAGE)
    if first[0] != 200 or second[0] != 200:
        raise RuntimeError(f"{PAGE} through nginx answered {first[0]}, {second[0]}")
    if second[2].count(b'<article class="outage ') != ACTIVE_OUTAGES:
        raise RuntimeError(f"{PAGE} through nginx does not list {ACTIVE_OUTAGES} outages")
    if second[1].get("X-Cache") != "HIT":
        raise RuntimeError(f"second {PAGE} not from the microcache: X-Cache {second[1]}")
    etag = second[1]["ETag"]
    if fetch(port, PAGE, headers={"If-None-Match": etag})[0] != 304:
        raise RuntimeError("a revalidation with the page's ETag is not a 304")
    for header in (
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Strict-Transport-Security",
    ):
        if header not in second[1]:
            raise RuntimeError(f"{header} missing through nginx")
    webhook = fetch(port, "/twilio/sms/status", "POST", {"Content-Type": "text/plain"}, b"x")
    if "X-Cache" in webhook[1] or webhook[0] != 403:
        raise RuntimeError(f"/twilio/ through nginx: {webhook[0]} {webhook[1]}")
    big = fetch(port, "/twilio/sms/status", "POST", {"Content-Type": "text/plain"}, b"x" * 70_000)
    if big[0] != 413:
        raise RuntimeError(f"a 70 KB webhook body through nginx answered {big[0]}, not 413")
    log("site checks: microcache HIT, 304 on ETag, headers, /twilio/ uncached, 413 over 64 KiB")
    return second[2]


# ---- load ---------------------------------------------------------------------------------


def measure(
    client: str, port: int, path: str, seconds: int, warmup: int, connections: int
) -> float:
    """200 responses per second over `seconds`, after `warmup`, from a separate process."""
    url = f"https://{HOST}:{port}{path}"
    if client == "wrk":
        wrk = ["wrk", "-t", "1", "-c", str(connections)]
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
    command = [sys.executable, __file__, "--drive", str(port), path, str(seconds), str(warmup)]
    command.append(str(connections))
    result = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    return float(result["ok"]) / seconds


def drive(port: int, path: str, seconds: int, warmup: int, connections: int) -> None:
    """The Python load generator (the child process): prints {"ok", "other", "errors"}."""
    start = time.monotonic()
    begin, end = start + warmup, start + warmup + seconds
    totals = {"ok": 0, "other": 0, "errors": 0}
    lock = threading.Lock()

    def client() -> None:
        counts = dict.fromkeys(totals, 0)
        conn = http.client.HTTPSConnection(HOST, port, timeout=30, context=_TLS)
        while (now := time.monotonic()) < end:
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                kind = "ok" if response.status == 200 else "other"
            except (OSError, http.client.HTTPException):
                conn.close()
                kind = "errors"
            if begin <= now:
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
    print(json.dumps(totals))


# ---- main ---------------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--drive":
        port, path, seconds, warmup, connections = sys.argv[2:7]
        drive(int(port), path, int(seconds), int(warmup), int(connections))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="measured time per target and round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (1-9)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive clients")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    args = parser.parse_args()
    seconds = min(max(args.seconds, 1), 120)
    rounds = min(max(args.rounds, 1), 9)
    connections = min(max(args.connections, 1), 256)
    warmup = 2 if seconds >= 4 else 1
    client = load_client(args.client)
    if not shutil.which("nginx"):
        sys.exit("bench: nginx is not installed (apt install nginx)")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` stops the servers
    tmp = Path(tempfile.mkdtemp(prefix="fairheat-edge-"))
    gunicorn: Gunicorn | None = None
    nginx: Nginx | None = None
    try:
        env = prepare_instance(tmp)
        env = {**env, "FAIRHEAT_PROXY_HOPS": "1", "FAIRHEAT_SECRET_KEY": secrets.token_urlsafe(48)}
        gunicorn = Gunicorn("wsgi:app", 2, env, tmp / "gunicorn.log")
        gunicorn.wait_ready(PAGE)
        site_port, static_port = free_port(), free_port()
        nginx = Nginx(nginx_config(tmp, gunicorn.port, site_port, free_port(), static_port))
        body = check_site(site_port)
        (tmp / "static-root" / STATIC_NAME.lstrip("/")).write_bytes(body)
        static = fetch(static_port, STATIC_NAME)
        if static[0] != 200 or len(static[2]) != len(body):
            raise RuntimeError(f"the static file answered {static[0]}, {len(static[2])} bytes")

        targets = {"outage_list": (site_port, PAGE), "static": (static_port, STATIC_NAME)}
        samples: dict[str, list[float]] = {name: [] for name in targets}
        ratios = []
        for round_no in range(rounds):
            order = list(targets) if round_no % 2 == 0 else list(reversed(targets))
            for name in order:
                port, path = targets[name]
                log(f"round {round_no + 1}: {name} {path}, {seconds} s after {warmup} s warm-up")
                samples[name].append(measure(client, port, path, seconds, warmup, connections))
                log(f"{name}: {samples[name][-1]:.0f} requests/s")
            ratios.append(samples["outage_list"][-1] / (samples["static"][-1] or 1.0))
        rates = {name: statistics.median(values) for name, values in samples.items()}
        ratio = statistics.median(ratios)
        version = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
        print(
            json.dumps(
                {
                    "bench": "edge",
                    "outage_list_rps": round(rates["outage_list"], 1),
                    "static_rps": round(rates["static"], 1),
                    "ratio": round(ratio, 3),
                    "target_ratio": TARGET_RATIO,
                    "meets_target": ratio >= TARGET_RATIO,
                    "page_bytes": len(body),
                    "active_outages": ACTIVE_OUTAGES,
                    "round_ratios": [round(r, 3) for r in ratios],
                    "seconds": seconds,
                    "rounds": rounds,
                    "connections": connections,
                    "client": client,
                    "tls": True,
                    "nginx": version.split("/")[-1],
                    "nginx_workers": 1,
                    "upstream": "gunicorn sync, 2 workers",
                    "database": "sqlite",
                }
            ),
            flush=True,
        )
    except Exception:
        if gunicorn is not None:
            log("gunicorn's log:\n" + gunicorn.tail())
        raise
    finally:
        if nginx is not None:
            nginx.stop()
        if gunicorn is not None:
            gunicorn.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
