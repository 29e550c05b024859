"""`--format markdown`: a summary sized for a pull-request comment.

GitHub caps a comment at 65,536 characters; we stay under `max_chars` (60,000 by default) by showing
fewer rows per section, each cut section ending in "… and N more", until the whole text fits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import quote

from pysteward.engine.assessment import Assessment, IgnoredFinding, ProjectAssessment
from pysteward.engine.findings import (
    ExpiredIgnoreFinding,
    Finding,
    HealthFinding,
    LicenseFinding,
    RuntimeFinding,
    SastFinding,
    UnpinnedFinding,
    UnresolvableFinding,
    VulnerabilityFinding,
)
from pysteward.engine.risk import risk_score
from pysteward.formats._common import (
    OSV_URL,
    counts,
    finding_key,
    fix_text,
    iso_date,
    location_text,
    only_on,
    plural,
    python_key,
    sorted_findings,
)
from pysteward.formats.interface import Formatter

__all__ = ["MarkdownFormat", "escape"]

MAX_CHARS = 60_000
_FIRST_LIMIT = 250
_MAX_CELL = 160
_SPECIAL = "\\`*_[]|~"
"""Characters that start emphasis, code, links or cells; `.` and `-` only matter at a line's start."""
_OTHER_KINDS = {
    "vulnerability",
    "malicious",
    "runtime",
    "unpinned",
    "unresolvable",
    "expired-ignore",
    "license",
    "health",
    "sast",
}

Row = Sequence[str]


class MarkdownFormat(Formatter):
    """A Markdown report: headline, vulnerability table, runtimes, collapsible details."""

    def __init__(self, *, max_chars: int = MAX_CHARS) -> None:
        self.max_chars = max_chars

    def render(self, assessment: Assessment) -> str:
        """The report, no longer than `max_chars`."""
        limit = _FIRST_LIMIT
        while True:
            text = _report(assessment, limit)
            if len(text) <= self.max_chars:
                return text
            if limit == 0:
                # Only prose is left (warnings, many projects): cut it, saying so.
                note = "\n\n… report truncated\n"
                return text[: self.max_chars - len(note)] + note
            limit //= 2


def escape(text: str) -> str:
    """`text` safe inside a table cell: one line, no HTML, Markdown punctuation escaped."""
    flat = " ".join(text.split())
    if len(flat) > _MAX_CELL:
        flat = flat[: _MAX_CELL - 1] + "…"
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join("\\" + c if c in _SPECIAL else c for c in flat)


def _report(assessment: Assessment, limit: int) -> str:
    findings = [f for _, f in assessment.findings()]
    parts = [
        "## Steward assessment",
        _headline(assessment),
        _facts(assessment),
        _risk(assessment, limit),
        _vulnerabilities(assessment, findings, limit),
        _runtimes(assessment, limit),
        _others(assessment, findings, limit),
        _licenses(assessment, findings, limit),
        _health(assessment, findings, limit),
        _sast(assessment, findings, limit),
        _unpinned(assessment, findings, limit),
        _unresolvable(assessment, findings, limit),
        _expired(assessment, findings, limit),
        _ignored(assessment, limit),
        _warnings(assessment, limit),
    ]
    return "\n\n".join(part for part in parts if part) + "\n"


def _headline(assessment: Assessment) -> str:
    totals = counts(assessment)
    fail_on = f"`--fail-on {assessment.fail_on}`"
    if totals.findings == 0:
        return f"✅ **No findings** in {plural(totals.dependencies, 'dependency', 'dependencies')}."
    findings = plural(totals.findings, "finding")
    if totals.failing:
        return f"❌ **{findings}, {totals.failing} failing** at {fail_on}."
    return f"⚠️ **{findings}, none failing** at {fail_on}."


def _facts(assessment: Assessment) -> str:
    totals = counts(assessment)
    severities = ", ".join(f"{n} {label}" for label, n in totals.by_severity.items() if n)
    lines = [
        f"{plural(totals.projects, 'project')}, {plural(totals.dependencies, 'dependency', 'dependencies')}"
        + (f"; findings by severity: {severities}" if severities else "")
        + "."
    ]
    database = assessment.database
    if database is None:
        lines.append("No advisory database: vulnerabilities were not checked.")
    else:
        newest = iso_date(database.newest_modified.date()) if database.newest_modified else "unknown"
        lines.append(f"Advisories: {escape(database.source)}, {database.records:,} records, newest {newest}.")
    lines.append(
        f"Judged on {assessment.on.isoformat()}; Python release cycle as of "
        f"{assessment.release_cycle_as_of.isoformat()}; Steward {escape(assessment.tool_version)}."
    )
    return "  \n".join(lines)


