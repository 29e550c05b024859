"""SVG charts for the console, the status pages and the reports: pure functions, values in, markup out.

    uptime_timeline   one bar per row (a service, a monitor), coloured by state over a time window,
                      with a time axis, a legend and a <title> on every coloured span
    latency_chart     one line per series (a monitor's average response time), with axes and a legend

Every text that reaches the markup is escaped; the charts scale to their container (`viewBox`) and
carry `role="img"` with a title and a description for screen readers. Colours are fill attributes, so
a chart prints and renders in a PDF exactly as on screen.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup, escape

from pysteward.server.web.templating import duration, when

__all__ = [
    "STATE_COLOURS",
    "Point",
    "Segment",
    "Series",
    "TimelineRow",
    "latency_chart",
    "nice_ceiling",
    "uptime_timeline",
]

STATE_COLOURS = {
    "up": "#1e8a4c",
    "degraded": "#b26a00",
    "down": "#c62828",
    "maintenance": "#6b5bd2",
    "unknown": "#8a94a6",
}
"""The legend's order and the colours of `steward.css`."""
_WORST_FIRST = ("down", "degraded", "unknown", "maintenance", "up")
_SERIES_COLOURS = ("#1f5fbf", "#d1495b", "#2a9d8f", "#e09f3e", "#6b5bd2", "#3d405b", "#8c564b", "#17becf")
_WIDTH = 1000
_LABEL = 190  # room for the row labels, left of the bars
_ROW, _GAP = 22, 8


@dataclass(frozen=True, slots=True)
class Segment:
    """A span of one state (`up`, `down`, `degraded`, `maintenance`, `unknown`)."""

    start: datetime
    end: datetime
    state: str


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """One bar of a timeline: a label and its spans, in order, without overlaps."""

    label: str
    segments: Sequence[Segment]


@dataclass(frozen=True, slots=True)
class Point:
    """A value at a time; None: no data there (the line breaks)."""

    at: datetime
    value: float | None


@dataclass(frozen=True, slots=True)
class Series:
    """One line of a chart."""

    label: str
    points: Sequence[Point]


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _bucketed(segments: Sequence[Segment], start: datetime, end: datetime, count: int) -> list[Segment]:
    """`segments` as `count` equal buckets, each in the worst state seen in it, neighbours merged.

    A month of per-minute flapping would otherwise be thousands of slivers no one can see or point at;
    the worst state is kept so that no outage disappears, however short."""
    step = (end - start) / count
    rank = {state: index for index, state in enumerate(_WORST_FIRST)}
    merged: list[Segment] = []
    first = 0
    for n in range(count):
        low, high = start + step * n, start + step * (n + 1)
        while first < len(segments) and segments[first].end <= low:
            first += 1
        state, index = "", first
        while index < len(segments) and segments[index].start < high:
            seen = segments[index].state
            if not state or rank.get(seen, len(rank)) < rank.get(state, len(rank)):
                state = seen
            index += 1
        state = state or "unknown"
        if merged and merged[-1].state == state:
            merged[-1] = Segment(merged[-1].start, high, state)
        else:
            merged.append(Segment(low, high, state))
    return merged


def _time_ticks(start: datetime, end: datetime, *, most: int) -> list[datetime]:
    """Round times between `start` and `end`, at most `most` of them: hours or days."""
    span = (end - start).total_seconds()
    for step_hours in (1, 2, 3, 6, 12, 24, 48, 72, 24 * 7):
        if span / (step_hours * 3600) <= most:
            break
    step = timedelta(hours=step_hours)
    first = start.replace(minute=0, second=0, microsecond=0)
    if step_hours >= 24:
        first = first.replace(hour=0)
    ticks = []
    moment = first
    while moment <= end:
        if moment >= start:
            ticks.append(moment)
        moment += step
    return ticks


def _tick_label(moment: datetime, span: timedelta) -> str:
    return moment.strftime("%H:%M") if span <= timedelta(days=2) else moment.strftime("%d %b")


def _x(moment: datetime, start: datetime, end: datetime, left: float, right: float) -> float:
    share = (moment - start) / (end - start) if end > start else 0.0
    return left + (right - left) * min(max(share, 0.0), 1.0)


def _open_svg(chart_id: str, title: str, description: str, height: int) -> list[str]:
    cid = escape(chart_id)
    return [
        f'<svg class="chart" id="{cid}" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" xmlns="http://www.w3.org/2000/svg" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description)}</desc>',
    ]


def _segment_title(label: str, segment: Segment, bucketed: bool) -> str:
    length = duration((segment.end - segment.start).total_seconds())
    what = f"worst state {segment.state}" if bucketed else segment.state
    return f"{label}: {what}, {when(segment.start)} → {when(segment.end)} ({length})"


