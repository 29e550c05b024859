"""What the package index says about projects: frozen values built from its JSON.

    OperationalError (pysteward.errors)
    └── PackageIndexError     the index could not be used at all (raised, not a per-project value)

Per-project problems are values, not exceptions: a batch look-up returns every project it could
fetch, the names the index does not have, the names missing from the cache (offline) and one
`IndexFailure` per project that failed, with a `permanent` flag (STYLE 18).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from packaging.utils import NormalizedName
from packaging.version import Version

from pysteward.errors import OperationalError

__all__ = [
    "INACTIVE_CLASSIFIER",
    "IndexFailure",
    "IndexLookup",
    "LicenseFields",
    "PackageIndexError",
    "ProjectInfo",
    "ProjectState",
    "ProjectStatus",
    "Release",
]

INACTIVE_CLASSIFIER = "Development Status :: 7 - Inactive"


class PackageIndexError(OperationalError):
    """The package index could not be used at all."""


class ProjectState(StrEnum):
    """A project's status marker (PEP 792); an index that marks nothing means `active`."""

    ACTIVE = "active"
    ARCHIVED = "archived"
    QUARANTINED = "quarantined"
    DEPRECATED = "deprecated"


@dataclass(frozen=True, slots=True)
class ProjectStatus:
    """The status marker and the index's stated reason, if any."""

    state: ProjectState = ProjectState.ACTIVE
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Release:
    """One version: when its first file was uploaded, and whether all its files are yanked."""

    version: Version
    uploaded: datetime | None
    yanked: bool = False
    yanked_reason: str | None = None


@dataclass(frozen=True, slots=True)
class LicenseFields:
    """The license metadata of one release, as the JSON API's `info` gives it."""

    license_expression: str | None
    license: str | None
    classifiers: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ProjectInfo:
    """Everything Steward uses about one project from the index.

    `ownership_known` is False when the index offers no JSON API (its simple pages have no
    ownership), so "no owners listed" is never mistaken for "nobody maintains it".
    """

    name: NormalizedName
    latest_version: Version | None
    releases: tuple[Release, ...]
    """Sorted by version, oldest first."""
    owners: tuple[str, ...] = ()
    maintainers: tuple[str, ...] = ()
    organization: str | None = None
    ownership_known: bool = False
    status: ProjectStatus = ProjectStatus()
    classifiers: tuple[str, ...] = ()
    license_expression: str | None = None
    license_text: str | None = None
    fetched_at: datetime
    licenses: tuple[tuple[Version, LicenseFields], ...] = ()
    """License metadata per version: the latest, and each pinned version the index described."""

    @property
    def inactive(self) -> bool:
        """The latest release declares `Development Status :: 7 - Inactive`."""
        return INACTIVE_CLASSIFIER in self.classifiers

    def release(self, version: Version) -> Release | None:
        """The release `version`, if the index lists it."""
        for release in self.releases:
            if release.version == version:
                return release
        return None

    def license_for(self, version: Version | None) -> LicenseFields | None:
        """`license_expression`, `license` and `classifiers` of `version` (None: the latest), when known."""
        wanted = self.latest_version if version is None else version
        for known, fields in self.licenses:
            if known == wanted:
                return fields
        return None


@dataclass(frozen=True, slots=True)
class IndexFailure:
    """A project whose look-up failed; `permanent` failures are not worth retrying soon."""

    name: NormalizedName
    message: str
    permanent: bool


@dataclass(frozen=True, slots=True)
class IndexLookup:
    """The result of a batch look-up.

    `found` maps each fetched project to its info; `not_found` are names the index does not have;
    `missing` are names not in the cache when offline; `errors` are the look-ups that failed.
    """

    found: dict[str, ProjectInfo]
    """Keyed by normalised name."""
    missing: tuple[NormalizedName, ...] = ()
    not_found: tuple[NormalizedName, ...] = ()
    errors: tuple[IndexFailure, ...] = ()
