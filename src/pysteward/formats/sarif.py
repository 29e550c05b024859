"""`--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it.

GitHub's requirements (docs: "SARIF support for code scanning") shape this module: every result's
`ruleId` names a rule of `tool.driver.rules`, every result has a physical location with a relative
URI and a `startLine` of at least 1, and a rule's `properties.security-severity` is a number in a
string, from 0.0 to 10.0, which GitHub turns into critical/high/medium/low.

One result is emitted per location of a finding, so a vulnerable version pinned in two files raises
an alert in each; `partialFingerprints` keep alerts stable across runs even when lines move.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from pysteward.engine.assessment import Assessment, ProjectAssessment
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
from pysteward.engine.model import Location, Severity
from pysteward.formats._common import OSV_URL, finding_key, finite, fix_text, only_on, sorted_findings
from pysteward.formats.interface import Formatter

__all__ = ["SARIF_SCHEMA", "SarifFormat", "level", "security_severity"]

Json = dict[str, Any]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/pysteward/pysteward"
"""Where the tool is described; placeholder until the project has a public home."""
FINGERPRINT_KEY = "steward/v1"
SRCROOT = "%SRCROOT%"
_MAX_DESCRIPTION = 4000

_SEVERITY_SCORES = {
    Severity.MALICIOUS: 10.0,
    Severity.CRITICAL: 9.5,
    Severity.HIGH: 8.0,
    Severity.MEDIUM: 5.5,
    Severity.LOW: 2.0,
}
"""A representative CVSS score per severity, for records that only carry a label (GitHub's bands:
critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0, low > 0)."""

_KIND_RULES: dict[str, tuple[str, str, str | None]] = {
    # kind: (rule name, description, help URI)
    "runtime": (
        "EndOfLifePython",
        "A targeted Python version is end-of-life, or reaches it soon, and gets no security fixes.",
        "https://devguide.python.org/versions/",
    ),
    "python2": ("Python2", "The project pins Python 2 or its sources use Python-2-only syntax.", None),
    "unpinned": (
        "UnpinnedDependency",
        "A requirement admits several versions and no lockfile pins it, so it cannot be audited.",
        None,
    ),
    "unresolvable": (
        "UnresolvableDependency",
        "A URL, VCS, path or editable requirement cannot be checked against the package index.",
        None,
    ),
    "expired-ignore": (
        "ExpiredIgnore",
        "An ignore rule has passed its `until` date; the finding it hid is reported again.",
        None,
    ),
    "license": (
        "LicensePolicy",
        "A dependency's license is denied by the policy, conflicts with the project's own license, "
        "is not OSI-approved, or cannot be determined.",
        None,
    ),
    "health": (
        "MaintenanceHealth",
        "A dependency looks unmaintained: no recent release, few maintainers, a yanked version "
        "pinned, or a project archived, quarantined or deprecated.",
        None,
    ),
}
_KIND_TAGS = {
    # An unsupported Python gets no security fixes: a security matter. The others are hygiene.
    "runtime": ("security",),
    "python2": ("security",),
    "unpinned": ("reproducibility",),
    "unresolvable": ("reproducibility",),
    "expired-ignore": ("maintainability",),
    "license": ("license", "dependency"),
    "health": ("maintainability", "dependency"),
}
_PRECISION = {"high": "high", "medium": "medium", "low": "low"}
"""Bandit's confidence as GitHub's `precision` rule property."""


class SarifFormat(Formatter):
    """The assessment as a SARIF 2.1.0 log with one run."""

    def render(self, assessment: Assessment) -> str:
        """Indented SARIF JSON ending with a newline."""
        return json.dumps(log(assessment), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def level(severity: Severity) -> str:
    """SARIF result level: error for high and worse, note for info, warning otherwise."""
    if severity >= Severity.HIGH:
        return "error"
    if severity is Severity.INFO:
        return "note"
    return "warning"


def security_severity(finding: Finding) -> str | None:
    """GitHub's `security-severity` for a vulnerability: its CVSS score, else one for its label.

    A static-analysis finding gets the number for its label, as Bandit gives no score. None for
    other findings and for vulnerabilities of unknown severity: a made-up number would mislead, and
    GitHub still shows them, by level.
    """
    if isinstance(finding, SastFinding):
        known = _SEVERITY_SCORES.get(finding.severity)
        return None if known is None else f"{known:.1f}"
    if not isinstance(finding, VulnerabilityFinding):
        return None
    score = finite(finding.score)
    if score is None:
        score = _SEVERITY_SCORES.get(finding.severity)
    if finding.severity is Severity.MALICIOUS:
        score = _SEVERITY_SCORES[Severity.MALICIOUS]
    return None if score is None else f"{min(max(score, 0.0), 10.0):.1f}"


def log(assessment: Assessment) -> Json:
    """The SARIF log as Python values."""
    projects = sorted(assessment.projects, key=lambda p: p.path)
    entries: list[tuple[ProjectAssessment, Finding, str | None]] = [
        (project, finding, None) for project in projects for finding in sorted_findings(project.findings)
    ]
    entries += [
        (project, ignored.finding, ignored.reason)
        for project in projects
        for ignored in sorted(project.ignored, key=lambda i: (finding_key(i.finding), i.rule_id))
    ]
    rules: dict[str, Json] = {}
    for _, finding, _ in entries:
        rules.setdefault(finding.rule, _rule(finding))
    index = {rule_id: n for n, rule_id in enumerate(rules)}
    results = [
        _result(assessment, project, finding, location, rule_index=index[finding.rule], suppressed=suppressed)
        for project, finding, suppressed in entries
        for location in _locations(project, finding)
    ]
    driver = {
        "name": "steward",
        "informationUri": INFORMATION_URI,
        "version": assessment.tool_version,
        "semanticVersion": assessment.tool_version,
        "rules": list(rules.values()),
    }
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results, "columnKind": "unicodeCodePoints"}],
    }


def _rule(finding: Finding) -> Json:
    if isinstance(finding, SastFinding):
        return _sast_rule(finding)
    if isinstance(finding, VulnerabilityFinding):
        name = "MaliciousPackage" if finding.severity is Severity.MALICIOUS else "VulnerableDependency"
        short = finding.summary or f"{finding.vulnerability_id} in {finding.package}"
        full = (finding.details or short)[:_MAX_DESCRIPTION]
        help_uri: str | None = OSV_URL + quote(finding.vulnerability_id)
        tags = [
            "security",
            "dependency",
            "vulnerability",
            *(["malicious"] if finding.kind == "malicious" else []),
        ]
        help_text = _vulnerability_help(finding)
    else:
        name, full, help_uri = _KIND_RULES.get(finding.kind, ("StewardFinding", finding.title, None))
        short = full
        tags = [*_KIND_TAGS.get(finding.kind, ("maintainability",)), finding.kind]
        help_text = full
    rule: Json = {
        "id": finding.rule,
        "name": name,
        "shortDescription": {"text": _first_line(short)},
        "fullDescription": {"text": full},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": level(finding.severity)},
        "properties": {"tags": tags},
    }
    if help_uri is not None:
        rule["helpUri"] = help_uri
    score = security_severity(finding)
    if score is not None:
        rule["properties"]["security-severity"] = score
    return rule


def _sast_rule(finding: SastFinding) -> Json:
    """A Bandit test as a rule: its id, name, issue text, documentation and confidence."""
    name = "".join(part.capitalize() for part in finding.test_name.split("_")) or finding.rule
    full = f"Bandit {finding.rule} ({finding.test_name}): {finding.title}"
    rule: Json = {
        "id": finding.rule,
        "name": name,
        "shortDescription": {"text": _first_line(finding.title or full)},
        "fullDescription": {"text": full[:_MAX_DESCRIPTION]},
        "help": {"text": full + (f" Details: {finding.more_info}" if finding.more_info else "")},
        "defaultConfiguration": {"level": level(finding.severity)},
        "properties": {"tags": ["security", "sast", "bandit"]},
    }
    if finding.more_info.startswith(("https://", "http://")):
        rule["helpUri"] = finding.more_info
    if finding.confidence in _PRECISION:
        rule["properties"]["precision"] = _PRECISION[finding.confidence]
    score = security_severity(finding)
    if score is not None:
        rule["properties"]["security-severity"] = score
    return rule


def _vulnerability_help(finding: VulnerabilityFinding) -> str:
    aliases = ", ".join(sorted(finding.aliases)) or "none"
    fixes = ", ".join(str(v) for v in finding.fix_versions) or "none"
    return (
        f"{finding.vulnerability_id} (aliases: {aliases}) affects {finding.package}. "
        f"Fixed in: {fixes}. Details: {OSV_URL}{quote(finding.vulnerability_id)}"
    )


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else text
    return line[:1000]


def _locations(project: ProjectAssessment, finding: Finding) -> tuple[Location, ...]:
    # GitHub rejects a result without a location; fall back to the project's first manifest.
    if finding.locations:
        return finding.locations
    manifests = sorted(project.manifests, key=lambda m: m.path)
    return (Location(manifests[0].path if manifests else project.path),)


def _result(
    assessment: Assessment,
    project: ProjectAssessment,
    finding: Finding,
    location: Location,
    *,
    rule_index: int,
    suppressed: str | None,
) -> Json:
    path = assessment.relative(location.path)
    result: Json = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": {"text": _message(finding)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact(path),
                    "region": {"startLine": max(location.line or 1, 1)},
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(finding, path)},
        "properties": {
            "kind": finding.kind,
            "severity": finding.severity.label,
            "project": assessment.relative(project.path),
        },
    }
    if suppressed is not None:
        result["suppressions"] = [{"kind": "external", "justification": suppressed}]
    return result


def _artifact(path: str) -> Json:
    # Paths below the root are relative to the checkout (%SRCROOT%), as GitHub wants; a file
    # outside it (a shared constraints file) can only be named by an absolute file URI.
    if PurePosixPath(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path), "uriBaseId": SRCROOT}


def _message(finding: Finding) -> str:
    match finding:
        case VulnerabilityFinding():
            what = "is a malicious package" if finding.kind == "malicious" else "is vulnerable"
            summary = f": {finding.summary}" if finding.summary else ""
            note = f" Installed {only_on(finding)}." if only_on(finding) else ""
            return (
                f"{finding.package} {finding.version} {what} ({finding.vulnerability_id}){summary}. "
                f"Fixed in: {fix_text(finding)}.{note}"
            )
        case ExpiredIgnoreFinding():
            return f"{finding.title} (ignored {finding.ignored_id} until {finding.until}: {finding.reason})"
        case SastFinding():
            return f"{finding.title} (Bandit {finding.rule}, {finding.confidence} confidence)"
        case HealthFinding():
            return f"{finding.title}: {finding.detail}" if finding.detail else finding.title
    return finding.title


def _fingerprint(finding: Finding, path: str) -> str:
    package, version = _identity(finding)
    text = "\x00".join((finding.rule, package, version, path))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _identity(finding: Finding) -> tuple[str, str]:
    """What the finding is about, without line numbers, so the fingerprint survives edits."""
    match finding:
        case VulnerabilityFinding():
            return finding.package, str(finding.version)
        case RuntimeFinding():
            return "python", finding.python
        case UnpinnedFinding(dependency=dep):
            return dep.name, str(dep.specifier)
        case UnresolvableFinding(dependency=dep):
            return dep.name, dep.url
        case ExpiredIgnoreFinding() | LicenseFinding() | HealthFinding() | SastFinding():
            return _more_identity(finding)
    return finding.title, ""


def _more_identity(
    finding: ExpiredIgnoreFinding | LicenseFinding | HealthFinding | SastFinding,
) -> tuple[str, str]:
    match finding:
        case ExpiredIgnoreFinding():
            return finding.ignored_id, finding.until.isoformat()
        case LicenseFinding():
            return finding.package, finding.license
        case HealthFinding():
            return finding.package, finding.check
    # The offending code, not its line: the alert stays put when lines above it move.
    return finding.test_name, " ".join(finding.code.split())
