"""Which advisories affect a package version (OSV § Evaluation, PEP 440 order).

A version is affected by a record when it is in the record's explicit `versions` list (compared
canonicalized: `2.2 == 2.2.0`) or inside one of its `ECOSYSTEM` ranges, compiled into intervals by
`ranges`. Withdrawn records never match. A local version (`1.8.0+cpu`) is matched on its public
part; the result keeps the version as given. `match` checks a list of records one by one;
`PackageIndex` answers the same question for a whole package with one binary search, which is what
`match_all` uses for many pins.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from packaging.utils import NormalizedName
from packaging.version import Version

from pysteward.engine.advisories.osv import Advisory, AffectedPackage
from pysteward.engine.advisories.ranges import Interval, canonical_version, public_version
from pysteward.engine.model import normalize

if TYPE_CHECKING:
    from pysteward.engine.advisories.interface import AdvisorySource

__all__ = ["AffectedAdvisory", "PackageIndex", "match", "match_all"]


@dataclass(frozen=True, slots=True)
class AffectedAdvisory:
    """One record that affects one package version; `fixed_in` is the smallest fix above it."""

    advisory: Advisory
    name: NormalizedName
    version: Version
    fixed_in: Version | None


def _entries(advisory: Advisory, name: NormalizedName) -> list[AffectedPackage]:
    return [a for a in advisory.affected if a.name == name]


def _fix(entries: Iterable[AffectedPackage], version: Version) -> Version | None:
    fixes = [f for a in entries if (f := a.fix_for(version)) is not None]
    return min(fixes, default=None)


def match(name: str, version: Version, advisories: Iterable[Advisory]) -> list[AffectedAdvisory]:
    """The records among `advisories` that affect `name` at `version`, in the order given."""
    package = normalize(name)
    public = public_version(version)
    key = canonical_version(public)
    found = []
    for advisory in advisories:
        if advisory.withdrawn is not None:
            continue
        entries = _entries(advisory, package)
        if any(a.contains(public, key) for a in entries):
            found.append(AffectedAdvisory(advisory, package, version, _fix(entries, public)))
    return found


class PackageIndex:
    """Every live record of one package, indexed so a version costs one binary search.

    The bounds of all intervals, sorted, cut the version line into regions: region 2i+1 is the
    bound p_i itself, region 2i the open gap just below it, region 2k everything above the last.
    Each region lists the records whose intervals cover it.
    """

    def __init__(self, name: NormalizedName, advisories: Sequence[Advisory]):
        self.name = name
        live = sorted((a for a in advisories if a.withdrawn is None), key=lambda a: a.id)
        self._records = [(a, _entries(a, name)) for a in live]
        self._records = [(a, entries) for a, entries in self._records if entries]
        self._explicit: dict[str, list[int]] = {}
        intervals: list[tuple[int, Interval]] = []
        for index, (_, entries) in enumerate(self._records):
            for entry in entries:
                for key in entry.versions:
                    self._explicit.setdefault(key, []).append(index)
                intervals.extend((index, interval) for interval in entry.intervals)
        self._points = _distinct(v for _, i in intervals for v in (i.lower, i.upper) if v is not None)
        self._regions = self._fill(intervals)
        self._fixes = [tuple(sorted({f for e in entries for f in e.fixed})) for _, entries in self._records]

    def __len__(self) -> int:
        return len(self._records)

    def _fill(self, intervals: Iterable[tuple[int, Interval]]) -> list[tuple[int, ...]]:
        regions: list[set[int]] = [set() for _ in range(2 * len(self._points) + 1)]
        for index, interval in intervals:
            for region in range(self._first(interval), self._last(interval) + 1):
                regions[region].add(index)
        return [tuple(sorted(r)) for r in regions]

    def _first(self, interval: Interval) -> int:
        if interval.lower is None:
            return 0
        i = bisect_left(self._points, interval.lower)
        return 2 * i + 1 if interval.lower_inclusive else 2 * i + 2

    def _last(self, interval: Interval) -> int:
        if interval.upper is None:
            return 2 * len(self._points)
        i = bisect_left(self._points, interval.upper)
        return 2 * i + 1 if interval.upper_inclusive else 2 * i

    def advisories(self) -> list[Advisory]:
        """The live records of this package, sorted by id."""
        return [a for a, _ in self._records]

    def match(self, version: Version) -> list[AffectedAdvisory]:
        """The records that affect `version` of this package, sorted by id."""
        public = public_version(version)
        points = self._points
        i = bisect_left(points, public)
        hits: Iterable[int] = self._regions[2 * i + 1 if i < len(points) and points[i] == public else 2 * i]
        listed = self._explicit.get(canonical_version(public)) if self._explicit else None
        if listed:
            hits = sorted({*hits, *listed})
        found = []
        for index in hits:
            fixes = self._fixes[index]
            above = bisect_right(fixes, public)
            fix = fixes[above] if above < len(fixes) else None
            found.append(AffectedAdvisory(self._records[index][0], self.name, version, fix))
        return found


def _distinct(versions: Iterable[Version]) -> list[Version]:
    out: list[Version] = []
    for version in sorted(versions):
        if not out or out[-1] != version:
            out.append(version)
    return out


def match_all(
    pins: Iterable[tuple[str, Version]], db: AdvisorySource
) -> dict[tuple[NormalizedName, Version], list[AffectedAdvisory]]:
    """Match many `(name, version)` pins at once; every pin is a key (clean ones map to `[]`)."""
    names: dict[str, NormalizedName] = {}  # normalizing costs more than a dict lookup
    normalized = []
    for name, version in pins:
        canonical = names.get(name)
        if canonical is None:
            canonical = names[name] = normalize(name)
        normalized.append((canonical, version))
    indexes = db.package_indexes(set(names.values()))
    result: dict[tuple[NormalizedName, Version], list[AffectedAdvisory]] = {}
    for name, version in normalized:
        index = indexes.get(name)
        result[(name, version)] = index.match(version) if index is not None else []
    return result
