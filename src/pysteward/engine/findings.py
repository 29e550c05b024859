"""Findings: what an assessment reports, each with a severity that `--fail-on` compares.

Finding
├── VulnerabilityFinding    a known vulnerability (or malicious package) in a pinned dependency
├── RuntimeFinding          a targeted Python is end-of-life, or will be within the warning window
├── Python2Finding          the project pins Python 2, or its sources use Python-2-only syntax
├── UnpinnedFinding         a requirement admits several versions and no lockfile pins it
├── UnresolvableFinding     a URL, VCS, path or editable requirement the index cannot vouch for
├── ExpiredIgnoreFinding    an ignore rule whose `until` date has passed (it no longer applies)
├── LicenseFinding          a dependency's license breaks the policy or is unknown
├── HealthFinding           a dependency looks unmaintained, yanked, archived or thinly staffed
├── SastFinding             Bandit found a security issue in the project's own code
└── TyposquatFinding        a dependency is named almost like a much more popular package
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from packaging.version import Version

from pysteward.engine.model import (
    Dependency,
    DirectReference,
    Location,
    Severity,
    Target,
    UnpinnedDependency,
)

__all__ = [
    "ExpiredIgnoreFinding",
    "Finding",
    "HealthFinding",
    "LicenseFinding",
    "Python2Finding",
    "RuntimeFinding",
    "SastFinding",
    "TyposquatFinding",
    "UnpinnedFinding",
    "UnresolvableFinding",
    "VulnerabilityFinding",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One thing an assessment reports; `rule` is a stable id (the advisory id, or `steward/…`)."""

    rule: str
    severity: Severity
    title: str
    locations: tuple[Location, ...]

    @property
    def kind(self) -> str:
        """Short kind name used in JSON and SARIF (`vulnerability`, `runtime`, …)."""
        return "finding"


@dataclass(frozen=True, slots=True, kw_only=True)
class VulnerabilityFinding(Finding):
    """A vulnerability affecting one package version, with every place that pins that version."""

    package: str
    version: Version
    vulnerability_id: str
    aliases: tuple[str, ...]
    summary: str
    details: str
    fix_versions: tuple[Version, ...]
    score: float | None = None
    vector: str | None = None
    references: tuple[str, ...] = ()
    applies_to: tuple[Target, ...] = ()
    """The targets whose markers install the affected dependency (meaningful when not `all_targets`)."""
    all_targets: bool = True

    @property
    def kind(self) -> str:
        return "malicious" if self.severity is Severity.MALICIOUS else "vulnerability"

    @property
    def ids(self) -> frozenset[str]:
        """The vulnerability id and all its aliases (an ignore may name any of them)."""
        return frozenset((self.vulnerability_id, *self.aliases))

    @property
    def fix_version(self) -> Version | None:
        """The smallest version above the one in use that fixes this vulnerability, if any."""
        return self.fix_versions[0] if self.fix_versions else None


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeFinding(Finding):
    """A targeted Python minor version is end-of-life, or reaches it within the warning window."""

    python: str
    status: str
    end_of_life: date | None
    days_left: int | None
    approximate: bool = False

    @property
    def kind(self) -> str:
        return "runtime"


@dataclass(frozen=True, slots=True, kw_only=True)
class Python2Finding(Finding):
    """The project is pinned to Python 2, or its sources contain Python-2-only syntax."""

    evidence: str

    @property
    def kind(self) -> str:
        return "python2"


@dataclass(frozen=True, slots=True, kw_only=True)
class UnpinnedFinding(Finding):
    """A requirement that admits more than one version, not pinned by any lockfile of the project."""

    dependency: UnpinnedDependency

    @property
    def kind(self) -> str:
        return "unpinned"


@dataclass(frozen=True, slots=True, kw_only=True)
class UnresolvableFinding(Finding):
    """A direct reference (URL, VCS, path, editable): its contents cannot be checked against the index."""

    dependency: DirectReference

    @property
    def kind(self) -> str:
        return "unresolvable"


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpiredIgnoreFinding(Finding):
    """An ignore rule past its `until` date: it stopped applying, and the finding it hid is back."""

    ignored_id: str
    until: date
    reason: str

    @property
    def kind(self) -> str:
        return "expired-ignore"


@dataclass(frozen=True, slots=True, kw_only=True)
class LicenseFinding(Finding):
    """A dependency whose license the policy denies, conflicts with the project's, or cannot be told."""

    package: str
    version: Version | None
    license: str
    """The SPDX expression, or the raw text when it could not be normalised (empty when none found)."""
    license_class: str
    """permissive, weak-copyleft, strong-copyleft, network-copyleft, proprietary or unknown."""
    reason: str
    """denied, incompatible, unknown or not-osi."""

    @property
    def kind(self) -> str:
        return "license"


@dataclass(frozen=True, slots=True, kw_only=True)
class HealthFinding(Finding):
    """A maintenance-health concern about a dependency, from the package index's metadata."""

    package: str
    version: Version | None
    check: str
    """stale, few-maintainers, yanked, archived, quarantined, deprecated or inactive."""
    detail: str

    @property
    def kind(self) -> str:
        return "health"


@dataclass(frozen=True, slots=True, kw_only=True)
class SastFinding(Finding):
    """An issue Bandit reports in the project's own code (`rule` is Bandit's test id, `B602`)."""

    test_name: str
    confidence: str
    """Bandit's confidence: low, medium or high."""
    code: str = ""
    more_info: str = ""

    @property
    def kind(self) -> str:
        return "sast"


@dataclass(frozen=True, slots=True, kw_only=True)
class TyposquatFinding(Finding):
    """A dependency whose name imitates a far more popular package's (`similar_to`): a possible typosquat."""

    package: str
    version: Version | None
    similar_to: str
    similar_downloads: int
    """The popular package's downloads in the popular-names list."""
    reason: str
    """The trick, with its detail: `swapped letters ('eu' for 'ue')`."""

    @property
    def kind(self) -> str:
        return "typosquat"


def dependency_title(dependency: Dependency) -> str:
    """`name specifier` / `name==version` / `name @ url`, for finding titles."""
    match dependency:
        case UnpinnedDependency(specifier=specifier):
            return f"{dependency.display_name}{specifier}" if str(specifier) else dependency.display_name
        case DirectReference(url=url):
            return f"{dependency.display_name} @ {url}"
    return dependency.display_name