def _vulnerabilities(assessment: Assessment, findings: list[Finding], limit: int) -> str:
    vulns = [f for f in sorted_findings(findings) if isinstance(f, VulnerabilityFinding)]
    if not vulns:
        return ""
    header = ("Package", "Version", "ID", "Severity", "Fix", "Where")
    rows = (
        (
            escape(v.package) + (f" ({escape(only_on(v))})" if only_on(v) else ""),
            escape(str(v.version)),
            f"[{escape(v.vulnerability_id)}]({OSV_URL}{quote(v.vulnerability_id)})",
            f"**{v.severity.label}**" if v.kind == "malicious" else v.severity.label,
            escape(fix_text(v)),
            _where(assessment, v),
        )
        for v in vulns
    )
    return f"### Vulnerabilities ({len(vulns)})\n\n" + _table(header, rows, len(vulns), limit)


def _runtimes(assessment: Assessment, limit: int) -> str:
    pairs = [
        (project, runtime)
        for project in sorted(assessment.projects, key=lambda p: p.path)
        for runtime in sorted(project.runtimes, key=lambda r: python_key(r.python))
    ]
    if not pairs:
        return ""
    header = ("Project", "Python", "Status", "End of life", "Days left", "Declared by")
    rows = (
        (
            escape(assessment.relative(project.path)),
            escape(runtime.python),
            _runtime_status(project, runtime.python, runtime.status),
            (iso_date(runtime.end_of_life) or "unknown") + (" (approx.)" if runtime.approximate else ""),
            str(runtime.days_left) if runtime.days_left is not None else "",
            escape(", ".join(location_text(assessment, loc) for loc in runtime.declared_by)),
        )
        for project, runtime in pairs
    )
    return "### Python runtimes\n\n" + _table(header, rows, len(pairs), limit)


def _runtime_status(project: ProjectAssessment, python: str, status: str) -> str:
    flagged = any(isinstance(f, RuntimeFinding) and f.python == python for f in project.findings)
    return f"⚠️ **{escape(status)}**" if flagged else escape(status)


def _others(assessment: Assessment, findings: list[Finding], limit: int) -> str:
    others = [f for f in sorted_findings(findings) if f.kind not in _OTHER_KINDS]
    runtime = [f for f in sorted_findings(findings) if isinstance(f, RuntimeFinding)]
    items = [*runtime, *others]
    if not items:
        return ""
    lines = [f"- **{f.severity.label}**: {escape(f.title)} ({_where(assessment, f)})" for f in items]
    return "### Other findings\n\n" + _cut(lines, limit)


def _risk(assessment: Assessment, limit: int) -> str:
    projects = sorted(assessment.projects, key=lambda p: p.path)
    if not any(p.findings for p in projects):
        return ""  # all zero: the headline already says there is nothing to report
    rows = []
    for project in projects:
        risk = risk_score(project)
        parts = ", ".join(f"{name} {value:g}" for name, value in risk.components.items() if value)
        rows.append(
            (
                escape(assessment.relative(project.path)),
                f"{risk.score:g}",
                f"**{risk.grade}**",
                parts or "none",
            )
        )
    header = ("Project", "Risk (0–100)", "Grade", "Made of")
    return "### Risk score\n\n" + _table(header, rows, len(rows), limit)


def _licenses(assessment: Assessment, findings: list[Finding], limit: int) -> str:
    items = [f for f in sorted_findings(findings) if isinstance(f, LicenseFinding)]
    rows = (
        (
            escape(f.package),
            escape(str(f.version) if f.version is not None else ""),
            escape(f.license or "none found"),
            escape(f.license_class),
            escape(f.reason),
            f.severity.label,
            _where(assessment, f),
        )
        for f in items
    )
    header = ("Package", "Version", "License", "Class", "Reason", "Severity", "Where")
    return _details(f"Licenses ({len(items)})", _table(header, rows, len(items), limit)) if items else ""


