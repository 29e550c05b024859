"""`--format html`: one self-contained page (inline CSS and SVG, no script, no external asset).

Summary cards and a severity chart come first, then one section per kind of finding: vulnerabilities,
runtime end-of-life, licenses, maintenance health, static analysis, typosquats, unpinned and
unresolvable dependencies, other findings, ignored findings and warnings. Every string from the input
is escaped, and only http(s) URLs become links. A print stylesheet keeps it readable on paper.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from urllib.parse import quote

from pysteward.engine.assessment import Assessment
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
from pysteward.engine.risk import risk_score
from pysteward.formats._common import (
    OSV_URL,
    counts,
    finding_key,
    finite,
    fix_text,
    iso_date,
    location_text,
    only_on,
    plural,
    python_key,
    sorted_findings,
)
from pysteward.formats._html import CSS, badge, bar_chart, esc, grade_badge, link, table
from pysteward.formats.interface import Formatter

__all__ = ["HtmlFormat"]

_OWN_SECTION = {
    "vulnerability",
    "malicious",
    "runtime",
    "license",
    "health",
    "sast",
    "typosquat",
    "unpinned",
    "unresolvable",
}
"""Kinds with a section of their own; any other kind is listed under "Other findings"."""

Section = Callable[["_Context"], str]


class _Context:
    """The assessment with its findings sorted once, shared by every section."""

    def __init__(self, assessment: Assessment, not_checked: frozenset[str]) -> None:
        self.assessment = assessment
        self.not_checked = not_checked
        self.projects = sorted(assessment.projects, key=lambda p: p.path)
        self.findings = sorted_findings(f for _, f in assessment.findings())

    def where(self, finding: Finding) -> str:
        """Every location of `finding`, one per line."""
        return "<br>".join(esc(location_text(self.assessment, loc)) for loc in finding.locations)


class HtmlFormat(Formatter):
    """A self-contained HTML report.

    `not_checked` names finding kinds this run did not look for: their section says "not checked"
    instead of "none found" when empty. Typosquat detection is not part of an assessment yet.
    """

    def __init__(self, *, not_checked: frozenset[str] | None = None) -> None:
        self.not_checked = not_checked

    def render(self, assessment: Assessment) -> str:
        """The whole HTML document, ending with a newline."""
        not_checked = self.not_checked if self.not_checked is not None else frozenset(assessment.not_checked)
        context = _Context(assessment, not_checked)
        title = f"Steward assessment of {assessment.root.name or assessment.root.as_posix()}"
        body = "\n".join(section(context) for section in _SECTIONS)
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="steward {esc(assessment.tool_version)}">\n'
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f'<header class="top">\n<h1>{esc(title)}</h1>\n{_facts(assessment)}\n</header>\n'
            f"<main>\n{body}\n</main>\n</body>\n</html>\n"
        )


def _facts(assessment: Assessment) -> str:
    database = assessment.database
    if database is None:
        advisories = "no advisory database: vulnerabilities were not checked"
    else:
        newest = iso_date(database.newest_modified.date()) if database.newest_modified else "unknown"
        advisories = f"advisories from {database.source}, {database.records:,} records, newest {newest}"
    return (
        f"<p>Judged on {esc(assessment.on.isoformat())} · {esc(advisories)} · Python release cycle as of "
        f"{esc(assessment.release_cycle_as_of.isoformat())} · Steward {esc(assessment.tool_version)}</p>"
    )


def _summary(context: _Context) -> str:
    assessment = context.assessment
    totals = counts(assessment)
    severities = Counter(f.severity for f in context.findings)
    by_severity = {s: severities.get(s, 0) for s in sorted(Severity, reverse=True)}
    return (
        '<section id="summary" aria-labelledby="summary-h">\n<h2 id="summary-h">Summary</h2>\n'
        f'<div class="cards">\n{_cards(context)}\n</div>\n<div class="overview">\n'
        f"<div><h3>Findings by severity</h3>\n{bar_chart(by_severity)}</div>\n"
        f"<div><h3>Risk by project</h3>\n{_risk_table(context)}</div>\n</div>\n"
        f'<p class="muted">{esc(plural(totals.ignored, "finding"))} ignored by configuration; '
        f"risk scores are explained in docs/risk-score.md.</p>\n</section>"
    )


def _cards(context: _Context) -> str:
    totals = counts(context.assessment)
    worst = ", ".join(f"{n} {label}" for label, n in totals.by_severity.items() if n) or "none"
    fail_on = f"at --fail-on {context.assessment.fail_on}"
    risks = [(risk_score(p), context.assessment.relative(p.path)) for p in context.projects]
    top = max(risks, key=lambda pair: (pair[0].score, pair[1]), default=None)
    risk_value = f"{grade_badge(top[0].grade)} {top[0].score:g}" if top else "n/a"
    risk_note = (
        (f"highest: {_project_name(top[1])}" if len(risks) > 1 else "out of 100") if top else "no project"
    )
    cards = (
        ("Findings", str(totals.findings), worst, "bad" if totals.findings else "good"),
        ("Failing", str(totals.failing), fail_on, "bad" if totals.failing else "good"),
        ("Projects", str(totals.projects), "assessed", ""),
        ("Dependencies", str(totals.dependencies), "declared or locked", ""),
    )
    html = [
        f'<div class="card {tone}"><div class="label">{esc(label)}</div>'
        f'<div class="value">{esc(value)}</div><div class="note">{esc(note)}</div></div>'
        for label, value, note, tone in cards
    ]
    html.append(
        f'<div class="card"><div class="label">Risk score</div><div class="value">{risk_value}</div>'
        f'<div class="note">{esc(risk_note)}</div></div>'
    )
    return "\n".join(html)


def _project_name(path: str) -> str:
    return "the root project" if path == "." else path


def _risk_table(context: _Context) -> str:
    rows = []
    for project in context.projects:
        risk = risk_score(project)
        parts = ", ".join(f"{name} {value:g}" for name, value in risk.components.items() if value)
        rows.append(
            (
                esc(context.assessment.relative(project.path)),
                f"{risk.score:g}",
                grade_badge(risk.grade),
                esc(parts or "nothing found"),
            )
        )
    if not rows:
        return '<p class="empty">No project was assessed.</p>'
    headers = ("Project", "Score", "Grade", "Made of")
    return table(headers, rows, caption="Risk by project", numeric=(1,), css_class="risk")


def _section(ident: str, title: str, content: str, count: int | None = None) -> str:
    heading = f"{title} ({count})" if count is not None else title
    return (
        f'<section id="{ident}" aria-labelledby="{ident}-h">\n'
        f'<h2 id="{ident}-h">{esc(heading)}</h2>\n{content}\n</section>'
    )


def _empty(context: _Context, kind: str, none: str) -> str:
    text = "Not checked in this run." if kind in context.not_checked else none
    return f'<p class="empty">{esc(text)}</p>'


def _vulnerabilities(context: _Context) -> str:
    items = [f for f in context.findings if isinstance(f, VulnerabilityFinding)]
    if not items:
        none = "No known vulnerabilities."
        if context.assessment.database is None:
            none = "Not checked: no advisory database (run `steward db update`)."
        return _section("vulnerabilities", "Vulnerabilities", f'<p class="empty">{esc(none)}</p>')
    rows = (
        (
            esc(v.package) + (f'<div class="muted">{esc(only_on(v))}</div>' if only_on(v) else ""),
            esc(v.version),
            link(OSV_URL + quote(v.vulnerability_id), v.vulnerability_id, css_class="osv")
            + (f'<div class="aka">{esc(", ".join(sorted(v.aliases)))}</div>' if v.aliases else ""),
            badge(v.severity),
            esc(f"{score:.1f}" if (score := finite(v.score)) is not None else ""),
            esc(fix_text(v)),
            esc(v.summary),
            context.where(v),
        )
        for v in items
    )
    headers = ("Package", "Version", "Advisory", "Severity", "CVSS", "Fix", "Summary", "Where")
    note = f'\n<p class="muted print-only">Each advisory id links to {esc(OSV_URL)}&lt;id&gt;.</p>'
    body = table(headers, rows, caption="Vulnerabilities", numeric=(4,)) + note
    return _section("vulnerabilities", "Vulnerabilities", body, len(items))


def _runtimes(context: _Context) -> str:
    rows = []
    for project in context.projects:
        flagged = {f.python: f for f in project.findings if isinstance(f, RuntimeFinding)}
        for runtime in sorted(project.runtimes, key=lambda r: python_key(r.python)):
            finding = flagged.get(runtime.python)
            eol = (iso_date(runtime.end_of_life) or "unknown") + (" (approx.)" if runtime.approximate else "")
            rows.append(
                (
                    esc(context.assessment.relative(project.path)),
                    esc(runtime.python),
                    esc(runtime.status),
                    esc(eol),
                    esc(runtime.days_left if runtime.days_left is not None else ""),
                    badge(finding.severity) + " " + esc(finding.title) if finding else "ok",
                    "<br>".join(esc(location_text(context.assessment, loc)) for loc in runtime.declared_by),
                )
            )
    if not rows:
        return _section("runtime", "Runtime end-of-life", '<p class="empty">No Python version declared.</p>')
    headers = ("Project", "Python", "Status", "End of life", "Days left", "Finding", "Declared by")
    flagged_count = sum(1 for f in context.findings if isinstance(f, RuntimeFinding))
    body = table(headers, rows, caption="Python runtimes", numeric=(4,))
    return _section("runtime", "Runtime end-of-life", body, flagged_count)


def _licenses(context: _Context) -> str:
    items = [f for f in context.findings if isinstance(f, LicenseFinding)]
    if not items:
        return _section("licenses", "Licenses", _empty(context, "license", "No license findings."))
    rows = (
        (
            esc(f.package),
            esc(f.version if f.version is not None else ""),
            f"<code>{esc(f.license)}</code>" if f.license else '<span class="muted">none found</span>',
            esc(f.license_class),
            esc(f.reason),
            badge(f.severity),
            esc(f.title),
        )
        for f in items
    )
    headers = ("Package", "Version", "License", "Class", "Reason", "Severity", "Finding")
    return _section("licenses", "Licenses", table(headers, rows, caption="License findings"), len(items))


def _health(context: _Context) -> str:
    items = [f for f in context.findings if isinstance(f, HealthFinding)]
    if not items:
        return _section("health", "Maintenance health", _empty(context, "health", "No maintenance concerns."))
    rows = (
        (
            esc(f.package),
            esc(f.version if f.version is not None else ""),
            esc(f.check),
            badge(f.severity),
            esc(f.title) + (f'<div class="muted">{esc(f.detail)}</div>' if f.detail else ""),
            context.where(f),
        )
        for f in items
    )
    headers = ("Package", "Version", "Check", "Severity", "Finding", "Where")
    body = table(headers, rows, caption="Maintenance health findings")
    return _section("health", "Maintenance health", body, len(items))


def _sast(context: _Context) -> str:
    items = [f for f in context.findings if isinstance(f, SastFinding)]
    if not items:
        return _section(
            "sast", "Static analysis", _empty(context, "sast", "No issues in the project's code.")
        )
    rows = (
        (
            context.where(f),
            link(f.more_info, f.rule) + f'<div class="muted">{esc(f.test_name)}</div>',
            badge(f.severity),
            esc(f.confidence),
            esc(f.title) + (f"<pre><code>{esc(f.code)}</code></pre>" if f.code else ""),
        )
        for f in items
    )
    headers = ("Where", "Test", "Severity", "Confidence", "Issue")
    body = table(headers, rows, caption="Static analysis findings")
    return _section("sast", "Static analysis", body, len(items))


def _typosquats(context: _Context) -> str:
    items = [f for f in context.findings if f.kind == "typosquat"]
    if not items:
        return _section("typosquats", "Typosquats", _empty(context, "typosquat", "No likely typosquats."))
    return _section("typosquats", "Typosquats", _generic(context, items, "Typosquat findings"), len(items))


def _generic(context: _Context, items: list[Finding], caption: str) -> str:
    rows = ((esc(f.kind), badge(f.severity), esc(f.title), context.where(f)) for f in items)
    return table(("Kind", "Severity", "Finding", "Where"), rows, caption=caption)


def _unpinned(context: _Context) -> str:
    unpinned = [f for f in context.findings if isinstance(f, UnpinnedFinding)]
    unresolvable = [f for f in context.findings if isinstance(f, UnresolvableFinding)]
    parts = [
        f"<h3>Unpinned ({len(unpinned)})</h3>",
        table(
            ("Package", "Requirement", "Where"),
            (
                (esc(f.dependency.display_name), esc(f.dependency.specifier or "any"), context.where(f))
                for f in unpinned
            ),
            caption="Unpinned dependencies",
        )
        if unpinned
        else '<p class="empty">Every dependency is pinned.</p>',
        f"<h3>Unresolvable ({len(unresolvable)})</h3>",
        table(
            ("Package", "Source", "Reference", "Where"),
            (
                (
                    esc(f.dependency.display_name),
                    esc(f.dependency.kind),
                    link(f.dependency.url),
                    context.where(f),
                )
                for f in unresolvable
            ),
            caption="Unresolvable dependencies",
        )
        if unresolvable
        else '<p class="empty">No URL, VCS, path or editable requirement.</p>',
    ]
    return _section("unpinned", "Unpinned and unresolvable dependencies", "\n".join(parts))


def _others(context: _Context) -> str:
    items = [f for f in context.findings if f.kind not in _OWN_SECTION]
    if not items:
        return ""
    return _section("other", "Other findings", _generic(context, items, "Other findings"), len(items))


def _ignored(context: _Context) -> str:
    items = sorted(
        (i for p in context.projects for i in p.ignored), key=lambda i: (finding_key(i.finding), i.rule_id)
    )
    if not items:
        return _section("ignored", "Ignored", '<p class="empty">No finding is ignored.</p>')
    rows = (
        (
            esc(i.rule_id),
            badge(i.finding.severity),
            esc(i.finding.title),
            esc(i.reason),
            esc(i.until.isoformat() if i.until else "no end date"),
        )
        for i in items
    )
    body = table(("Rule", "Severity", "Finding", "Reason", "Until"), rows, caption="Ignored findings")
    return _section("ignored", "Ignored", body, len(items))


def _warnings(context: _Context) -> str:
    items = [*context.assessment.warnings, *(w for p in context.projects for w in p.warnings)]
    if not items:
        return ""
    lines = "".join(f"<li>{esc(w)}</li>" for w in items)
    return _section("warnings", "Warnings", f"<ul>{lines}</ul>", len(items))


def _footer(context: _Context) -> str:
    generated = context.assessment.generated_at.isoformat(timespec="seconds")
    return (
        f"<footer>Generated by Steward {esc(context.assessment.tool_version)} at {esc(generated)}.</footer>"
    )


_SECTIONS: tuple[Section, ...] = (
    _summary,
    _vulnerabilities,
    _runtimes,
    _licenses,
    _health,
    _sast,
    _typosquats,
    _unpinned,
    _others,
    _ignored,
    _warnings,
    _footer,
)
