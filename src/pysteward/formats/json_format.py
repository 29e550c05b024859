"""`--format json`: a documented, versioned document (docs/json-schema.md).

Its top level is a superset of pip-audit's `--format json` (`dependencies[].name/version/vulns`,
skipped entries with `skip_reason`, and `fixes`), so tools written for pip-audit read it unchanged.
Everything else is additive. Keys come out in a fixed order and lists are sorted, so two runs on the
same input produce identical text.
"""

from __future__ import annotations

import json
from typing import Any

from pysteward.engine.assessment import (
    SCHEMA_VERSION,
    AssessedDependency,
    Assessment,
    IgnoredFinding,
    ProjectAssessment,
    RuntimeVersion,
)
from pysteward.engine.findings import (
    ExpiredIgnoreFinding,
    Finding,
    HealthFinding,
    LicenseFinding,
    Python2Finding,
    RuntimeFinding,
    SastFinding,
    UnpinnedFinding,
    UnresolvableFinding,
    VulnerabilityFinding,
)
from pysteward.engine.model import (
    Dependency,
    DirectReference,
    Location,
    Severity,
    UnpinnedDependency,
)
from pysteward.engine.risk import risk_score
from pysteward.formats._common import (
    counts,
    finding_key,
    finite,
    iso_date,
    iso_datetime,
    python_key,
    sorted_findings,
)
from pysteward.formats.interface import Formatter

__all__ = ["JsonFormat"]

Json = dict[str, Any]


class JsonFormat(Formatter):
    """The assessment as one JSON document (schema `SCHEMA_VERSION`)."""

    def render(self, assessment: Assessment) -> str:
        """Indented JSON, keys in schema order, ending with a newline."""
        return json.dumps(document(assessment), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def document(assessment: Assessment) -> Json:
    """The JSON document as Python values (what `render` serialises)."""
    database = assessment.database
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "steward", "version": assessment.tool_version},
        "generated_at": iso_datetime(assessment.generated_at),
        "on": iso_date(assessment.on),
        "database": None
        if database is None
        else {
            "source": database.source,
            "records": database.records,
            "newest_modified": iso_datetime(database.newest_modified),
            "imported_at": iso_datetime(database.imported_at),
        },
        "release_cycle_as_of": iso_date(assessment.release_cycle_as_of),
        "fail_on": str(assessment.fail_on),
        "dependencies": _dependencies(assessment),
        "fixes": [],
        "projects": [_project(assessment, p) for p in sorted(assessment.projects, key=lambda p: p.path)],
        "summary": _summary(assessment),
        "warnings": list(assessment.warnings),
        "not_checked": list(assessment.not_checked),
    }


def _dependencies(assessment: Assessment) -> list[Json]:
    rows = [
        _dependency(assessment, project, dep)
        for project in assessment.projects
        for dep in project.dependencies
    ]
    return sorted(
        rows, key=lambda r: (r["name"], r["project"], r["file"], r["line"] or 0, r["version"] or "")
    )


def _dependency(assessment: Assessment, project: ProjectAssessment, assessed: AssessedDependency) -> Json:
    dep = assessed.dependency
    version = assessed.version
    row: Json = {"name": dep.name, "version": str(version) if version is not None else None}
    row["vulns"] = [
        _pip_audit_vuln(v) for v in sorted(assessed.vulnerabilities, key=lambda v: v.vulnerability_id)
    ]
    reason = _skip_reason(dep)
    if reason is not None:
        row["skip_reason"] = reason
    row |= {
        "display_name": dep.display_name,
        "project": assessment.relative(project.path),
        "file": assessment.relative(dep.location.path),
        "line": dep.location.line,
        "scopes": sorted(dep.scopes),
        "direct": dep.direct,
        "source": str(dep.source),
        "url": dep.url if isinstance(dep, DirectReference) else None,
        "commit": dep.commit if isinstance(dep, DirectReference) else None,
        "specifier": str(dep.specifier) if isinstance(dep, UnpinnedDependency) else None,
        "markers": str(dep.marker) if dep.marker is not None else None,
        "extras": sorted(dep.extras),
        "requirement": dep.requirement,
        "hashes": dep.has_hashes,
        "applies_to": [str(t) for t in sorted(assessed.applies_to, key=lambda t: (python_key(t.python), t))],
        "all_targets": assessed.all_targets,
        "locked": assessed.locked,
        "license": _license(assessed),
        "health": _health(assessed),
    }
    return row


