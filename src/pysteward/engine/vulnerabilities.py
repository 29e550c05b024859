"""The assessment's view of the advisory database: pins in, grouped vulnerabilities out.

`VulnerabilitySource` is the extension point (STYLE 7): one method that answers for a batch of pins,
plus `info()`. `AdvisoryDatabaseSource` adapts the embedded OSV database; tests use
`StaticVulnerabilities`, the fake (STYLE 10). Values are `pysteward.engine.advisories.Vulnerability`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from packaging.utils import NormalizedName
from packaging.version import Version

from pysteward.engine.advisories import AdvisoryDatabase, Vulnerability, group, match_all
from pysteward.engine.assessment import DatabaseInfo

__all__ = [
    "AdvisoryDatabaseSource",
    "Pin",
    "StaticVulnerabilities",
    "VulnerabilitySource",
    "open_database",
]

Pin = tuple[NormalizedName, Version]


class VulnerabilitySource(Protocol):
    """Where an assessment looks up vulnerabilities."""

    def vulnerabilities_for(self, pins: Iterable[Pin]) -> Mapping[Pin, tuple[Vulnerability, ...]]:
        """The vulnerabilities affecting each pin (pins with none may be left out)."""
        ...

    def info(self) -> DatabaseInfo | None:
        """Where the data came from and how fresh it is, for the report."""
        ...


@dataclass(frozen=True, slots=True)
class StaticVulnerabilities:
    """A fixed table of vulnerabilities per pin: the fake source for tests and demos."""

    table: Mapping[Pin, tuple[Vulnerability, ...]]
    database: DatabaseInfo | None = None

    def vulnerabilities_for(self, pins: Iterable[Pin]) -> Mapping[Pin, tuple[Vulnerability, ...]]:
        return {pin: self.table[pin] for pin in pins if pin in self.table}

    def info(self) -> DatabaseInfo | None:
        return self.database


@dataclass(frozen=True, slots=True)
class AdvisoryDatabaseSource:
    """The embedded OSV database as a `VulnerabilitySource`."""

    database: AdvisoryDatabase

    def vulnerabilities_for(self, pins: Iterable[Pin]) -> Mapping[Pin, tuple[Vulnerability, ...]]:
        return {pin: tuple(group(hits)) for pin, hits in match_all(pins, self.database).items() if hits}

    def info(self) -> DatabaseInfo | None:
        status = self.database.status()
        return DatabaseInfo(
            source=status.source,
            records=status.records,
            newest_modified=status.newest_modified,
            imported_at=status.imported_at,
        )


def open_database(path: Path) -> VulnerabilitySource:
    """The embedded OSV database at `path` (raises when it does not exist, naming the fix)."""
    return AdvisoryDatabaseSource(AdvisoryDatabase(path))
