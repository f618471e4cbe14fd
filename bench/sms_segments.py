"""What every SMS costs, per language, and what Polish transliteration saves (one JSON line).

    .venv/bin/python bench/sms_segments.py [--utility "Lämpö- ja Vesilaitos"]

Renders every notice, reply and code SMS (notifications.sms.samples) for an interruption on
each weekday, in every language, under the FI and the PL jurisdiction, with a 20-character
utility name, and counts segments as sent: Polish once in UCS-2 (diacritics kept) and once
transliterated (FAIRHEAT_SMS_TRANSLITERATE_POLISH=1). The baseline in the same run is Polish
as sent without transliteration. No database is touched (SQLite in memory, no tables).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import log  # noqa: E402

FIRST_MONDAY = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)  # 8.00 in Helsinki
JURISDICTIONS = {
    "FI": ("Lämpö- ja Vesilaitos", "https://lampo.example.fi"),
    "PL": ("Ciepłownia Łódź S.A.", "https://mpec.example.pl"),
}


def _app(code: str, utility: str, base_url: str, transliterate: bool) -> Any:
    from config import load_settings
    from service.app import create_app

    environ = {
        "FAIRHEAT_ENV": "test",
        "FAIRHEAT_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
        "FAIRHEAT_DATABASE_URL": "sqlite://",
        "FAIRHEAT_JURISDICTION": code,
        "FAIRHEAT_UTILITY_NAME": utility,
        "FAIRHEAT_PUBLIC_BASE_URL": base_url,
        "FAIRHEAT_SMS_TRANSLITERATE_POLISH": "1" if transliterate else "0",
    }
    settings = load_settings(environ, instance_path=Path(tempfile.mkdtemp()))
    return create_app({"FAIRHEAT": settings, "TESTING": True})


def measure(utility: str | None = None) -> dict[str, Any]:
    """Segments per language (worst weekday per message, summed over messages)."""
    from notifications.sms.samples import cost, every_sms

    worst: dict[tuple[str, str, str, bool], int] = defaultdict(int)
    notices: set[str] = set()
    for code, (name, base_url) in JURISDICTIONS.items():
        for translit in (False, True):  # the setting decides whether the stop line fits
            app = _app(code, utility or name, base_url, translit)
            with app.app_context():
                for day in range(7):
                    start = FIRST_MONDAY + dt.timedelta(days=day, hours=2)
                    for lang in ("fi", "sv", "en", "pl"):
                        for sample in every_sms(lang, start):
                            if sample.notice:
                                notices.add(sample.name)
                            key = (code, lang, sample.name, translit)
                            segments = cost(sample, transliterate=translit).segments
                            worst[key] = max(worst[key], segments)
    figures: dict[str, Any] = {}
    for code in JURISDICTIONS:
        for lang, translit, label in (
            ("fi", True, "fi"),
            ("sv", True, "sv"),
            ("en", True, "en"),
            ("pl", False, "pl_ucs2"),
            ("pl", True, "pl_transliterated"),
        ):
            wanted = (code, lang, translit)
            mine = {n: v for (c, lg, n, t), v in worst.items() if (c, lg, t) == wanted}
            figures[f"{code}_{label}_segments"] = sum(mine.values())
            notice_total = sum(v for n, v in mine.items() if n in notices)
            figures[f"{code}_{label}_notice_segments"] = notice_total
    messages = len({name for (_, _, name, _) in worst})
    figures["notices"] = len(notices)
    pl = figures["PL_pl_ucs2_segments"]
    figures.update(
        messages=messages,
        baseline="PL_pl_ucs2_segments",
        pl_transliteration_saves_share=round(1 - figures["PL_pl_transliterated_segments"] / pl, 3),
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--utility", help="utility name for both jurisdictions")
    args = parser.parse_args()
    log("rendering every SMS in four languages, FI and PL, seven weekdays")
    print(json.dumps(measure(args.utility), sort_keys=True))


if __name__ == "__main__":
    main()
