"""Every figure of evidence.json against the hand-computed values of a known quarter that ends
in summer time, with rows just inside and outside both ends."""

from __future__ import annotations

import json
import zipfile

import pytest

from tests.service.compliance.known_data import EXPECTED


def _evidence(bundle):
    with zipfile.ZipFile(bundle) as archive:
        return json.loads(archive.read("evidence.json"))


def test_every_figure_matches_its_hand_computed_value(known, signing_key, export):
    result, _ = export()
    assert result.exit_code == 0, result.output
    evidence = _evidence(result.stdout.strip().splitlines()[-1])
    figures = {f["id"]: f for f in evidence["figures"]}
    for figure_id, expected in EXPECTED.items():
        assert figures[figure_id]["value"] == pytest.approx(expected, abs=1e-6), figure_id
        assert figures[figure_id]["period"] == "2025-01-01..2025-03-31"


def test_figures_sit_under_their_standards_with_verdicts(known, signing_key, export):
    result, _ = export()
    evidence = _evidence(result.stdout.strip().splitlines()[-1])
    marks = {m["mark"]: {s["code"]: s for s in m["standards"]} for m in evidence["marks"]}
    a3 = {f["id"]: f for f in marks["cieplo-systemowe"]["A3"]["figures"]}
    assert a3["planned_interruptions_notified_in_time_share"]["verdict"] == "not_met"  # 2/3 < 1
    assert a3["interruptions_total"]["verdict"] == "reported"
    assert marks["cieplo-systemowe"]["A3"]["verdict"] == "not_met"
    # A1 rests on a declaration nobody made: no data, never "met".
    assert marks["cieplo-systemowe"]["A1"]["verdict"] == "no_data"
    r2 = {f["id"]: f for f in marks["reilu"]["R2"]["figures"]}
    assert r2["feedback_answered_within_7_working_days_share"]["verdict"] == "not_met"
    assert r2["median_answer_hours"]["verdict"] == "reported"


def test_a_figure_no_domain_provides_is_no_data(known, signing_key, export, monkeypatch):
    from service.compliance import marks

    standard = marks.CIEPLO_SYSTEMOWE.standards[0]
    patched = marks.Standard(standard.code, standard.title, standard.source, ("no_such_figure",))
    mark = marks.Mark("cieplo-systemowe", "Ciepło Systemowe", (patched,))
    monkeypatch.setitem(marks.MARKS, "cieplo-systemowe", mark)
    result, _ = export(mark="cieplo-systemowe")
    assert result.exit_code == 0, result.output
    evidence = _evidence(result.stdout.strip().splitlines()[-1])
    (standard_entry,) = evidence["marks"][0]["standards"]
    (figure,) = standard_entry["figures"]
    assert figure["id"] == "no_such_figure"
    assert figure["value"] is None and figure["verdict"] == "no_data"
    assert standard_entry["verdict"] == "no_data"


def test_charts_follow_the_registers_that_exist():
    """Calls per hour of the day are drawn only from an emergency register that has the data."""
    import datetime as dt

    from service.compliance.charts import watchers_for
    from service.evidence import Column, FieldType, Period, Register

    labels = {
        k: k
        for k in (
            "interruptions_per_month", "planned", "unplanned", "answers_against_deadlines",
            "in_time", "late", "open", "calls_per_hour", "answered", "not_answered",
        )
    }  # fmt: skip
    period = Period.parse("2025-03")
    calls = Register(
        "emergency_calls",
        "Calls",
        (
            Column("id", FieldType.INTEGER),
            Column("received_at", FieldType.DATETIME),
            Column("answered_at", FieldType.DATETIME),
        ),
        lambda: [],
    )
    (watcher,) = watchers_for(calls, period, "Europe/Helsinki", labels)
    # 21:30 UTC on 29 March is 23:30 in Helsinki (winter time); 21:30 on the 30th is 00:30.
    watcher.see((1, dt.datetime(2025, 3, 29, 21, 30, tzinfo=dt.UTC), None))
    watcher.see((2, dt.datetime(2025, 3, 30, 21, 30, tzinfo=dt.UTC), dt.datetime.now(dt.UTC)))
    assert watcher.chart.counts == {("23", "not_answered"): 1, ("00", "answered"): 1}
    assert "<svg" in watcher.chart.svg()
    no_times = Register("emergency_calls", "Calls", (Column("id", FieldType.INTEGER),), list)
    assert watchers_for(no_times, period, "Europe/Helsinki", labels) == []