def _health(assessment: Assessment, findings: list[Finding], limit: int) -> str:
    items = [f for f in sorted_findings(findings) if isinstance(f, HealthFinding)]
    rows = (
        (
            escape(f.package),
            escape(str(f.version) if f.version is not None else ""),
            escape(f.check),
            f.severity.label,
            escape(f.detail or f.title),
            _where(assessment, f),
        )
        for f in items
    )
    header = ("Package", "Version", "Check", "Severity", "Detail", "Where")
    body = _table(header, rows, len(items), limit)
    return _details(f"Maintenance health ({len(items)})", body) if items else ""


def _sast(assessment: Assessment, findings: list[Finding], limit: int) -> str:
    items = [f for f in sorted_findings(findings) if isinstance(f, SastFinding)]
    rows = (
        (
            f.severity.label,
            escape(f.confidence),
            _code(f.rule),
            escape(f.title),
            _where(assessment, f),
        )
        for f in items
    )
    header = ("Severity", "Confidence", "Test", "Issue", "Where")
    body = _table(header, rows, len(items), limit)
    return _details(f"Static analysis ({len(items)})", body) if items else ""


def _unpinned(assessment: Assessment, findings: list[Finding], limit: int) -> str:
    items = [f for f in sorted_findings(findings) if isinstance(f, UnpinnedFinding)]
    rows = (
        (
            escape(f.dependency.display_name),
            escape(str(f.dependency.specifier) or "any"),
            _where(assessment, f),
        )
        for f in items
    )
    body = _table(("Package", "Requirement", "Where"), rows, len(items), limit)
    return _details(f"Unpinned dependencies ({len(items)})", body) if items else ""


def _unresolvable(assessment: Assessment, findings: list[Finding], limit: int) -> str:
    items = [f for f in sorted_findings(findings) if isinstance(f, UnresolvableFinding)]
    rows = (
        (
            escape(f.dependency.display_name),
            escape(str(f.dependency.kind)),
            escape(f.dependency.url),
            _where(assessment, f),
        )
        for f in items
    )
    body = _table(("Package", "Source", "Reference", "Where"), rows, len(items), limit)
    return _details(f"Unresolvable dependencies ({len(items)})", body) if items else ""


def _expired(assessment: Assessment, findings: list[Finding], limit: int) -> str:
    items = [f for f in sorted_findings(findings) if isinstance(f, ExpiredIgnoreFinding)]
    lines = [
        f"- ⏰ The ignore of {_code(f.ignored_id)} expired on {f.until.isoformat()} "
        f"({escape(f.reason)}); it is reported again. {_where(assessment, f)}"
        for f in items
    ]
    return f"### Expired ignores ({len(items)})\n\n" + _cut(lines, limit) if items else ""


def _ignored(assessment: Assessment, limit: int) -> str:
    items: list[IgnoredFinding] = sorted(
        (i for p in assessment.projects for i in p.ignored), key=lambda i: (finding_key(i.finding), i.rule_id)
    )
    rows = (
        (
            escape(i.rule_id),
            escape(i.finding.title),
            escape(i.reason),
            i.until.isoformat() if i.until else "no end date",
        )
        for i in items
    )
    body = _table(("Rule", "Finding", "Reason", "Until"), rows, len(items), limit)
    return _details(f"Ignored findings ({len(items)})", body) if items else ""


def _warnings(assessment: Assessment, limit: int) -> str:
    items = [*assessment.warnings, *(w for p in assessment.projects for w in p.warnings)]
    lines = [f"- {escape(w)}" for w in items]
    return _details(f"Warnings ({len(items)})", _cut(lines, limit)) if items else ""


def _code(text: str) -> str:
    # Nothing is escaped inside a code span, so only a backtick could break out of it.
    return "`" + text.replace("`", "'").replace("\n", " ") + "`"


def _where(assessment: Assessment, finding: Finding) -> str:
    if not finding.locations:
        return ""
    first = escape(location_text(assessment, finding.locations[0]))
    more = len(finding.locations) - 1
    return f"{first} (+{more} more)" if more else first


def _table(header: Row, rows: Iterable[Row], total: int, limit: int) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for _, row in zip(range(limit), rows, strict=False)]
    return "\n".join(lines) + _more(total, limit, "\n\n")


def _cut(lines: list[str], limit: int) -> str:
    return "\n".join(lines[:limit]) + _more(len(lines), limit, "\n")


def _more(total: int, limit: int, sep: str) -> str:
    return f"{sep}… and {total - limit} more" if total > limit else ""


def _details(summary: str, body: str) -> str:
    # The blank line after <summary> makes GitHub render the Markdown inside.
    return f"<details>\n<summary>{summary}</summary>\n\n{body}\n\n</details>"
