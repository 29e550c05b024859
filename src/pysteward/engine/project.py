"""Assessing one project: targets, marker applicability, lock coverage, findings and ignores."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from packaging.version import Version

from pysteward.engine.advisories import Vulnerability
from pysteward.engine.assessment import AssessedDependency, IgnoredFinding, ProjectAssessment
from pysteward.engine.checks import DependencyChecks, check_dependencies, check_typosquats, run_sast
from pysteward.engine.config import Config
from pysteward.engine.findings import (
    ExpiredIgnoreFinding,
    Finding,
    UnpinnedFinding,
    UnresolvableFinding,
    VulnerabilityFinding,
    dependency_title,
)
from pysteward.engine.markers import applicable_targets, targets_for
from pysteward.engine.model import (
    Dependency,
    DirectReference,
    Location,
    Manifest,
    PinnedDependency,
    Severity,
    Target,
    UnpinnedDependency,
)
from pysteward.engine.runtime import ReleaseCycle
from pysteward.engine.runtime_findings import RuntimeJudgement, judge_runtimes
from pysteward.engine.vulnerabilities import Pin

__all__ = ["ProjectInput", "assess_project"]


@dataclass(frozen=True, slots=True)
class ProjectInput:
    """A project's directory, its parsed manifests and its own Python files."""

    directory: Path
    manifests: tuple[Manifest, ...]
    sources: tuple[Path, ...]
    detect: bool
    """Look for runtime declarations (Dockerfile, CI, …) in the directory (not for `--env`)."""

    def pins(self) -> set[Pin]:
        """Every exact index version the project's manifests name."""
        return {
            (d.name, d.version)
            for m in self.manifests
            for d in m.dependencies
            if isinstance(d, PinnedDependency)
        }


def assess_project(
    item: ProjectInput,
    *,
    config: Config,
    cycle: ReleaseCycle,
    vulnerabilities: Mapping[Pin, tuple[Vulnerability, ...]],
    on: date,
    checks: DependencyChecks | None = None,
) -> ProjectAssessment:
    """Everything Steward finds in one project."""
    checks = checks or DependencyChecks()
    runtime: RuntimeJudgement = judge_runtimes(item, config=config, cycle=cycle, on=on)
    targets = targets_for(runtime.pythons, config.platforms)
    dependencies = _assessed(_unique(item.manifests), targets, _locked_names(item.manifests), vulnerabilities)
    dependencies, checked = check_dependencies(dependencies, item, checks, on)
    sast, sast_notices = run_sast(item, checks.sast)
    findings = [
        *_vulnerability_findings(dependencies),
        *runtime.findings,
        *_dependency_findings(dependencies),
        *checked,
        *check_typosquats(dependencies, checks),
        *sast,
    ]
    kept, ignored, expired = _apply_ignores(findings, config, on)
    return ProjectAssessment(
        path=item.directory,
        manifests=item.manifests,
        dependencies=tuple(_without_ignored(d, ignored) for d in dependencies),
        runtimes=runtime.versions,
        targets=targets,
        findings=tuple(sorted([*kept, *expired], key=_order)),
        ignored=tuple(ignored),
        warnings=tuple(w for m in item.manifests for w in m.warnings) + runtime.warnings + sast_notices,
    )


def _order(finding: Finding) -> tuple[int, str, str]:
    return (-finding.severity, finding.title, finding.rule)


def _unique(manifests: Iterable[Manifest]) -> list[Dependency]:
    """Every dependency once: a file read both directly and through `-r` counts once."""
    seen: dict[tuple[object, ...], Dependency] = {}
    for manifest in manifests:
        for dep in manifest.dependencies:
            key = (type(dep), dep.name, dep.location, getattr(dep, "version", None), str(dep.marker))
            seen.setdefault(key, dep)
    return list(seen.values())


def _locked_names(manifests: Iterable[Manifest]) -> set[str]:
    return {
        d.name
        for m in manifests
        if m.is_lock
        for d in m.dependencies
        if isinstance(d, PinnedDependency | DirectReference)
    }


def _assessed(
    dependencies: Sequence[Dependency],
    targets: Sequence[Target],
    locked: set[str],
    vulnerabilities: Mapping[Pin, tuple[Vulnerability, ...]],
) -> list[AssessedDependency]:
    result = []
    for dep in dependencies:
        applies = applicable_targets(dep.marker, targets, dep.extras)
        known: tuple[VulnerabilityFinding, ...] = ()
        if isinstance(dep, PinnedDependency) and applies:
            known = tuple(
                _finding(dep, v, applies, all_targets=len(applies) == len(targets))
                for v in vulnerabilities.get((dep.name, dep.version), ())
            )
        result.append(
            AssessedDependency(
                dependency=dep,
                applies_to=applies,
                all_targets=len(applies) == len(targets),
                locked=isinstance(dep, UnpinnedDependency) and dep.name in locked,
                vulnerabilities=known,
            )
        )
    return result