def _license(assessed: AssessedDependency) -> Json | None:
    verdict = assessed.license
    if verdict is None:
        return None
    return {
        "expression": verdict.expression,
        "spdx": verdict.spdx,
        "class": str(verdict.license_class),
        "osi_approved": verdict.osi_approved,
        "deprecated": verdict.deprecated,
        "chosen": verdict.chosen,
        "source": verdict.source,
        "approximate": verdict.approximate,
    }


def _health(assessed: AssessedDependency) -> Json | None:
    facts = assessed.health
    if facts is None:
        return None
    return {
        "latest_version": str(facts.latest_version) if facts.latest_version is not None else None,
        "last_release": iso_date(facts.last_release),
        "cadence_days": facts.cadence_days,
        "yanked": facts.yanked,
        "owners": list(facts.owners),
        "maintainers": list(facts.maintainers),
        "organization": facts.organization,
        "status": str(facts.status),
        "inactive": facts.inactive,
    }


def _skip_reason(dep: Dependency) -> str | None:
    # pip-audit's skipped form: the dependency could not be audited, and here is why.
    match dep:
        case UnpinnedDependency(specifier=specifier):
            what = f"the requirement {specifier}" if str(specifier) else "no version constraint"
            return f"not pinned: {what} admits several versions"
        case DirectReference(kind=kind, url=url):
            return f"{kind} reference {url} cannot be checked against the package index"
    return None


def _pip_audit_vuln(vuln: VulnerabilityFinding) -> Json:
    return {
        "id": vuln.vulnerability_id,
        "fix_versions": [str(v) for v in vuln.fix_versions],
        "aliases": sorted(vuln.aliases),
        "description": vuln.details or vuln.summary,
        "summary": vuln.summary,
        "severity": vuln.severity.label,
        "score": finite(vuln.score),
        "vector": vuln.vector,
        "malicious": vuln.severity is Severity.MALICIOUS,
        "references": list(vuln.references),
    }


def _project(assessment: Assessment, project: ProjectAssessment) -> Json:
    return {
        "path": assessment.relative(project.path),
        "manifests": [
            {
                "path": assessment.relative(m.path),
                "kind": m.kind,
                "is_lock": m.is_lock,
                "dependency_count": len(m.dependencies),
                "python_requires": str(m.python_requires) if m.python_requires is not None else None,
                "warnings": list(m.warnings),
            }
            for m in sorted(project.manifests, key=lambda m: m.path)
        ],
        "targets": [str(t) for t in sorted(project.targets, key=lambda t: (python_key(t.python), t))],
        "runtimes": [
            _runtime(assessment, r) for r in sorted(project.runtimes, key=lambda r: python_key(r.python))
        ],
        "findings": [
            _finding(assessment, f) | {"failing": assessment.fail_on.fails(f)}
            for f in sorted_findings(project.findings)
        ],
        "ignored": [_ignored(assessment, i) for i in _sorted_ignored(project.ignored)],
        "warnings": list(project.warnings),
        "risk": _risk(project),
    }


def _risk(project: ProjectAssessment) -> Json:
    risk = risk_score(project)
    return {"score": risk.score, "grade": risk.grade, "components": dict(risk.components)}


def _sorted_ignored(ignored: tuple[IgnoredFinding, ...]) -> list[IgnoredFinding]:
    return sorted(ignored, key=lambda i: (finding_key(i.finding), i.rule_id))


