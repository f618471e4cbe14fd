"""The report's charts as plain SVG, drawn from the registers while they are written.

Each chart watches the rows of one register as the CSV is written (one pass over the data):
interruptions per month, answers against their deadlines per month, emergency calls answered
per hour of the day. A chart whose register or columns no domain provides is simply not drawn.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from service.evidence import Period, Register

WIDTH, HEIGHT, MARGIN = 640, 220, 36
COLOURS = ("#1f5f8b", "#d1495b", "#8c8c8c")


@dataclass
class Chart:
    """Counts per bucket and series; `svg()` draws stacked bars."""

    title: str
    buckets: list[str]
    series: list[str]  # localized names, in COLOURS order
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, bucket: str, series: str) -> None:
        self.counts[(bucket, series)] += 1

    @property
    def empty(self) -> bool:
        return not self.counts

    def svg(self) -> str:
        totals = [sum(self.counts[(b, s)] for s in self.series) for b in self.buckets]
        top = max(totals + [1])
        step = (WIDTH - 2 * MARGIN) / max(len(self.buckets), 1)
        bar = step * 0.7
        scale = (HEIGHT - 2 * MARGIN) / top
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'role="img" aria-label="{escape(self.title)}" class="chart">',
            f"<title>{escape(self.title)}</title>",
            f'<text x="{MARGIN}" y="14" font-size="12" font-weight="bold">'
            f"{escape(self.title)}</text>",
            f'<line x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" '
            f'y2="{HEIGHT - MARGIN}" stroke="#333"/>',
            f'<text x="{MARGIN - 4}" y="{MARGIN}" text-anchor="end" font-size="10">{top}</text>',
        ]
        for index, bucket in enumerate(self.buckets):
            x = MARGIN + index * step + (step - bar) / 2
            y: float = HEIGHT - MARGIN
            for colour, series in zip(COLOURS, self.series, strict=False):
                count = self.counts[(bucket, series)]
                if count:
                    height = count * scale
                    y -= height
                    parts.append(
                        f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{height:.1f}" '
                        f'fill="{colour}"><title>{escape(bucket)}: {escape(series)} {count}'
                        "</title></rect>"
                    )
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - MARGIN + 12}" text-anchor="middle" '
                f'font-size="9">{escape(bucket)}</text>'
            )
        for index, (colour, series) in enumerate(zip(COLOURS, self.series, strict=False)):
            x = MARGIN + index * 150
            parts.append(
                f'<rect x="{x}" y="{HEIGHT - 14}" width="10" height="10" fill="{colour}"/>'
            )
            parts.append(
                f'<text x="{x + 14}" y="{HEIGHT - 5}" font-size="10">{escape(series)}</text>'
            )
        parts.append("</svg>")
        return "".join(parts)


def _months(period: Period) -> list[str]:
    months, day = [], period.first.replace(day=1)
    while day <= period.last:
        months.append(day.strftime("%Y-%m"))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


class ChartWatcher:
    """Looks at one register's rows as they go by and fills a chart."""

    def __init__(
        self, chart: Chart, bucket: int, series: object, zone: zoneinfo.ZoneInfo, by: str = "month"
    ) -> None:
        self.chart = chart
        self._by = by
        self._bucket = bucket
        self._series = series
        self._zone = zone

    def see(self, row: Sequence[object]) -> None:
        when = row[self._bucket]
        if not isinstance(when, dt.datetime):
            return
        local = (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).astimezone(self._zone)
        series = self._series(row)  # type: ignore[operator]
        if series is not None:
            bucket = local.strftime("%Y-%m") if self._by == "month" else f"{local.hour:02d}"
            if bucket in self.chart.buckets:
                self.chart.add(bucket, series)


def watchers_for(
    register: Register, period: Period, timezone: str, labels: dict[str, str]
) -> list[ChartWatcher]:
    """The charts this register feeds (by its name and columns), possibly none."""
    names = [c.name for c in register.columns]
    zone = zoneinfo.ZoneInfo(timezone)
    found: list[ChartWatcher] = []
    if register.name == "interruptions" and {"starts_at", "kind"} <= set(names):
        kind = names.index("kind")
        chart = Chart(
            labels["interruptions_per_month"],
            _months(period),
            [labels["planned"], labels["unplanned"]],
        )
        found.append(
            ChartWatcher(
                chart,
                names.index("starts_at"),
                lambda row: labels["planned"] if row[kind] == "planned" else labels["unplanned"],
                zone,
            )
        )
    if register.name == "cases" and {"received_at", "answered_in_time"} <= set(names):
        in_time = names.index("answered_in_time")
        series = [labels["in_time"], labels["late"], labels["open"]]

        def case_series(row: Sequence[object]) -> str:
            value = row[in_time]
            return series[2] if value is None else series[0] if value else series[1]

        chart = Chart(labels["answers_against_deadlines"], _months(period), series)
        found.append(ChartWatcher(chart, names.index("received_at"), case_series, zone))
    # Calls by the hour they came in: answered (an answered_at, or an `answered` flag) or not.
    answered_column = next((n for n in ("answered_at", "answered") if n in names), None)
    if register.name == "emergency_calls" and answered_column is not None:
        times = [c.name for c in register.columns if c.type.value == "datetime"]
        received = "received_at" if "received_at" in names else (times[0] if times else None)
        if received is not None:
            answered = names.index(answered_column)
            series = [labels["answered"], labels["not_answered"]]
            chart = Chart(labels["calls_per_hour"], [f"{h:02d}" for h in range(24)], series)
            found.append(
                ChartWatcher(
                    chart,
                    names.index(received),
                    lambda row: series[0] if row[answered] else series[1],
                    zone,
                    by="hour",
                )
            )
    return found
