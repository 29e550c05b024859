"""Helpers every renderer shares: stable ordering, counting, and short texts for cells."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from pysteward.engine.assessment import Assessment
from pysteward.engine.findings import Finding, VulnerabilityFinding
from pysteward.engine.model import Location, Severity, Target

__all__ = [
    "KINDS",
    "OSV_URL",
    "Counts",
    "counts",
    "finding_key",
    "finite",
    "fix_text",
    "iso_date",
    "iso_datetime",
    "location_text",
    "plural",
    "python_key",
    "sorted_findings",
    "targets_text",
]

KINDS = (
    "malicious",
    "vulnerability",
    "runtime",
    "python2",
    "license",
    "health",
    "sast",
    "unpinned",
    "unresolvable",
    "expired-ignore",
)
"""Every finding kind, in the order reports list them."""

OSV_URL = "https://osv.dev/vulnerability/"
"""Prefix of a vulnerability's public page; OSV resolves PYSEC, GHSA, CVE and MAL ids alike."""


def _kind_rank(finding: Finding) -> int:
    try:
        return KINDS.index(finding.kind)
    except ValueError:
        return len(KINDS)


def finding_key(finding: Finding) -> tuple[int, int, str, str, str]:
    """Sort key: worst severity first, then kind, rule, title and first location."""
    first = str(finding.locations[0]) if finding.locations else ""
    return (-int(finding.severity), _kind_rank(finding), finding.rule, finding.title, first)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Worst first, then by kind, rule and title: the same input always renders the same way."""
    return sorted(findings, key=finding_key)


@dataclass(frozen=True, slots=True)
class Counts:
    """Totals over a whole assessment, as the summaries of every format show them."""

    projects: int
    dependencies: int
    findings: int
    failing: int
    ignored: int
    by_severity: dict[str, int]
    """Every severity label, worst first, with zero counts kept so consumers see stable keys."""
    by_kind: dict[str, int]


def counts(assessment: Assessment) -> Counts:
    """Count findings by severity and kind, and the ones at or above `fail_on`."""
    findings = [finding for _, finding in assessment.findings()]
    severities = Counter(finding.severity for finding in findings)
    kinds = Counter(finding.kind for finding in findings)
    by_kind = {kind: kinds.get(kind, 0) for kind in KINDS}
    by_kind.update({kind: n for kind, n in sorted(kinds.items()) if kind not in by_kind})
    return Counts(
        projects=len(assessment.projects),
        dependencies=sum(len(project.dependencies) for project in assessment.projects),
        findings=len(findings),
        failing=len(assessment.failing()),
        ignored=sum(len(project.ignored) for project in assessment.projects),
        by_severity={s.label: severities.get(s, 0) for s in sorted(Severity, reverse=True)},
        by_kind=by_kind,
    )


def fix_text(finding: VulnerabilityFinding) -> str:
    """The smallest fixing version, `none` when no release fixes it."""
    return str(finding.fix_version) if finding.fix_version is not None else "none"


def location_text(assessment: Assessment, location: Location) -> str:
    """`path:line` with the path relative to the assessment root."""
    path = assessment.relative(location.path)
    return f"{path}:{location.line}" if location.line is not None else path


def targets_text(targets: Iterable[Target]) -> str:
    """`3.11, 3.12 on linux, macos` when the targets form a full grid, else each target listed."""
    ordered = sorted(set(targets))
    pythons = sorted({t.python for t in ordered}, key=python_key)
    platforms = sorted({str(t.platform) for t in ordered})
    if not ordered:
        return "none"
    if len(ordered) == len(pythons) * len(platforms):
        return f"{', '.join(pythons)} on {', '.join(platforms)}"
    return ", ".join(str(t) for t in sorted(ordered, key=lambda t: (python_key(t.python), t.platform)))


def python_key(python: str) -> tuple[int, ...]:
    # "3.9" sorts before "3.10": compare the numbers, not the text.
    return tuple(int(part) if part.isdigit() else -1 for part in python.split("."))


def iso_date(value: date | None) -> str | None:
    """ISO 8601 date, or None."""
    return value.isoformat() if value is not None else None


def iso_datetime(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a `Z` suffix; a naive datetime is taken to be UTC already."""
    if value is None:
        return None
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return aware.isoformat().replace("+00:00", "Z")


def finite(score: float | None) -> float | None:
    """A CVSS score usable in JSON (no NaN or infinity from a malformed record)."""
    return score if score is not None and math.isfinite(score) else None


def plural(n: int, singular: str, plural: str | None = None) -> str:
    """`1 finding`, `2 findings`, `3 dependencies`."""
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def only_on(finding: VulnerabilityFinding) -> str:
    """`only on 3.12 on windows` for a finding whose dependency some targets do not install, else ``."""
    return "" if finding.all_targets else f"only on {targets_text(finding.applies_to)}"
