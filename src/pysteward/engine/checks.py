"""The checks beyond vulnerabilities and runtimes: licenses, maintenance health and Bandit.

Licenses and health need facts about each dependency: an installed dependency's own METADATA says
its license; everything else comes from the package index (`engine.index`), fetched once for every
pin of every project, through the on-disk cache, or from the cache alone when offline. A dependency
the index said nothing about is *not checked* (and the assessment says how many), never reported
as having an unknown license.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

from packaging.version import Version

from pysteward.engine.assessment import AssessedDependency
from pysteward.engine.findings import Finding
from pysteward.engine.model import DirectReference
from pysteward.engine.observer import Observer

if TYPE_CHECKING:
    from pysteward.engine.health import HealthPolicy
    from pysteward.engine.index import ProjectInfo
    from pysteward.engine.licenses import LicenseEvidence, LicensePolicy
    from pysteward.engine.project import ProjectInput
    from pysteward.engine.typosquat import PopularNames

__all__ = [
    "Check",
    "DependencyChecks",
    "check_dependencies",
    "check_typosquats",
    "gather_index_facts",
    "run_sast",
]

MAX_NAMES = 8
"""How many package names a notice lists before saying `…`."""


_KINDS = {"licenses": "license", "health": "health", "sast": "sast", "typosquats": "typosquat"}


class Check(StrEnum):
    """The optional checks of an assessment."""

    LICENSES = "licenses"
    HEALTH = "health"
    SAST = "sast"
    TYPOSQUATS = "typosquats"

    @property
    def kind(self) -> str:
        """The finding kind this check produces."""
        return _KINDS[self.value]


@dataclass(frozen=True, slots=True, kw_only=True)
class DependencyChecks:
    """Which checks run, with their policies, and the package-index facts they read."""

    licenses: LicensePolicy | None = None
    """None when license checks are off."""
    health: HealthPolicy | None = None
    """None when health checks are off."""
    sast: bool = False
    facts: Mapping[str, ProjectInfo] = field(default_factory=dict)
    """Package-index facts by normalised name."""
    popular: PopularNames | None = None
    """The popular-names list typosquats are judged against; None when that check is off."""


def _packages(count: int) -> str:
    return "1 package is" if count == 1 else f"{count} packages are"


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(sorted(names)[:MAX_NAMES])
    return shown + (", …" if len(names) > MAX_NAMES else "")


def gather_index_facts(
    pins: Iterable[tuple[str, Version | None]], *, offline: bool, observer: Observer | None = None
) -> tuple[Mapping[str, ProjectInfo], tuple[str, ...]]:
    """Package-index facts for `pins`, and notices of what could not be had."""
    from pysteward.engine.index import default_cache_dir, fetch_projects, find_index
    from pysteward.errors import OperationalError

    try:
        index = find_index()
    except OperationalError as e:
        # An index pip can use but Steward cannot read (a file:// URL, no pip) must not stop the assessment.
        hint = f" ({e.hint})" if e.hint else ""
        return {}, (f"licenses and health not checked: {e}{hint}",)
    lookup = fetch_projects(
        pins, index=index, cache_dir=default_cache_dir(), offline=offline, observer=observer
    )
    notices = []
    if lookup.missing:
        notices.append(
            f"{_packages(len(lookup.missing))} not in the package-index cache (offline): licenses "
            f"and health not checked for {_names(lookup.missing)}"
        )
    if lookup.not_found:
        notices.append(
            f"{_packages(len(lookup.not_found))} not on the package index {index.display}: "
            f"{_names(lookup.not_found)}"
        )
    if lookup.errors:
        notices.append(
            f"the package index could not be read for {len(lookup.errors)} package(s) "
            f"({lookup.errors[0].message}); licenses and health not checked for "
            f"{_names([e.name for e in lookup.errors])}"
        )
    return lookup.found, tuple(notices)


def _evidence(assessed: AssessedDependency, facts: Mapping[str, ProjectInfo]) -> LicenseEvidence | None:
    from pysteward.engine.licenses import evidence_from_info, evidence_from_metadata

    dep = assessed.dependency
    if dep.location.path.name in ("METADATA", "PKG-INFO"):
        return evidence_from_metadata(dep.location.path)
    info = facts.get(dep.name)
    fields = info.license_for(assessed.version) if info is not None else None
    if fields is None:
        return None
    return evidence_from_info(
        {
            "license_expression": fields.license_expression,
            "license": fields.license,
            "classifiers": list(fields.classifiers),
        }
    )


def _project_policy(policy: LicensePolicy, project: ProjectInput) -> LicensePolicy:
    """The policy with the project's own license filled in from its metadata when not configured."""
    from pysteward.engine.licenses import judge_license, project_license

    if policy.project_license is not None:
        return policy
    evidence = project_license(project.directory)
    verdict = judge_license(evidence) if evidence is not None else None
    if verdict is None or not verdict.spdx:
        return policy
    return replace(policy, project_license=verdict.expression)


def check_dependencies(
    dependencies: Sequence[AssessedDependency], project: ProjectInput, checks: DependencyChecks, on: date
) -> tuple[list[AssessedDependency], list[Finding]]:
    """Judge each index dependency's license and health; attach the verdicts, return the findings."""
    if checks.licenses is None and checks.health is None:
        return list(dependencies), []
    from pysteward.engine.health import health_facts, health_findings
    from pysteward.engine.licenses import judge_license, license_findings

    policy = _project_policy(checks.licenses, project) if checks.licenses is not None else None
    result: list[AssessedDependency] = []
    findings: list[Finding] = []
    for assessed in dependencies:
        checked = assessed
        dep = assessed.dependency
        if assessed.applies_to and not isinstance(dep, DirectReference):
            if policy is not None and (evidence := _evidence(assessed, checks.facts)) is not None:
                verdict = judge_license(evidence)
                checked = replace(checked, license=verdict)
                findings += license_findings(dep.name, assessed.version, verdict, policy, dep.location)
            info = checks.facts.get(dep.name)
            if checks.health is not None and info is not None:
                checked = replace(checked, health=health_facts(info, assessed.version, on))
                findings += health_findings(dep.name, assessed.version, info, checks.health, on, dep.location)
        result.append(checked)
    return result, findings


def run_sast(project: ProjectInput, enabled: bool) -> tuple[list[Finding], tuple[str, ...]]:
    """Bandit on the project's own Python files, and a notice per file it could not read."""
    if not enabled or not project.sources:
        return [], ()
    from pysteward.engine.sast import run_bandit

    result = run_bandit(project.directory, project.sources)
    return list(result.findings), tuple(f"static analysis skipped {s}" for s in result.skipped)


def check_typosquats(dependencies: Sequence[AssessedDependency], checks: DependencyChecks) -> list[Finding]:
    """Look-alikes of much more popular packages among the dependencies that are installed."""
    if checks.popular is None:
        return []
    from pysteward.engine.typosquat import typosquat_findings

    return list(typosquat_findings((a.dependency for a in dependencies if a.applies_to), checks.popular))
