"""SVG charts of the SLA report, as plain strings: figures in, markup out (STYLE 11).

    availability_bars   one horizontal bar per service: its availability, with its target marked
    budget_burn         the error budget left over the period, one line per service

Every text placed in a chart is escaped; numbers are formatted here, never taken as text. The charts
carry their own sizes (`viewBox`) and fonts (`sans-serif`), so a browser and WeasyPrint draw them
alike, and they fetch nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from html import escape

__all__ = ["Bar", "BurnLine", "availability_bars", "budget_burn"]

_WIDTH = 680
_LABEL = 190
_RIGHT = 70
_ROW = 18
_TOP = 24
_BOTTOM = 26
_UP, _DOWN, _GREY, _INK, _LINE = "#2e7d32", "#c62828", "#9e9e9e", "#222222", "#d0d0d0"
_PALETTE = ("#1f77b4", "#d62728", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b")
_FLOORS = (Decimal(90), Decimal(95), Decimal(98), Decimal(99), Decimal("99.5"), Decimal("99.9"))


@dataclass(frozen=True, slots=True)
class Bar:
    """One service's availability (None: nothing measured) and its target, in percent."""

    label: str
    value: Decimal | None
    target: Decimal


@dataclass(frozen=True, slots=True)
class BurnLine:
    """One service's error budget left (percent of the period's budget) at moments of the period."""

    label: str
    points: tuple[tuple[datetime, float], ...]


def _text(
    x: float, y: float, content: str, *, anchor: str = "start", size: int = 10, fill: str = _INK
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">'
        f"{escape(content)}</text>"
    )


def _svg(height: float, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {_WIDTH} {height:.0f}" '
        f'width="{_WIDTH}" height="{height:.0f}" font-family="sans-serif" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def _floor(bars: Sequence[Bar]) -> Decimal:
    """The axis' lower end: the highest of 90, 95, 98, … that is below every value and target, so the
    differences that matter (99.5 against 99.9) are wide enough to see; 0 if a value is below 90."""
    lowest = min([bar.target for bar in bars] + [bar.value for bar in bars if bar.value is not None])
    candidates = [floor for floor in _FLOORS if floor < lowest]
    return candidates[-1] if candidates else Decimal(0)


def _clip(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def availability_bars(bars: Sequence[Bar], *, title: str = "Availability against target") -> str:
    """Horizontal bars from the axis floor to each availability, green when it meets its target, red
    below it, grey with "no data" when nothing was measured; a dark tick marks each target."""
    if not bars:
        return _svg(_TOP + _BOTTOM, title, [_text(_LABEL, _TOP, "No service to show.")])
    floor = _floor(bars)
    span = float(Decimal(100) - floor)
    plot = _WIDTH - _LABEL - _RIGHT

    def x(value: Decimal) -> float:
        return _LABEL + plot * max(0.0, float(value - floor)) / span

    height = _TOP + _ROW * len(bars) + _BOTTOM
    body = [
        _text(_LABEL, 12, f"{floor} %", anchor="middle", size=9),
        _text(x(Decimal(100)), 12, "100 %", anchor="middle", size=9),
    ]
    for index, bar in enumerate(bars):
        top = _TOP + index * _ROW
        body.append(_text(_LABEL - 6, top + 12, _clip(bar.label), anchor="end"))
        if bar.value is None:
            body.append(_text(_LABEL + 4, top + 12, "no data", fill=_GREY))
        else:
            colour = _UP if bar.value >= bar.target else _DOWN
            width = max(x(bar.value) - _LABEL, 1.0)
            body.append(
                f'<rect x="{_LABEL}" y="{top + 3}" width="{width:.1f}" height="{_ROW - 6}" fill="{colour}"/>'
            )
            body.append(_text(x(bar.value) + 4, top + 12, f"{bar.value} %", size=9))
        tick = x(bar.target)
        marker = f'x1="{tick:.1f}" y1="{top}" x2="{tick:.1f}" y2="{top + _ROW}"'
        body.append(f'<line {marker} stroke="{_INK}" stroke-width="2"/>')
    axis = _TOP + _ROW * len(bars)
    body.append(f'<line x1="{_LABEL}" y1="{axis}" x2="{x(Decimal(100)):.1f}" y2="{axis}" stroke="{_LINE}"/>')
    body.append(_text(_LABEL, axis + 16, "bar: availability; dark tick: target", size=9, fill=_GREY))
    return _svg(height, title, body)


def _nice_step(low: float, high: float) -> float:
    raw = (high - low) / 4
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= raw)


def budget_burn(
    lines: Sequence[BurnLine], *, start: datetime, end: datetime, title: str = "Error budget left"
) -> str:
    """The budget left, in percent of the whole period's budget, from `start` to `end`: 100 % at the
    start, falling while a service is down, below zero once overspent. One coloured line per service
    (at most six), with a legend; a dashed line at zero."""
    height, left, right, top, bottom = 220.0, 50.0, 150.0, 14.0, 30.0
    if not lines:
        return _svg(40, title, [_text(left, 24, "No error budget was spent in this period.")])
    values = [value for line in lines for _, value in line.points]
    low = min(0.0, math.floor(min(values) / 25) * 25)
    step = _nice_step(low, 100.0)
    seconds = max((end - start).total_seconds(), 1.0)
    plot_w, plot_h = _WIDTH - left - right, height - top - bottom

    def xy(at: datetime, value: float) -> str:
        share = min(max((at - start).total_seconds() / seconds, 0.0), 1.0)
        return f"{left + plot_w * share:.1f},{top + plot_h * (100.0 - value) / (100.0 - low):.1f}"

    body = []
    # Multiples of the step, so 0 % (a spent budget, dashed) is always one of them.
    ticks = {100.0} | {step * k for k in range(math.ceil(low / step), math.floor(100.0 / step) + 1)}
    for tick in sorted(ticks, reverse=True):
        y = top + plot_h * (100.0 - tick) / (100.0 - low)
        dash = ' stroke-dasharray="4 3"' if tick == 0 else ""
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{_LINE}"{dash}/>'
        )
        body.append(_text(left - 4, y + 3, f"{tick:g} %", anchor="end", size=9))
    last_day = end - timedelta(microseconds=1)  # the period's end is the next day's midnight
    body.append(_text(left, height - 10, f"{start:%Y-%m-%d}", size=9))
    body.append(_text(left + plot_w, height - 10, f"{last_day:%Y-%m-%d}", anchor="end", size=9))
    for index, line in enumerate(lines[: len(_PALETTE)]):
        colour = _PALETTE[index]
        points = " ".join(xy(at, value) for at, value in line.points)
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.6"/>')
        legend = top + 12 + index * 16
        body.append(
            f'<rect x="{_WIDTH - right + 10}" y="{legend - 8}" width="10" height="10" fill="{colour}"/>'
        )
        body.append(_text(_WIDTH - right + 24, legend, _clip(line.label, 20), size=9))
    return _svg(height, title, body)
