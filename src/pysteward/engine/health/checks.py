"""Maintenance-health findings for one dependency (rule ids `steward/health-<check>`).

Severities: a yanked pin, and an archived, quarantined, deprecated or inactive project, are MEDIUM;
no release within the stale window is LOW; fewer maintainers than the policy wants is INFO. A
project owned by an organisation is reported as such and never as thinly staffed: the organisation,
not the people listed, answers for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from packaging.version import Version

from pysteward.engine.findings import HealthFinding
from pysteward.engine.health.facts import HealthFacts, health_facts, months_before
from pysteward.engine.health.policy import HealthPolicy
from pysteward.engine.index.values import ProjectInfo, ProjectState
from pysteward.engine.model import Location, Severity

__all__ = ["RULE_PREFIX", "health_findings"]

RULE_PREFIX = "steward/health-"


def _yanked(facts: HealthFacts) -> Iterator[tuple[str, Severity, str, str]]:
    if facts.yanked:
        reason = f": {facts.yanked_reason}" if facts.yanked_reason else ""
        yield (
            "yanked",
            Severity.MEDIUM,
            f"{facts.name}=={facts.version} was yanked from the package index",
            f"its authors withdrew this version{reason}",
        )


def _status(facts: HealthFacts) -> Iterator[tuple[str, Severity, str, str]]:
    if facts.status is not ProjectState.ACTIVE:
        reason = f": {facts.status_reason}" if facts.status_reason else ""
        yield (
            facts.status.value,
            Severity.MEDIUM,
            f"{facts.name} is marked {facts.status.value} on the package index",
            f"the index marks the project {facts.status.value}{reason}",
        )
    if facts.inactive:
        yield (
            "inactive",
            Severity.MEDIUM,
            f"{facts.name} declares itself inactive",
            "its latest release is classified 'Development Status :: 7 - Inactive'",
        )


def _stale(facts: HealthFacts, months: int, on: date) -> Iterator[tuple[str, Severity, str, str]]:
    last = facts.last_release
    if months > 0 and last is not None and last < months_before(on, months):
        yield (
            "stale",
            Severity.LOW,
            f"{facts.name} has had no release for more than {months} months",
            f"last release {last.isoformat()}; latest version {facts.latest_version}",
        )


def _staffing(facts: HealthFacts, minimum: int) -> Iterator[tuple[str, Severity, str, str]]:
    if not facts.ownership_known or facts.organization is not None or facts.people >= minimum:
        return
    people = ", ".join(sorted({*facts.owners, *facts.maintainers})) or "nobody listed"
    yield (
        "few-maintainers",
        Severity.INFO,
        f"{facts.name} has {facts.people} maintainer{'s' if facts.people != 1 else ''} "
        f"(fewer than {minimum})",
        f"people with a role on the index: {people}; no organisation owns it",
    )


def health_findings(  # noqa: PLR0917 - the order the assessment passes them, as the brief fixes it
    name: str,
    version: Version | None,
    info: ProjectInfo,
    policy: HealthPolicy,
    on: date,
    location: Location | tuple[Location, ...],
) -> list[HealthFinding]:
    """The health findings for dependency `name` pinned at `version` (None: unpinned), as of `on`."""
    facts = health_facts(info, version, on)
    checks: list[tuple[str, Severity, str, str]] = []
    if policy.yanked:
        checks.extend(_yanked(facts))
    if policy.archived:
        checks.extend(_status(facts))
    checks.extend(_stale(facts, policy.stale_months, on))
    checks.extend(_staffing(facts, policy.min_maintainers))
    locations = location if isinstance(location, tuple) else (location,)
    return [
        HealthFinding(
            rule=RULE_PREFIX + check,
            severity=severity,
            title=title,
            locations=locations,
            package=name,
            version=version,
            check=check,
            detail=detail,
        )
        for check, severity, title, detail in checks
    ]
