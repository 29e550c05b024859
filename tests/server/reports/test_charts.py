"""The report's SVG charts: pure functions, figures in, markup out."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from pysteward.server.reports.charts import Bar, BurnLine, availability_bars, budget_burn

SVG = "{http://www.w3.org/2000/svg}"
START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)


def _texts(svg: str) -> list[str]:
    return [element.text or "" for element in ET.fromstring(svg).iter(f"{SVG}text")]


def _rects(svg: str) -> list[dict[str, str]]:
    return [element.attrib for element in ET.fromstring(svg).iter(f"{SVG}rect")]


def test_bars_are_green_at_or_above_target_and_red_below() -> None:
    svg = availability_bars(
        [Bar("shop", Decimal("99.930"), Decimal("99.9")), Bar("api", Decimal("99.5"), Decimal("99.9"))]
    )
    assert [rect["fill"] for rect in _rects(svg)] == ["#2e7d32", "#c62828"]
    assert {"shop", "api", "99.930 %", "99.5 %"} <= set(_texts(svg))
    # The axis starts at 99 %: the highest floor below every value and target.
    assert _texts(svg)[:2] == ["99 %", "100 %"]


def test_a_bars_length_and_its_target_tick_follow_the_axis() -> None:
    svg = availability_bars([Bar("shop", Decimal("99.95"), Decimal("99.9"))])
    [rect] = _rects(svg)
    # The axis runs from 99.5 (below the target, 99.9) to 100 over 420 px from x=190.
    assert _texts(svg)[0] == "99.5 %"
    assert float(rect["width"]) == pytest.approx(378.0)
    ticks = [
        line.attrib
        for line in ET.fromstring(svg).iter(f"{SVG}line")
        if line.attrib.get("stroke-width") == "2"
    ]
    assert [float(tick["x1"]) for tick in ticks] == [pytest.approx(190 + 336.0)]


def test_a_service_without_data_has_no_bar_and_says_so() -> None:
    svg = availability_bars([Bar("batch", None, Decimal("99.9"))])
    assert _rects(svg) == []
    assert "no data" in _texts(svg)


def test_a_value_far_below_target_puts_the_axis_at_zero() -> None:
    assert _texts(availability_bars([Bar("down", Decimal("42.000"), Decimal("99.9"))]))[0] == "0 %"


def test_no_service_gives_a_short_chart_saying_so() -> None:
    assert _texts(availability_bars([])) == ["No service to show."]
    assert _texts(budget_burn([], start=START, end=END)) == ["No error budget was spent in this period."]


def test_labels_are_escaped_and_long_ones_clipped() -> None:
    name = '<script>alert("x")</script> & a very long service name indeed'
    svg = availability_bars([Bar(name, Decimal("99.99"), Decimal("99.9"))], title='Title "quoted" <b>')
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'aria-label="Title &quot;quoted&quot; &lt;b&gt;"' in svg
    [label] = [text for text in _texts(svg) if text.startswith("<script>")]
    assert len(label) == 30 and label.endswith("…")
    ET.fromstring(svg)  # still well-formed XML


def test_the_burn_chart_draws_one_line_per_service_with_zero_dashed() -> None:
    middle = START + timedelta(days=15)
    lines = [
        BurnLine("shop", ((START, 100.0), (middle, 100.0), (middle, 40.0), (END, 40.0))),
        BurnLine("api", ((START, 100.0), (middle, -120.0), (END, -120.0))),
    ]
    svg = budget_burn(lines, start=START, end=END)
    root = ET.fromstring(svg)
    polylines = list(root.iter(f"{SVG}polyline"))
    assert [line.attrib["stroke"] for line in polylines] == ["#1f77b4", "#d62728"]
    first = polylines[0].attrib["points"].split()
    assert first[0] == "50.0,14.0" and first[-1].startswith("530.0,")  # start top left, end right edge
    labels = _texts(svg)
    # The axis reaches -125 %, below the lowest point; ticks every 100 %.
    assert {"100 %", "0 %", "-100 %", "shop", "api", "2026-11-01", "2026-11-30"} <= set(labels)
    dashed = [line.attrib for line in root.iter(f"{SVG}line") if "stroke-dasharray" in line.attrib]
    assert len(dashed) == 1  # the 0 % line
    assert re.search(r'viewBox="0 0 680 220"', svg)


def test_the_burn_chart_shows_at_most_six_services() -> None:
    lines = [BurnLine(f"s{n}", ((START, 100.0), (END, 50.0))) for n in range(8)]
    svg = budget_burn(lines, start=START, end=END)
    assert len(list(ET.fromstring(svg).iter(f"{SVG}polyline"))) == 6
    assert "s6" not in _texts(svg)
