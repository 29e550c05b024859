"""One template, two outputs: the report's HTML (Jinja2) and its PDF (WeasyPrint, from that HTML).

    render_html(data, version=…)   the self-contained HTML page: inline CSS, inline SVG charts
    render_pdf(html)               the PDF of that page, A4

The page fetches nothing: styles and charts are inline, and WeasyPrint is handed a URL fetcher that
refuses every URL but `data:`, so a service name that looks like markup or a URL can never make the
server fetch anything while rendering (it is escaped anyway). Times are shown in the report's time
zone, with its abbreviation.
"""

from __future__ import annotations

import functools
import html as markup
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import jinja2
from markupsafe import Markup

from pysteward.server.incidents.models import TimerState
from pysteward.server.reports.charts import Bar, BurnLine, availability_bars, budget_burn
from pysteward.server.reports.data import ReportData, budget_left, key_figures
from pysteward.server.web.templating import environment

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

__all__ = [
    "BAR_LIMIT",
    "BURN_LIMIT",
    "TEMPLATES",
    "local_time",
    "render_html",
    "render_pdf",
    "stated_figures",
]

TEMPLATES = Path(__file__).parent / "templates"
BAR_LIMIT = 20
"""The availability chart shows at most this many services: those furthest below (or nearest) their
target. The table lists every one."""
BURN_LIMIT = 6
"""The burn chart draws the services that spent the largest share of their budget."""
_CARD = re.compile(r'class="card"><div class="label">(.*?)</div><div class="value">(.*?)</div>')
"""A summary card of the report template (`report.html`), as `stated_figures` reads it back."""


@functools.cache
def _environment() -> jinja2.Environment:
    return environment(TEMPLATES)


def local_time(value: datetime | None, timezone: str) -> str:
    """`2026-11-03 14:05 CET` in the report's time zone; a dash for none."""
    if value is None:
        return "—"
    return value.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M %Z")


def _span(start: datetime, end: datetime, timezone: str) -> str:
    """`2026-11-10 11:00 → 11:30 CET` within a day, both dates in full across days."""
    zone = ZoneInfo(timezone)
    first, last = start.astimezone(zone), end.astimezone(zone)
    if first.date() == last.date():
        return f"{first:%Y-%m-%d %H:%M} → {last:%H:%M %Z}"
    return f"{first:%Y-%m-%d %H:%M %Z} → {last:%Y-%m-%d %H:%M %Z}"


def _signed(value: Decimal | int | None, unit: str = "") -> str:
    """`+0.012`, `−3`, `±0`: a change since the previous period; a dash without one."""
    if value is None:
        return "—"
    if value == 0:
        return f"±0{unit}"
    return f"{'+' if value > 0 else '−'}{abs(value)}{unit}"


def _tone(state: TimerState) -> str:
    """The CSS class of a timer's state: missed and breached in red, met in green, others muted."""
    if state in {TimerState.MISSED, TimerState.BREACHED}:
        return "no"
    return "yes" if state is TimerState.MET else "muted"


def _bars(data: ReportData) -> list[Bar]:
    lines = sorted(
        data.lines,
        key=lambda line: (
            line.figure.availability.percent is None,
            (line.figure.availability.percent or Decimal(0)) - line.figure.availability.target,
            line.label,
        ),
    )
    return [
        Bar(line.label, line.figure.availability.percent, line.figure.availability.target)
        for line in lines[:BAR_LIMIT]
    ]


def _burn(data: ReportData) -> list[BurnLine]:
    spent = [line for line in data.lines if line.figure.budget.used_seconds > 0 and budget_left(line.figure)]
    spent.sort(
        key=lambda line: (-line.figure.budget.used_seconds / line.figure.budget.allowed_seconds, line.label)
    )
    return [BurnLine(line.label, budget_left(line.figure)) for line in spent[:BURN_LIMIT]]


def render_html(data: ReportData, *, version: int) -> str:
    """The report's HTML page, version `version` of its period."""
    template = _environment().get_template("report.html")
    zone = ZoneInfo(data.timezone)  # the chart's dates are local ones
    charts = {
        "bars": Markup(availability_bars(_bars(data))),  # noqa: S704 (built from escaped parts)
        "burn": Markup(  # noqa: S704
            budget_burn(
                _burn(data),
                start=data.period.start.astimezone(zone),
                end=data.measured_until.astimezone(zone),
            )
        ),
    }
    context: dict[str, Any] = {
        "data": data,
        "version": version,
        "figures": key_figures(data),
        "charts": charts,
        "bar_limit": BAR_LIMIT,
        "local": functools.partial(local_time, timezone=data.timezone),
        "span": functools.partial(_span, timezone=data.timezone),
        "signed": _signed,
        "tone": _tone,
        "burn_limit": BURN_LIMIT,
    }
    return template.render(context)


def _fetcher() -> URLFetcher:
    from weasyprint.urls import URLFetcher

    class InlineOnly(URLFetcher):  # type: ignore[misc]
        """Refuses every URL but `data:` (inline images, if a template ever has one)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                raise ValueError(f"{url[:80]}: a report fetches nothing")
            return super().fetch(url, headers)

    fetcher: URLFetcher = InlineOnly(allowed_protocols=("data",), timeout=1)
    return fetcher


def render_pdf(html: str) -> bytes:
    """The PDF of the report page `html` (WeasyPrint, A4 from the page's `@page` rule)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    # A fetcher per render: WeasyPrint's keeps per-request state, and renders may run in parallel threads.
    pdf: bytes = HTML(string=html, url_fetcher=_fetcher()).write_pdf()
    return pdf


def stated_figures(html: str) -> dict[str, str]:
    """The summary figures as an archived report's HTML states them (label → value), so a message
    about a past version quotes that version, not figures measured again."""
    return {markup.unescape(label): markup.unescape(value) for label, value in _CARD.findall(html)}
