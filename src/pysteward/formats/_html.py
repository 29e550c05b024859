"""Building blocks of the HTML report: escaping, links, tables, badges, the SVG chart and the stylesheet.

Every function that takes text escapes it; a function's result is HTML, safe to concatenate. Only
`http`/`https` URLs ever become links, so a `javascript:` reference in a record stays plain text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from pysteward.engine.model import Severity

__all__ = ["CSS", "badge", "bar_chart", "esc", "grade_badge", "link", "table"]


def esc(text: object) -> str:
    """`text` as HTML text, quotes included, so it is safe in element content and attribute values.

    The same five replacements as `html.escape`, whose module would also load the 2,000-entry
    `html.entities` table that the report never needs.
    """
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


def link(url: str, text: str | None = None, *, css_class: str = "") -> str:
    """An `<a>` to `url` when it is an absolute http(s) URL, else the text alone, escaped."""
    label = esc(url if text is None else text)
    attribute = f' class="{esc(css_class)}"' if css_class else ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return label
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return label
    return f'<a href="{esc(url)}"{attribute}>{label}</a>'


def badge(severity: Severity) -> str:
    """A severity pill: its label in words (colour is never the only signal)."""
    return f'<span class="sev sev-{severity.label}">{esc(severity.label)}</span>'


def grade_badge(grade: str) -> str:
    """A risk grade pill, A (best) to F."""
    return f'<span class="grade grade-{esc(grade)}" title="risk grade {esc(grade)}">{esc(grade)}</span>'


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    caption: str,
    numeric: Iterable[int] = (),
    css_class: str = "",
) -> str:
    """A table with a visually hidden caption; `rows` hold HTML cells, `numeric` column indexes align right.

    A short table is marked `keep`, which the print stylesheet keeps on one page with its heading.
    """
    right = set(numeric)
    head = "".join(f'<th scope="col"{_num(n, right)}>{esc(h)}</th>' for n, h in enumerate(headers))
    body = [
        "<tr>" + "".join(f"<td{_num(n, right)}>{cell}</td>" for n, cell in enumerate(row)) + "</tr>\n"
        for row in rows
    ]
    classes = " ".join(c for c in (css_class, "keep" if len(body) <= _KEEP_ROWS else "") if c)
    opening = f'<table class="{esc(classes)}">' if classes else "<table>"
    return (
        f'{opening}\n<caption class="sr-only">{esc(caption)}</caption>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{''.join(body)}</tbody>\n</table>"
    )


def _num(n: int, right: set[int]) -> str:
    return ' class="num"' if n in right else ""


_KEEP_ROWS = 12
_BAR_COLOURS = {
    Severity.MALICIOUS: "#7a1010",
    Severity.CRITICAL: "#b42318",
    Severity.HIGH: "#d1480f",
    Severity.MEDIUM: "#b7791f",
    Severity.LOW: "#2f6fb0",
    Severity.UNKNOWN: "#6e5494",
    Severity.INFO: "#6a737d",
}
_ROW = 28
_LABEL = 96
_BARS = 440
_CHART_WIDTH = _LABEL + _BARS + 60


def bar_chart(by_severity: dict[Severity, int]) -> str:
    """A horizontal SVG bar chart of findings by severity, every bar labelled with its name and count."""
    largest = max(by_severity.values(), default=0) or 1
    height = _ROW * len(by_severity) + 8
    described = ", ".join(f"{n} {s.label}" for s, n in by_severity.items())
    rows = []
    for index, (severity, n) in enumerate(by_severity.items()):
        y = 4 + index * _ROW
        width = round(_BARS * n / largest, 1)
        rows.append(
            f'<text x="{_LABEL - 8}" y="{y + 18}" text-anchor="end">{esc(severity.label)}</text>'
            f'<rect x="{_LABEL}" y="{y + 4}" width="{width}" height="{_ROW - 8}" rx="3" '
            f'fill="{_BAR_COLOURS[severity]}"/>'
            f'<text x="{_LABEL + width + 6}" y="{y + 18}" class="count">{n}</text>'
        )
    return (
        f'<svg class="chart" role="img" aria-labelledby="chart-title chart-desc" '
        f'viewBox="0 0 {_CHART_WIDTH} {height}" width="{_CHART_WIDTH}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="13">'
        f'<title id="chart-title">Findings by severity</title><desc id="chart-desc">{esc(described)}</desc>'
        f'<line x1="{_LABEL}" y1="0" x2="{_LABEL}" y2="{height}" stroke="#8c959f"/>'
        + "".join(rows)
        + "</svg>"
    )


CSS = """
:root { --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --panel: #f6f8fa; --link: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
a { color: var(--link); }
.top { background: #24292f; color: #fff; padding: 20px 32px; }
.top h1 { margin: 0; font-size: 24px; }
.top p { margin: 4px 0 0; color: #d1d9e0; }
main { max-width: 1240px; margin: 0 auto; padding: 8px 32px 48px; }
section { margin-top: 28px; }
h2 { font-size: 19px; margin: 0 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--border); }
h3 { font-size: 15px; margin: 16px 0 6px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--border); border-radius: 8px; padding: 10px 14px; background: var(--panel); }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 28px; font-weight: 600; line-height: 1.3; }
.card .note { color: var(--muted); font-size: 12px; }
.card.bad { border-left: 5px solid #b42318; }
.card.good { border-left: 5px solid #1a7f37; }
.overview { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; margin-top: 16px; }
.overview > div { flex: 1 1 420px; min-width: 0; }
svg.chart { max-width: 100%; height: auto; }
svg.chart text { fill: var(--fg); }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--border); vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
table.risk td:first-child { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
pre { margin: 4px 0 0; white-space: pre-wrap; word-break: break-all; }
td { overflow-wrap: break-word; }
td a, td code { overflow-wrap: anywhere; }
.print-only { display: none; }
.muted, .aka { color: var(--muted); font-size: 12px; }
.empty { color: var(--muted); font-style: italic; margin: 4px 0; }
.sev, .grade { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px;
  font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.sev-malicious { background: #7a1010; border-color: #7a1010; color: #fff; }
.sev-critical { color: #b42318; } .sev-high { color: #c2410c; } .sev-medium { color: #8a5a00; }
.sev-low { color: #2f6fb0; } .sev-unknown { color: #6e5494; } .sev-info { color: #59636e; }
.grade { border-radius: 4px; min-width: 1.8em; text-align: center; }
.grade-A { color: #1a7f37; } .grade-B { color: #4d7c0f; } .grade-C { color: #8a5a00; }
.grade-D { color: #c2410c; } .grade-F { color: #fff; background: #b42318; border-color: #b42318; }
.card .grade { font-size: 22px; vertical-align: middle; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print {
  @page { margin: 14mm; }
  body { font-size: 10.5px; }
  .top { background: none; color: #000; padding: 0 0 6px; border-bottom: 2px solid #000; }
  .top p { color: #000; }
  main { max-width: none; padding: 0; }
  .card, th { background: none; }
  .card { break-inside: avoid; }
  .sev-malicious, .grade-F { background: none; color: #000; border-width: 2px; }
  thead { display: table-header-group; }
  tr, svg.chart, .cards { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  a { color: #000; }
  table { font-size: 10px; }
  table.keep { break-inside: avoid; page-break-inside: avoid; }
  .muted, .aka, .sev, .grade, code, pre { font-size: 9px; }
  .cards { grid-template-columns: repeat(5, 1fr); gap: 8px; }
  .card .value { font-size: 20px; }
  .print-only { display: block; }
  svg.chart { width: 70%; }
  /* Print every link's address, except advisory links: the note above their table gives the pattern. */
  a[href]:not(.osv)::after { content: " <" attr(href) ">"; color: #444;
    overflow-wrap: anywhere; }
}
"""
"""The whole stylesheet, inlined in the report: no external asset, no web font, no script."""