def uptime_timeline(
    rows: Sequence[TimelineRow],
    *,
    start: datetime,
    end: datetime,
    title: str,
    chart_id: str = "uptime",
    buckets: int = 360,
) -> Markup:
    """A bar per row over [start, end); a row with more than `buckets` spans is drawn as `buckets`
    equal slices in the worst state of each (so a short outage stays visible)."""
    axis_y = len(rows) * (_ROW + _GAP) + 4
    height = axis_y + 56
    right = _WIDTH - 10
    description = (
        f"{len(rows)} row{'s' if len(rows) != 1 else ''} from {when(start)} to {when(end)}; "
        "colours: " + ", ".join(STATE_COLOURS)
    )
    parts = _open_svg(chart_id, title, description, height)
    for index, row in enumerate(rows):
        y = index * (_ROW + _GAP) + 4
        parts.append(
            f'<text x="{_LABEL - 8}" y="{y + _ROW / 2 + 4}" text-anchor="end" fill="#1d2330">'
            f"{escape(_clip(row.label, 28))}<title>{escape(row.label)}</title></text>"
        )
        parts.append(f'<rect x="{_LABEL}" y="{y}" width="{right - _LABEL}" height="{_ROW}" fill="#eef1f5"/>')
        segments = list(row.segments)
        bucketed = len(segments) > buckets
        if bucketed:
            segments = _bucketed(segments, start, end, buckets)
        for segment in segments:
            a, b = _x(segment.start, start, end, _LABEL, right), _x(segment.end, start, end, _LABEL, right)
            if b <= a:
                continue
            colour = STATE_COLOURS.get(segment.state, STATE_COLOURS["unknown"])
            parts.append(
                f'<rect x="{a:.2f}" y="{y}" width="{max(b - a, 0.6):.2f}" height="{_ROW}" fill="{colour}" '
                f'class="span {escape(segment.state)}"><title>'
                f"{escape(_segment_title(row.label, segment, bucketed))}</title></rect>"
            )
    parts.extend(_time_axis(start, end, axis_y, _LABEL, right, most=8))
    parts.extend(_legend(list(STATE_COLOURS.items()), height - 14))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _time_axis(
    start: datetime, end: datetime, y: float, left: float, right: float, *, most: int
) -> list[str]:
    parts = [f'<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="#5b6474"/>']
    for tick in _time_ticks(start, end, most=most):
        x = _x(tick, start, end, left, right)
        parts.append(f'<line x1="{x:.2f}" y1="{y}" x2="{x:.2f}" y2="{y + 5}" stroke="#5b6474"/>')
        parts.append(
            f'<text x="{x:.2f}" y="{y + 18}" text-anchor="middle" fill="#5b6474">'
            f"{escape(_tick_label(tick, end - start))}</text>"
        )
    return parts


def _legend(entries: Sequence[tuple[str, str]], y: float) -> list[str]:
    parts = [f'<g class="legend" transform="translate({_LABEL},{y})">']
    x = 0.0
    for label, colour in entries:
        shown = _clip(label, 32)
        parts.append(f'<rect x="{x:.1f}" y="-10" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 17:.1f}" y="0" fill="#1d2330">{escape(shown)}</text>')
        x += 17 + 7.2 * len(shown) + 22
    parts.append("</g>")
    return parts


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × a power of ten that is at least `value` (1 for nothing)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(factor * power for factor in (1.0, 2.0, 2.5, 5.0, 10.0) if factor * power >= value)


def _paths(
    points: Sequence[Point], start: datetime, end: datetime, top: float, box: tuple[float, ...]
) -> list[str]:
    """Runs of consecutive values as SVG point lists (a None breaks the line)."""
    left, right, upper, lower = box
    runs: list[list[str]] = [[]]
    for point in points:
        if point.value is None or not start <= point.at <= end:
            if runs[-1]:
                runs.append([])
            continue
        x = _x(point.at, start, end, left, right)
        y = lower - (lower - upper) * min(point.value / top, 1.0)
        runs[-1].append(f"{x:.1f},{y:.1f}")
    return [" ".join(run) for run in runs if run]


def latency_chart(
    series: Sequence[Series],
    *,
    start: datetime,
    end: datetime,
    title: str,
    unit: str = "ms",
    chart_id: str = "latency",
) -> Markup:
    """One line per series over [start, end), on a value axis from 0 to a round number above the
    largest value; a single point of a run is drawn as a dot."""
    left, right, upper, lower = 70.0, float(_WIDTH - 10), 12.0, 212.0
    values = [p.value for s in series for p in s.points if p.value is not None]
    top = nice_ceiling(max(values, default=0.0))
    height = 290
    described = "; ".join(_series_summary(s, unit) for s in series) or "no data"
    parts = _open_svg(chart_id, title, f"{when(start)} to {when(end)}: {described}", height)
    for n in range(5):
        value = top * n / 4
        y = lower - (lower - upper) * n / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#d9dee7"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#5b6474">'
            f"{escape(_num(value))} {escape(unit)}</text>"
        )
    if not values:
        parts.append(
            f'<text x="{(left + right) / 2}" y="{(upper + lower) / 2}" text-anchor="middle" '
            'fill="#5b6474">No response times in this period</text>'
        )
    entries = []
    for index, one in enumerate(series):
        colour = _SERIES_COLOURS[index % len(_SERIES_COLOURS)]
        entries.append((one.label, colour))
        for run in _paths(one.points, start, end, top, (left, right, upper, lower)):
            tip = f"<title>{escape(_series_summary(one, unit))}</title>"
            if " " in run:
                parts.append(
                    f'<polyline points="{run}" fill="none" stroke="{colour}" stroke-width="2" '
                    f'stroke-linejoin="round">{tip}</polyline>'
                )
            else:
                cx, cy = run.split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}">{tip}</circle>')
    parts.extend(_time_axis(start, end, lower, left, right, most=8))
    parts.extend(_legend(entries, height - 14))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above went through escape()


def _series_summary(series: Series, unit: str) -> str:
    values = sorted(p.value for p in series.points if p.value is not None)
    if not values:
        return f"{series.label}: no data"
    median = values[len(values) // 2]
    return f"{series.label}: median {_num(median)} {unit}, highest {_num(values[-1])} {unit}"