def _finding(
    dep: PinnedDependency, vuln: Vulnerability, applies: tuple[Target, ...], *, all_targets: bool
) -> VulnerabilityFinding:
    fix = f"; fixed in {vuln.fix_versions[0]}" if vuln.fix_versions else "; no fix released"
    label = "malicious package" if vuln.severity is Severity.MALICIOUS else vuln.id
    return VulnerabilityFinding(
        rule=vuln.id,
        severity=vuln.severity,
        title=f"{dep.display_name} {dep.version}: {label}{fix}",
        locations=(dep.location,),
        package=dep.name,
        version=dep.version,
        vulnerability_id=vuln.id,
        aliases=vuln.aliases,
        summary=vuln.summary,
        details=vuln.details,
        fix_versions=vuln.fix_versions,
        score=vuln.score,
        vector=vuln.vector,
        references=vuln.references,
        applies_to=() if all_targets else applies,
        all_targets=all_targets,
    )


def _vulnerability_findings(dependencies: Sequence[AssessedDependency]) -> list[VulnerabilityFinding]:
    """One finding per (vulnerability, package version), listing every place that pins it."""
    merged: dict[tuple[str, str, Version], VulnerabilityFinding] = {}
    for assessed in dependencies:
        for finding in assessed.vulnerabilities:
            key = (finding.vulnerability_id, finding.package, finding.version)
            known = merged.get(key)
            merged[key] = finding if known is None else _merge(known, finding)
    return list(merged.values())


def _merge(known: VulnerabilityFinding, more: VulnerabilityFinding) -> VulnerabilityFinding:
    """The same vulnerability pinned in several places: every location, the union of targets."""
    everywhere = known.all_targets or more.all_targets
    return replace(
        known,
        locations=tuple(dict.fromkeys(known.locations + more.locations)),
        applies_to=() if everywhere else tuple(sorted({*known.applies_to, *more.applies_to})),
        all_targets=everywhere,
    )


def _dependency_findings(dependencies: Sequence[AssessedDependency]) -> list[Finding]:
    findings: list[Finding] = []
    for assessed in dependencies:
        dep = assessed.dependency
        if not assessed.applies_to:
            continue
        if isinstance(dep, UnpinnedDependency) and not assessed.locked:
            what = f"unpinned ({dep.specifier})" if str(dep.specifier) else "unpinned (any version)"
            findings.append(
                UnpinnedFinding(
                    rule="steward/unpinned",
                    severity=Severity.INFO,
                    title=f"{dependency_title(dep)}: {what}; no lockfile pins it",
                    locations=(dep.location,),
                    dependency=dep,
                )
            )
        elif isinstance(dep, DirectReference):
            findings.append(
                UnresolvableFinding(
                    rule="steward/unresolvable",
                    severity=Severity.INFO,
                    title=f"{dep.display_name}: {dep.kind} reference, not checked against the index "
                    f"({dep.url})",
                    locations=(dep.location,),
                    dependency=dep,
                )
            )
    return findings


def _apply_ignores(
    findings: list[Finding], config: Config, on: date
) -> tuple[list[Finding], list[IgnoredFinding], list[ExpiredIgnoreFinding]]:
    kept: list[Finding] = []
    ignored: list[IgnoredFinding] = []
    expired: dict[str, ExpiredIgnoreFinding] = {}
    for finding in findings:
        ids = finding.ids if isinstance(finding, VulnerabilityFinding) else frozenset({finding.rule})
        rule = next((i for i in config.ignores if i.id in ids), None)
        if rule is None:
            kept.append(finding)
        elif rule.expired(on):
            kept.append(finding)
            assert rule.until is not None
            expired[rule.id] = ExpiredIgnoreFinding(
                rule="steward/expired-ignore",
                severity=Severity.INFO,
                title=f"ignore for {rule.id} expired on {rule.until.isoformat()}; it no longer applies",
                locations=(Location(config.source, rule.line),) if config.source else (),
                ignored_id=rule.id,
                until=rule.until,
                reason=rule.reason,
            )
        else:
            ignored.append(
                IgnoredFinding(finding=finding, rule_id=rule.id, reason=rule.reason, until=rule.until)
            )
    return kept, ignored, list(expired.values())


def _without_ignored(assessed: AssessedDependency, ignored: Sequence[IgnoredFinding]) -> AssessedDependency:
    hidden = {i.finding.rule for i in ignored if isinstance(i.finding, VulnerabilityFinding)}
    if not any(v.rule in hidden for v in assessed.vulnerabilities):
        return assessed
    return replace(
        assessed, vulnerabilities=tuple(v for v in assessed.vulnerabilities if v.rule not in hidden)
    )
