"""What an `AssessmentRun` stores of an engine `Assessment`: its summary, its findings, its risk.

Pure functions, no database: an `Assessment` in, JSON-ready values out, so the shape readers rely
on (estate overview, SLA reports, evidence packs; docs/server-assessments.md) is tested on its own.

Each finding gets a `key` that names *what* it is about, never where a line happens to be:

    vulnerabilities   vulnerabilities:<project>:<package>:<advisory id>     (the version is left out,
                      so an upgrade that stays vulnerable keeps the finding; one that fixes it resolves it)
    runtime           runtime:<project>:<rule>:<python>:<first declaring file>
    licenses          licenses:<project>:<package>:<rule>
    health            health:<project>:<package>:<rule>
    sast              sast:<project>:<rule>:<file>:<digest of the offending code>
    malicious         malicious:<project>:<package>:<advisory id>
    hygiene           hygiene:<project>:<rule>:<package, ignore id or file>

so two runs of the same service compare by key (`diff_findings`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pysteward.engine.assessment import Assessment, ProjectAssessment
from pysteward.engine.findings import (
    ExpiredIgnoreFinding,
    Finding,
    HealthFinding,
    LicenseFinding,
    RuntimeFinding,
    SastFinding,
    TyposquatFinding,
    UnpinnedFinding,
    UnresolvableFinding,
    VulnerabilityFinding,
)
from pysteward.engine.model import Severity
from pysteward.engine.risk import COMPONENTS, component_of, risk_score

__all__ = [
    "SEVERITIES",
    "FindingsDiff",
    "RunRecord",
    "diff_findings",
    "record_of",
]

Json = dict[str, Any]

SEVERITIES = tuple(s.label for s in sorted(Severity, reverse=True))
"""Every severity label, worst first: malicious, critical, high, medium, low, unknown, info."""

_RANK = {label: n for n, label in enumerate(SEVERITIES)}
_SUPPORTED = frozenset({"feature", "prerelease", "bugfix", "security"})
_DETAIL_CHARS = 400


@dataclass(frozen=True, slots=True, kw_only=True)
class RunRecord:
    """What one succeeded run stores: `summary` and `findings` in the documented shape, and the risk."""

    summary: Json
    findings: list[Json]
    risk_score: float
    risk_grade: str


@dataclass(frozen=True, slots=True)
class FindingsDiff:
    """Findings of the current run that are new, those of the previous one that are gone, and the rest."""

    new: list[Json]
    resolved: list[Json]
    unchanged: list[Json]


def diff_findings(previous: Sequence[Json] | None, current: Sequence[Json]) -> FindingsDiff:
    """Compare two runs' findings by `key`; with no previous run every current finding is new.

    `new` and `unchanged` hold the current run's entries (its titles may have moved on, such as a
    newer version still affected), `resolved` the previous run's; each keeps its list's order.
    """
    before = {f["key"]: f for f in previous or ()}
    now = {f["key"] for f in current}
    return FindingsDiff(
        new=[f for f in current if f["key"] not in before],
        resolved=[f for key, f in before.items() if key not in now],
        unchanged=[f for f in current if f["key"] in before],
    )


def record_of(assessment: Assessment) -> RunRecord:
    """The summary, findings and risk of `assessment` (the highest project risk stands for the run)."""
    findings = _findings(assessment)
    risks = [risk_score(p) for p in assessment.projects]
    worst = max(risks, key=lambda r: r.score)
    return RunRecord(
        summary=_summary(assessment, findings),
        findings=findings,
        risk_score=worst.score,
        risk_grade=worst.grade,
    )


# Findings -----------------------------------------------------------------------------------------


def _findings(assessment: Assessment) -> list[Json]:
    rows: list[Json] = []
    for project, finding in assessment.findings():
        rows.append(_finding(assessment, project, finding))
    rows.sort(key=lambda f: (_RANK[f["severity"]], COMPONENTS.index(f["kind"]), f["key"]))
    seen: Counter[str] = Counter()
    for row in rows:
        # Two findings about the very same thing (rare: one package pinned at two versions by
        # markers) stay apart, in a stable order.
        seen[row["key"]] += 1
        if seen[row["key"]] > 1:
            row["key"] = f"{row['key']}#{seen[row['key']]}"
    return rows


def _finding(assessment: Assessment, project: ProjectAssessment, finding: Finding) -> Json:
    kind = component_of(finding)
    where = assessment.relative(project.path)
    subject, detail, fix = _describe(assessment, finding)
    return {
        "key": ":".join((kind, where, *_identity(assessment, finding))),
        "kind": kind,
        "severity": finding.severity.label,
        "title": finding.title,
        "subject": subject,
        "detail": _shorten(detail),
        "fix": fix,
    }


def _first_file(assessment: Assessment, finding: Finding) -> str:
    return assessment.relative(finding.locations[0].path) if finding.locations else ""


def _identity(assessment: Assessment, finding: Finding) -> tuple[str, ...]:
    """What the finding is about, without line numbers or versions (see the module docstring)."""
    match finding:
        case VulnerabilityFinding():
            return finding.package, finding.vulnerability_id
        case RuntimeFinding():
            return finding.rule, finding.python, _first_file(assessment, finding)
        case LicenseFinding() | HealthFinding():
            return finding.package, finding.rule
        case SastFinding():
            code = " ".join(finding.code.split())
            digest = hashlib.sha256(code.encode("utf-8")).hexdigest()[:12]
            return finding.rule, _first_file(assessment, finding), digest
    return finding.rule, _hygiene_subject(assessment, finding)


def _hygiene_subject(assessment: Assessment, finding: Finding) -> str:
    match finding:
        case UnpinnedFinding(dependency=dep) | UnresolvableFinding(dependency=dep):
            return dep.name
        case ExpiredIgnoreFinding():
            return finding.ignored_id
        case TyposquatFinding():
            return finding.package
    return f"{_first_file(assessment, finding)}:{finding.title}"


def _describe(assessment: Assessment, finding: Finding) -> tuple[str, str, str | None]:
    """(subject, detail, fix) in words."""
    where = ", ".join(_location(assessment, loc) for loc in finding.locations[:5])
    match finding:
        case VulnerabilityFinding():
            return _vulnerability(finding, where)
        case RuntimeFinding():
            eol = finding.end_of_life.isoformat() if finding.end_of_life else "unknown"
            fix = "move to a supported Python" if finding.rule == "steward/runtime-eol" else None
            return f"Python {finding.python}", f"end of life {eol}; declared in {where}", fix
        case LicenseFinding():
            license_text = finding.license or "no license found"
            return (
                _package(finding.package, finding.version),
                f"{license_text} ({finding.license_class}): {finding.reason}",
                None,
            )
        case HealthFinding():
            return _package(finding.package, finding.version), finding.detail or finding.check, None
        case SastFinding():
            detail = f"{finding.test_name}, {finding.confidence} confidence, in {where}: {finding.code}"
            return where, detail, None
    return where or finding.rule, f"{finding.rule} in {where}" if where else finding.rule, None


def _vulnerability(finding: VulnerabilityFinding, where: str) -> tuple[str, str, str | None]:
    ids = ", ".join(sorted(finding.ids))
    # The advisory's text is shortened on its own, so where the pin is always shows.
    text = _shorten(finding.summary or finding.details or "no description in the advisory", 240)
    fix = None
    if finding.fix_version is not None:
        fix = f"upgrade {finding.package} to {finding.fix_version} or later"
    return _package(finding.package, finding.version), f"{ids}: {text} (pinned in {where})", fix


def _package(name: str, version: object | None) -> str:
    return name if version is None else f"{name} {version}"


def _location(assessment: Assessment, location: Any) -> str:
    path = assessment.relative(location.path)
    return f"{path}:{location.line}" if location.line is not None else path


def _shorten(text: str, limit: int = _DETAIL_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


# Summary ------------------------------------------------------------------------------------------


def _summary(assessment: Assessment, findings: Sequence[Json]) -> Json:
    severities = Counter(f["severity"] for f in findings)
    kinds = Counter(f["kind"] for f in findings)
    critical = sum(
        1
        for f in findings
        if f["kind"] == "malicious" or (f["kind"] == "vulnerabilities" and f["severity"] == "critical")
    )
    database = assessment.database
    return {
        "findings": len(findings),
        "by_severity": {label: severities.get(label, 0) for label in SEVERITIES},
        "by_kind": {kind: kinds.get(kind, 0) for kind in COMPONENTS},
        "critical_vulnerabilities": critical,
        "vulnerabilities": kinds.get("vulnerabilities", 0),
        "license_issues": kinds.get("licenses", 0),
        "eol_runtimes": _eol_runtimes(assessment),
        "runtimes": _runtimes(assessment),
        "components": _components(assessment),
        # Beyond the readers' contract: what the run was judged against, and what it could not check.
        "on": assessment.on.isoformat(),
        "projects": len(assessment.projects),
        "advisory_database": None
        if database is None
        else {
            "records": database.records,
            "newest_modified": _iso(database.newest_modified),
            "imported_at": _iso(database.imported_at),
        },
        "release_cycle_as_of": assessment.release_cycle_as_of.isoformat(),
        "not_checked": list(assessment.not_checked),
        "notices": list(assessment.warnings) + [w for p in assessment.projects for w in p.warnings],
    }


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _eol_runtimes(assessment: Assessment) -> list[Json]:
    """The Pythons the engine reported as past end of life, once each, oldest first."""
    found: dict[str, str | None] = {}
    for _, finding in assessment.findings():
        if isinstance(finding, RuntimeFinding) and finding.rule == "steward/runtime-eol":
            found[finding.python] = _iso(finding.end_of_life)
    return [{"version": v, "eol": found[v]} for v in sorted(found, key=_python_key)]


def _runtimes(assessment: Assessment) -> list[Json]:
    """Every Python a project targets, with its end of life and whether CPython still supports it."""
    found: dict[str, Json] = {}
    for project in assessment.projects:
        for runtime in project.runtimes:
            found[runtime.python] = {
                "version": runtime.python,
                "eol": _iso(runtime.end_of_life),
                "supported": runtime.status in _SUPPORTED,
            }
    return [found[v] for v in sorted(found, key=_python_key)]


def _components(assessment: Assessment) -> list[Json]:
    """Each dependency once per project: name, exact version when known, license when judged."""
    rows: dict[tuple[str, str, str | None], Json] = {}
    for project in assessment.projects:
        where = assessment.relative(project.path)
        for assessed in project.dependencies:
            version = None if assessed.version is None else str(assessed.version)
            key = (where, assessed.dependency.name, version)
            license_text = assessed.license.expression if assessed.license is not None else None
            known = rows.get(key)
            if known is None or (known["license"] is None and license_text):
                rows[key] = {
                    "project": where,
                    "name": assessed.dependency.display_name,
                    "version": version,
                    "license": license_text or None,
                }
    return [rows[k] for k in sorted(rows, key=lambda k: (k[0], k[1], k[2] or ""))]


def _python_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else -1 for p in version.split("."))
