"""The console's SVG charts: well-formed, accessible, escaped, proportional, and bounded in size."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from pysteward.server.web.charts import (
    STATE_COLOURS,
    Point,
    Segment,
    Series,
    TimelineRow,
    latency_chart,
    nice_ceiling,
    uptime_timeline,
)

SVG = "{http://www.w3.org/2000/svg}"
START = datetime(2026, 11, 1, tzinfo=UTC)
END = START + timedelta(days=7)


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def _title(element: ET.Element) -> str:
    """The text of `element`'s <title> child."""
    found = element.find(f"{SVG}title")
    assert found is not None and found.text is not None
    return found.text


def _spans(root: ET.Element) -> list[ET.Element]:
    return [rect for rect in root.iter(f"{SVG}rect") if "span" in rect.get("class", "")]


def test_a_timeline_is_an_accessible_image_with_a_legend_of_every_state() -> None:
    row = TimelineRow(
        "home page",
        [Segment(START, START + timedelta(days=2), "up"), Segment(START + timedelta(days=2), END, "down")],
    )
    root = _parse(uptime_timeline([row], start=START, end=END, title="Uptime", chart_id="u1"))
    assert root.get("role") == "img" and root.get("aria-labelledby") == "u1-title u1-desc"
    assert root.find(f"{SVG}title").text == "Uptime"  # type: ignore[union-attr]
    legend = [t.text for t in root.iter(f"{SVG}text") if t.text in STATE_COLOURS]
    assert legend == list(STATE_COLOURS)
    up, down = _spans(root)
    assert (up.get("fill"), down.get("fill")) == (STATE_COLOURS["up"], STATE_COLOURS["down"])
    # Two days of seven, then five: the widths follow the time.
    assert float(down.get("width", 0)) / float(up.get("width", 0)) == pytest.approx(2.5, rel=0.01)
    tip = _title(down)
    assert tip == "home page: down, 2026-11-03 00:00 UTC → 2026-11-08 00:00 UTC (5 d 0 h)"


def test_labels_and_titles_are_escaped() -> None:
    hostile = '<script>alert("x")</script> & co'
    row = TimelineRow(hostile, [Segment(START, END, "up")])
    markup = uptime_timeline([row], start=START, end=END, title=hostile)
    line = latency_chart([Series(hostile, [Point(START, 12.0)])], start=START, end=END, title=hostile)
    for text in (markup, line):
        assert "<script>" not in text and "&lt;script&gt;" in text
        _parse(text)


def test_a_long_flapping_row_is_drawn_as_buckets_in_the_worst_state_seen() -> None:
    segments = []
    at = START
    while at < END:  # one minute down every ten minutes for a week: 2,016 spans
        segments += [
            Segment(at, at + timedelta(minutes=9), "up"),
            Segment(at + timedelta(minutes=9), at + timedelta(minutes=10), "down"),
        ]
        at += timedelta(minutes=10)
    root = _parse(
        uptime_timeline([TimelineRow("api", segments)], start=START, end=END, title="t", buckets=84)
    )
    spans = _spans(root)
    assert len(spans) == 1 and spans[0].get("class") == "span down"  # every bucket saw an outage
    assert "worst state down" in _title(spans[0])


def test_short_outages_stay_visible_beside_long_up_stretches_when_bucketed() -> None:
    segments = [
        Segment(START, START + timedelta(days=3), "up"),
        Segment(START + timedelta(days=3), START + timedelta(days=3, seconds=30), "down"),
        Segment(START + timedelta(days=3, seconds=30), END, "maintenance"),
    ]
    root = _parse(uptime_timeline([TimelineRow("db", segments)], start=START, end=END, title="t", buckets=2))
    assert [s.get("class") for s in _spans(root)] == ["span down", "span maintenance"]


def test_the_time_axis_marks_days_for_a_week_and_hours_for_a_day() -> None:
    week = _parse(uptime_timeline([], start=START, end=END, title="t"))
    assert [t.text for t in week.iter(f"{SVG}text")][:2] == ["01 Nov", "02 Nov"]
    day = _parse(latency_chart([], start=START, end=START + timedelta(days=1), title="t"))
    hours = [t.text for t in day.iter(f"{SVG}text") if t.text and re.fullmatch(r"\d\d:\d\d", t.text)]
    assert hours[:3] == ["00:00", "03:00", "06:00"]


def test_a_latency_chart_draws_lines_broken_by_gaps_and_a_dot_for_a_lone_value() -> None:
    points = [
        Point(START + timedelta(hours=h), v)
        for h, v in ((0, 100.0), (1, 200.0), (2, None), (3, 120.0), (4, None), (5, 80.0), (6, 90.0))
    ]
    root = _parse(
        latency_chart([Series("home", points)], start=START, end=START + timedelta(hours=6), title="t")
    )
    lines = list(root.iter(f"{SVG}polyline"))
    dots = list(root.iter(f"{SVG}circle"))
    assert (len(lines), len(dots)) == (2, 1)
    assert "median 100 ms, highest 200 ms" in _title(lines[0])
    scale = [t.text for t in root.iter(f"{SVG}text") if t.text and t.text.endswith(" ms")]
    assert scale == ["0 ms", "50 ms", "100 ms", "150 ms", "200 ms"]


def test_a_latency_chart_without_values_says_so() -> None:
    root = _parse(latency_chart([Series("heartbeat", [Point(START, None)])], start=START, end=END, title="t"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "No response times in this period" in texts
    desc = root.find(f"{SVG}desc")
    assert desc is not None and "heartbeat: no data" in (desc.text or "")


@pytest.mark.parametrize(
    ("value", "ceiling"), [(0, 1.0), (0.7, 1.0), (3, 5.0), (180, 200.0), (201, 250.0), (999, 1000.0)]
)
def test_the_value_axis_ends_on_a_round_number(value: float, ceiling: float) -> None:
    assert nice_ceiling(value) == ceiling
