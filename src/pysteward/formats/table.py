"""`--format table` (the default): Rich tables per project, rendered to a string.

Cell values are `Text` objects, never markup strings, so a package summary containing `[bold]` or
`[/]` is shown as written instead of being interpreted (or raising a markup error).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pysteward.engine.assessment import Assessment, ProjectAssessment
from pysteward.engine.findings import (
    Finding,
    HealthFinding,
    LicenseFinding,
    RuntimeFinding,
    SastFinding,
    UnpinnedFinding,
    UnresolvableFinding,
    VulnerabilityFinding,
)
from pysteward.engine.model import Severity
from pysteward.engine.risk import RiskScore, risk_score
from pysteward.formats._common import (
    counts,
    fix_text,
    iso_date,
    location_text,
    only_on,
    plural,
    python_key,
    sorted_findings,
    targets_text,
)
from pysteward.formats.interface import Formatter

__all__ = ["TableFormat"]

_STYLES = {
    Severity.MALICIOUS: "bold white on red",
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.UNKNOWN: "magenta",
    Severity.INFO: "dim",
}
_KEEP_WHOLE = 24
"""Columns whose values are all this short (names, versions, ids) are never folded mid-value."""
_FREE_MIN = 10
# Runtime findings are listed with their title too: the runtime table shows status, not why it matters.
_TABLE_KINDS = {"vulnerability", "malicious", "unpinned", "unresolvable", "license", "health", "sast"}


# Blanks at the end of a line, possibly followed by the colour codes that close it.
_TRAILING_BLANKS = re.compile(r"[ \t]+((?:\x1b\[[0-9;]*m)*)$")


class TableFormat(Formatter):
    """Human-readable tables; plain text unless `color`, wrapped to `width` columns."""

    def __init__(self, *, color: bool = False, width: int = 120) -> None:
        self.color = color
        self.width = width

    def render(self, assessment: Assessment) -> str:
        """The tables for every project, then a summary line."""
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            width=self.width,
            color_system="standard" if self.color else None,
            force_terminal=self.color,
            no_color=not self.color,
            highlight=False,
            emoji=False,
            markup=False,
            soft_wrap=False,
        )
        for project in sorted(assessment.projects, key=lambda p: p.path):
            _project(console, assessment, project)
        console.print(_summary(assessment))
        # Rich pads table titles to the table's width; trailing blanks only get in the way.
        return "".join(_TRAILING_BLANKS.sub(r"\1", line) + "\n" for line in buffer.getvalue().splitlines())


def _project(console: Console, assessment: Assessment, project: ProjectAssessment) -> None:
    manifests = ", ".join(
        assessment.relative(m.path) for m in sorted(project.manifests, key=lambda m: m.path)
    )
    heading = Text(assessment.relative(project.path), style="bold")
    heading.append(f": {plural(len(project.dependencies), 'dependency', 'dependencies')}", style="")
    heading.append(f" from {manifests or 'no manifest'}; targets {targets_text(project.targets)}; ")
    heading.append(_risk_text(risk_score(project)))
    console.print(heading)
    findings = sorted_findings(project.findings)
    for table in (
        _vulnerabilities(assessment, findings, console.width),
        _runtimes(assessment, project, console.width),
        _licenses(assessment, findings, console.width),
        _health(assessment, findings, console.width),
        _sast(assessment, findings, console.width),
        _unpinned(assessment, findings, console.width),
        _unresolvable(assessment, findings, console.width),
        _others(assessment, findings, console.width),
    ):
        if table is not None:
            console.print(table)
    if project.ignored:
        console.print(
            Text(f"{plural(len(project.ignored), 'finding')} ignored by configuration", style="dim")
        )
    for warning in project.warnings:
        console.print(Text(f"warning: {warning}", style="yellow"))
    console.print()


def _table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Text]], width: int) -> Table | None:
    """A table whose short identifying columns are never folded when the terminal is wide enough.

    Rich folds every column alike when a table is too wide. Giving the short columns (names,
    versions, ids) a fixed width leaves the folding to the long free-text ones; only when even
    that cannot fit do we let Rich fold everything (fixed widths would make it crop instead).
    """
    data = [list(row) for row in rows]
    if not data:
        return None
    longest = [max(len(column), *(len(row[n].plain) for row in data)) for n, column in enumerate(columns)]
    short = [n <= _KEEP_WHOLE for n in longest]
    needed = sum(n if keep else _FREE_MIN for n, keep in zip(longest, short, strict=True))
    fix = needed + 3 * len(columns) + 1 <= width
    table = Table(title=title, title_justify="left", expand=False)
    for column, n, keep in zip(columns, longest, short, strict=True):
        table.add_column(column, overflow="fold", width=n if fix and keep else None)
    for row in data:
        table.add_row(*row)
    return table


def _severity(finding: Finding) -> Text:
    return Text(finding.severity.label, style=_STYLES.get(finding.severity, ""))


def _vulnerabilities(assessment: Assessment, findings: list[Finding], width: int) -> Table | None:
    rows = (
        (
            Text.assemble(f.package, (f"\n{only_on(f)}" if only_on(f) else "", "dim")),
            Text(str(f.version)),
            Text(f.vulnerability_id),
            _severity(f),
            Text(fix_text(f)),
            Text(", ".join(sorted(f.aliases))),
        )
        for f in findings
        if isinstance(f, VulnerabilityFinding)
    )
    return _table("Vulnerabilities", ("Package", "Version", "ID", "Severity", "Fix", "Aliases"), rows, width)


def _runtimes(assessment: Assessment, project: ProjectAssessment, width: int) -> Table | None:
    flagged = {f.python: f for f in project.findings if isinstance(f, RuntimeFinding)}
    rows = (
        (
            Text(r.python),
            Text(r.status, style=_STYLES[flagged[r.python].severity])
            if r.python in flagged
            else Text(r.status),
            Text((iso_date(r.end_of_life) or "unknown") + (" (approx.)" if r.approximate else "")),
            Text(str(r.days_left) if r.days_left is not None else ""),
            Text(", ".join(location_text(assessment, loc) for loc in r.declared_by)),
        )
        for r in sorted(project.runtimes, key=lambda r: python_key(r.python))
    )
    return _table(
        "Python runtimes", ("Python", "Status", "End of life", "Days left", "Declared by"), rows, width
    )


def _licenses(assessment: Assessment, findings: list[Finding], width: int) -> Table | None:
    rows = (
        (
            Text(f.package),
            Text(str(f.version) if f.version is not None else ""),
            Text(f.license or "none found"),
            Text(f.license_class),
            Text(f.reason),
            _severity(f),
            _where(assessment, f),
        )
        for f in findings
        if isinstance(f, LicenseFinding)
    )
    columns = ("Package", "Version", "License", "Class", "Reason", "Severity", "Where")
    return _table("Licenses", columns, rows, width)


def _health(assessment: Assessment, findings: list[Finding], width: int) -> Table | None:
    rows = (
        (
            Text(f.package),
            Text(str(f.version) if f.version is not None else ""),
            Text(f.check),
            _severity(f),
            Text(f.detail or f.title),
            _where(assessment, f),
        )
        for f in findings
        if isinstance(f, HealthFinding)
    )
    columns = ("Package", "Version", "Check", "Severity", "Detail", "Where")
    return _table("Maintenance health", columns, rows, width)


def _sast(assessment: Assessment, findings: list[Finding], width: int) -> Table | None:
    rows = (
        (_where(assessment, f), Text(f.rule), _severity(f), Text(f.confidence), Text(f.title))
        for f in findings
        if isinstance(f, SastFinding)
    )
    columns = ("Where", "Test", "Severity", "Confidence", "Issue")
    return _table("Static analysis", columns, rows, width)


def _risk_text(risk: RiskScore) -> Text:
    style = "bold red" if risk.grade == "F" else "yellow" if risk.grade in {"C", "D"} else ""
    return Text(f"risk {risk.score:g} ({risk.grade})", style=style)


def _unpinned(assessment: Assessment, findings: list[Finding], width: int) -> Table | None:
    rows = (
        (Text(f.dependency.display_name), Text(str(f.dependency.specifier) or "any"), _where(assessment, f))
        for f in findings
        if isinstance(f, UnpinnedFinding)
    )
    return _table("Unpinned dependencies", ("Package", "Requirement", "Where"), rows, width)


def _unresolvable(assessment: Assessment, findings: list[Finding], width: int) -> Table | None:
    rows = (
        (
            Text(f.dependency.display_name),
            Text(str(f.dependency.kind)),
            Text(f.dependency.url),
            _where(assessment, f),
        )
        for f in findings
        if isinstance(f, UnresolvableFinding)
    )
    return _table("Unresolvable dependencies", ("Package", "Source", "Reference", "Where"), rows, width)


def _others(assessment: Assessment, findings: list[Finding], width: int) -> Table | None:
    rows = (
        (Text(f.kind), _severity(f), Text(f.title), _where(assessment, f))
        for f in findings
        if f.kind not in _TABLE_KINDS
    )
    return _table("Runtime and other findings", ("Kind", "Severity", "Finding", "Where"), rows, width)


def _where(assessment: Assessment, finding: Finding) -> Text:
    return Text(", ".join(location_text(assessment, loc) for loc in finding.locations))


def _summary(assessment: Assessment) -> Text:
    totals = counts(assessment)
    scope = (
        f"{plural(totals.projects, 'project')}, {plural(totals.dependencies, 'dependency', 'dependencies')}"
    )
    if totals.findings == 0:
        return Text(f"{scope}: no findings", style="bold green")
    severities = ", ".join(f"{n} {label}" for label, n in totals.by_severity.items() if n)
    text = Text(f"{scope}: {plural(totals.findings, 'finding')} ({severities}); ")
    if totals.failing:
        text.append(f"{totals.failing} failing at --fail-on {assessment.fail_on}", style="bold red")
    else:
        text.append(f"none failing at --fail-on {assessment.fail_on}", style="yellow")
    if totals.ignored:
        text.append(f"; {totals.ignored} ignored")
    return text.append("; ").append(_highest_risk(assessment))


def _highest_risk(assessment: Assessment) -> Text:
    """`risk 35.2 (C)` for one project, `highest risk 100 (F) in .` for several."""
    scored = [(risk_score(p), assessment.relative(p.path)) for p in assessment.projects]
    risk, where = max(scored, key=lambda pair: (pair[0].score, pair[1]))
    text = _risk_text(risk)
    if len(scored) > 1:
        text = Text("highest ").append_text(text).append(f" in {where}")
    return text
