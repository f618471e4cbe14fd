"""Screenshots of the product for the README: `make screenshots`.

    .venv/bin/python tools/screenshots.py [OUTPUT_DIR]

Builds a throwaway SQLite site with the demo data (as `make run` does), serves it on a free
loopback port, and photographs with Debian's Chromium (/usr/bin/chromium, driven by Playwright)
the public home, a notice, the address answers (now, planned, no, outside the network) and the
dispatcher's new-interruption form, each at a phone's 390 px and a desktop's 1280 px, into
docs/screenshots/ (or OUTPUT_DIR). Needs no network: the map draws without tiles.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
WIDTHS = {"phone": (390, 1400), "desktop": (1280, 1000)}
DISPATCHER = ("dispatcher@demo.fairheat.example", "demo-dispatcher-password")
# (file name, path); the demo data's Helsinki notices (notifications/demo.py).
PUBLIC = [
    ("home-fi", "/fi/"),
    ("lookup-now-fi", "/fi/lookup?postcode=00100&street=Kalevankatu&number=5"),
    ("lookup-planned-en", "/en/lookup?postcode=00120&street=Uudenmaankatu&number=3"),
    ("lookup-no-pl", "/pl/lookup?postcode=00100&street=Annankatu&number=21"),
    ("lookup-outside-sv", "/sv/lookup?postcode=99999&street=&number="),
    ("feedback-fi", "/fi/feedback"),
]
STAFF = [("staff-new-unplanned-en", "/staff/outages/new?kind=unplanned")]


def _prepare(instance: Path) -> object:
    """The app on a fresh SQLite file, migrated, with the demo data."""
    os.environ.update(
        {
            "FAIRHEAT_ENV": "development",
            "FAIRHEAT_DATABASE_URL": f"sqlite:///{instance / 'screenshots.sqlite3'}",
            "FAIRHEAT_SECRET_KEY": "screenshots-only-" + "x" * 32,
            "FAIRHEAT_SERVED_POSTCODES": "00*,01*,02*",
        }
    )
    from flask_migrate import upgrade

    from service.app import create_app
    from service.demo import load_demo

    app = create_app()
    with app.app_context():
        upgrade()
        load_demo()
    return app


def main(output: Path) -> int:
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    output.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as instance:
        app = _prepare(Path(instance))
        server = make_server("127.0.0.1", 0, app, threaded=True)  # type: ignore[arg-type]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            for size, (width, height) in WIDTHS.items():
                context = browser.new_context(
                    base_url=base, locale="en-GB", viewport={"width": width, "height": height}
                )
                page = context.new_page()
                page.goto("/fi/")
                notice = page.locator(".outage h3 a").first.get_attribute("href")
                for name, path in [*PUBLIC, ("notice-fi", notice or "/fi/")]:
                    page.goto(path)
                    page.screenshot(path=str(output / f"{name}-{size}.png"))
                page.goto("/staff/login")
                page.locator("#email").fill(DISPATCHER[0])
                page.locator("#password").fill(DISPATCHER[1])
                page.locator("#password").press("Enter")
                page.wait_for_url("**/staff/outages/")
                for name, path in STAFF:
                    page.goto(path)
                    page.locator("#cause").select_option("leak")
                    page.locator("#areas-0-postcode").fill("00530")
                    page.locator("#areas-0-street").fill("Hämeentie")
                    page.locator("#areas-0-street").dispatch_event("input")
                    page.wait_for_timeout(1200)  # the live preview
                    page.screenshot(path=str(output / f"{name}-{size}.png"))
                context.close()
            browser.close()
        server.shutdown()
    written = sorted(p.name for p in output.glob("*.png"))
    print(f"screenshots: {len(written)} in {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"))
