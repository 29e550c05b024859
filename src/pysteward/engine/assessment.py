"""The `Assessment`: one immutable value holding everything `steward assess` found.

Renderers (`pysteward.formats`) turn it into text; the CLI decides the exit code from `failing()`.
The function that builds it lives in `pysteward.engine.assess`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.version import Version

from pysteward.engine.findings import Finding, VulnerabilityFinding
from pysteward.engine.model import (
    Dependency,
    DirectReference,
    Location,
    Manifest,
    PinnedDependency,
    Severity,
    Target,
)

if TYPE_CHECKING:
    from pysteward.engine.health import HealthFacts
    from pysteward.engine.licenses import LicenseVerdict

__all__ = [
    "AssessedDependency",
    "Assessment",
    "DatabaseInfo",
    "FailOn",
    "IgnoredFinding",
    "ProjectAssessment",
    "RuntimeVersion",
]

SCHEMA_VERSION = "1.0"
"""Version of the `--format json` schema (docs/json-schema.md); bump the major on breaking changes."""


class FailOn(StrEnum):
    """The `--fail-on` threshold: which findings make `steward assess` exit with code 1."""

    NEVER = "never"
    VULNERABILITY = "vulnerability"
    """Any vulnerability or malicious package, whatever its severity (the default)."""
    INFO = "info"
    UNKNOWN = "unknown"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"
    MALICIOUS = "malicious"

    def fails(self, finding: Finding) -> bool:
        """Whether `finding` is at or above this threshold."""
        if self is FailOn.NEVER:
            return False
        if self is FailOn.VULNERABILITY:
            return isinstance(finding, VulnerabilityFinding)
        return finding.severity >= Severity[self.name]


@dataclass(frozen=True, slots=True, kw_only=True)
class AssessedDependency:
    """A dependency with what the assessment learnt about it."""

    dependency: Dependency
    applies_to: tuple[Target, ...]
    """The targets whose environment markers select this dependency."""
    all_targets: bool
    """True when it applies on every target (no marker, or a marker every target satisfies)."""
    locked: bool = False
    """For an unpinned manifest entry: a lockfile or environment of the same project pins it."""
    vulnerabilities: tuple[VulnerabilityFinding, ...] = ()
    """Vulnerabilities affecting it that are not ignored."""
    license: LicenseVerdict | None = None
    """Its license as judged, when license checks ran and some evidence was found."""
    health: HealthFacts | None = None
    """Its maintenance facts, when health checks ran and the package index answered."""

    @property
    def version(self) -> Version | None:
        """The exact version in use, when known."""
        match self.dependency:
            case PinnedDependency(version=version):
                return version
            case DirectReference(version=version):
                return version
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeVersion:
    """One Python minor version a project targets, with its CPython support status on `on`."""

    python: str
    status: str
    """feature, prerelease, bugfix, security, end-of-life, or unknown."""
    first_release: date | None
    end_of_life: date | None
    days_left: int | None
    approximate: bool
    """The end-of-life date is only known to the month (taken as its first day)."""
    declared_by: tuple[Location, ...]
    sources: tuple[str, ...]
    """Kinds of source that declared it (requires-python, dockerfile, github-actions, …)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IgnoredFinding:
    """A finding hidden by an ignore rule in the configuration, with the rule's reason."""

    finding: Finding
    rule_id: str
    reason: str
    until: date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectAssessment:
    """Everything found in one project directory (a monorepo has several)."""

    path: Path
    manifests: tuple[Manifest, ...]
    dependencies: tuple[AssessedDependency, ...]
    runtimes: tuple[RuntimeVersion, ...]
    targets: tuple[Target, ...]
    findings: tuple[Finding, ...]
    ignored: tuple[IgnoredFinding, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DatabaseInfo:
    """Where the advisory data came from and how fresh it is."""

    source: str
    records: int
    newest_modified: datetime | None
    imported_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Assessment:
    """The result of one `steward assess` run."""

    projects: tuple[ProjectAssessment, ...]
    generated_at: datetime
    on: date
    """The day runtime status and ignore expiry were judged on."""
    database: DatabaseInfo | None
    release_cycle_as_of: date
    fail_on: FailOn
    tool_version: str
    root: Path
    """The directory paths in reports are relative to."""
    warnings: tuple[str, ...] = ()
    not_checked: tuple[str, ...] = ()
    """Finding kinds this run did not look for (`license`, `health`, `sast`, `typosquat`)."""

    def findings(self) -> Iterator[tuple[ProjectAssessment, Finding]]:
        """Every finding of every project."""
        for project in self.projects:
            for finding in project.findings:
                yield project, finding

    def failing(self) -> tuple[Finding, ...]:
        """The findings at or above `fail_on`: non-empty means exit code 1."""
        return tuple(f for _, f in self.findings() if self.fail_on.fails(f))

    def relative(self, path: Path) -> str:
        """`path` relative to the root when it lies below it, POSIX-style, for reports."""
        try:
            return _resolved(path).relative_to(_resolved(self.root)).as_posix()
        except ValueError:
            return path.as_posix()


@lru_cache(maxsize=8192)
def _resolved(path: Path) -> Path:
    """`path.resolve()`, cached: reports ask for the same few paths hundreds of times."""
    return path.resolve()