def _runtime(assessment: Assessment, runtime: RuntimeVersion) -> Json:
    return {
        "python": runtime.python,
        "status": runtime.status,
        "first_release": iso_date(runtime.first_release),
        "end_of_life": iso_date(runtime.end_of_life),
        "days_left": runtime.days_left,
        "approximate": runtime.approximate,
        "declared_by": [_location(assessment, loc) for loc in runtime.declared_by],
        "sources": sorted(runtime.sources),
    }


def _location(assessment: Assessment, location: Location) -> Json:
    return {"path": assessment.relative(location.path), "line": location.line}


def _ignored(assessment: Assessment, ignored: IgnoredFinding) -> Json:
    return {
        "rule_id": ignored.rule_id,
        "reason": ignored.reason,
        "until": iso_date(ignored.until),
        "finding": _finding(assessment, ignored.finding),
    }


def _finding(assessment: Assessment, finding: Finding) -> Json:
    """Common keys, then the ones specific to the finding's kind."""
    return {
        "kind": finding.kind,
        "rule": finding.rule,
        "severity": finding.severity.label,
        "title": finding.title,
        "locations": [_location(assessment, loc) for loc in finding.locations],
    } | _specific(finding)


def _specific(finding: Finding) -> Json:
    extra: Json = {}
    match finding:
        case VulnerabilityFinding():
            extra = (
                {"package": finding.package, "version": str(finding.version)}
                | _pip_audit_vuln(finding)
                | {"all_targets": finding.all_targets, "applies_to": [str(t) for t in finding.applies_to]}
            )
        case RuntimeFinding():
            extra = {
                "python": finding.python,
                "status": finding.status,
                "end_of_life": iso_date(finding.end_of_life),
                "days_left": finding.days_left,
                "approximate": finding.approximate,
            }
        case Python2Finding():
            extra = {"evidence": finding.evidence}
        case UnpinnedFinding(dependency=dep):
            extra = {"package": dep.name, "specifier": str(dep.specifier)}
        case UnresolvableFinding(dependency=dep):
            version = str(dep.version) if dep.version is not None else None
            extra = {"package": dep.name, "source": str(dep.kind), "url": dep.url, "version": version}
        case ExpiredIgnoreFinding():
            extra = {
                "ignored_id": finding.ignored_id,
                "until": iso_date(finding.until),
                "reason": finding.reason,
            }
        case LicenseFinding() | HealthFinding() | SastFinding():
            extra = _new_kind(finding)
    return extra


def _new_kind(finding: LicenseFinding | HealthFinding | SastFinding) -> Json:
    """Keys of the license, maintenance-health and static-analysis kinds."""
    match finding:
        case LicenseFinding():
            return {
                "package": finding.package,
                "version": _version(finding),
                "license": finding.license,
                "license_class": finding.license_class,
                "reason": finding.reason,
            }
        case HealthFinding():
            return {
                "package": finding.package,
                "version": _version(finding),
                "check": finding.check,
                "detail": finding.detail,
            }
    return {
        "test_id": finding.rule,
        "test_name": finding.test_name,
        "confidence": finding.confidence,
        "code": finding.code,
        "more_info": finding.more_info,
    }


def _version(finding: LicenseFinding | HealthFinding) -> str | None:
    return str(finding.version) if finding.version is not None else None


def _summary(assessment: Assessment) -> Json:
    totals = counts(assessment)
    return {
        "projects": totals.projects,
        "dependencies": totals.dependencies,
        "vulnerable_dependencies": sum(
            1 for p in assessment.projects for d in p.dependencies if d.vulnerabilities
        ),
        "findings": totals.findings,
        "failing": totals.failing,
        "ignored": totals.ignored,
        "by_severity": totals.by_severity,
        "by_kind": totals.by_kind,
    }
