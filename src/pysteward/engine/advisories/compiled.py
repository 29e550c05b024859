"""Compiling a package's records into the index `PackageIndex` searches (and the store keeps).

Every interval bound, every fix and every listed version no interval already covers becomes a point
on the version line; each region between and at the points lists the records affecting it, with each
record's smallest fix above that region. The store compiles this at import time and keeps it as JSON
(`compile_stored`), so a cold start parses no range at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from packaging.utils import NormalizedName
from packaging.version import Version

from pysteward.engine.advisories.osv import Advisory, AffectedPackage
from pysteward.engine.advisories.ranges import Interval, VersionKey, version_key

__all__ = ["Compiled", "RecordRanges", "compile_stored", "entries_for", "record_ranges"]


def entries_for(advisory: Advisory, name: NormalizedName) -> list[AffectedPackage]:
    """The `affected` entries of `advisory` that name `name`."""
    return [a for a in advisory.affected if a.name == name]


@lru_cache(maxsize=65536)
def _parse(text: str) -> Version:
    # Compiling (import time) sees the same versions in many records of a package.
    return Version(text)


@dataclass(frozen=True, slots=True)
class RecordRanges:
    """What the index needs of one record for one package: its intervals, and its fixes, sorted.

    `explicit` keeps only the listed versions no interval covers: the others add nothing.
    """

    id: str
    intervals: tuple[Interval, ...]
    explicit: tuple[Version, ...]
    fixes: tuple[Version, ...]

    def dumps(self) -> str:
        """This record's part of the index, as the store keeps it beside the record."""
        intervals = [
            [_text(i.lower), i.lower_inclusive, _text(i.upper), i.upper_inclusive] for i in self.intervals
        ]
        return json.dumps([intervals, [str(v) for v in self.explicit], [str(v) for v in self.fixes]])

    @classmethod
    def loads(cls, record_id: str, text: str) -> RecordRanges:
        """Rebuild what `dumps` wrote (trusted: the store wrote it)."""
        intervals, explicit, fixes = json.loads(text)
        return cls(
            record_id,
            tuple(Interval(_version(lo), lo_in, _version(hi), hi_in) for lo, lo_in, hi, hi_in in intervals),
            tuple(map(_parse, explicit)),
            tuple(map(_parse, fixes)),
        )


def _text(version: Version | None) -> str | None:
    return None if version is None else str(version)


def _version(text: str | None) -> Version | None:
    return None if text is None else _parse(text)


def record_ranges(advisory: Advisory, name: NormalizedName) -> RecordRanges | None:
    """The part of `advisory` that concerns `name`, or None when it does not name the package."""
    entries = entries_for(advisory, name)
    if not entries:
        return None
    intervals = tuple(interval for entry in entries for interval in entry.intervals)
    listed = (_parse(key) for key in sorted({key for entry in entries for key in entry.versions}))
    explicit = tuple(v for v in listed if not any(v in interval for interval in intervals))
    # Equal fixes written differently (`2.2`, `2.2.0`) keep the spelling met first, as a set does.
    fixes = tuple(sorted({f for entry in entries for f in entry.fixed}))
    return RecordRanges(advisory.id, intervals, explicit, fixes)


@dataclass(frozen=True, slots=True)
class Compiled:
    """An index as plain data: record ids by position, sorted point keys, and what each region holds.

    Region 2i+1 is the point p_i itself, region 2i the open gap just below it, region 2k everything
    above the last point. Every fix is a point, so within a region each record has one smallest fix
    above the pin: `cells[regions[r]]` lists the records of region r and those fixes as text,
    `"3 5;1.2 "` (positions; fixes, empty when none is known), decoded only when a pin lands there.
    """

    ids: list[str]
    keys: list[VersionKey]
    regions: list[int]
    cells: list[str]

    @classmethod
    def build(cls, records: Sequence[RecordRanges]) -> Compiled:
        points = sorted({v for r in records for v in _versions_of(r)})
        where = {v: i for i, v in enumerate(points)}
        regions: list[set[int]] = [set() for _ in range(2 * len(points) + 1)]
        for position, record in enumerate(records):
            for interval in record.intervals:
                for region in range(_first(interval, where), _last(interval, where, len(points)) + 1):
                    regions[region].add(position)
            for version in record.explicit:
                regions[2 * where[version] + 1].add(position)
        fixes = [[(where[f], str(f)) for f in r.fixes] for r in records]
        numbers: dict[str, int] = {}
        cells = []
        for region, held in enumerate(regions):
            positions = sorted(held)
            text = (
                " ".join(map(str, positions)) + ";" + " ".join(_fix_in(fixes[p], region) for p in positions)
            )
            cells.append(numbers.setdefault(text, len(numbers)))
        return cls([r.id for r in records], [version_key(v) for v in points], cells, list(numbers))

    def dumps(self) -> str:
        return json.dumps([self.ids, self.keys, self.regions, self.cells], separators=(",", ":"))


def _first(interval: Interval, where: Mapping[Version, int]) -> int:
    if interval.lower is None:
        return 0
    return 2 * where[interval.lower] + (1 if interval.lower_inclusive else 2)


def _last(interval: Interval, where: Mapping[Version, int], count: int) -> int:
    if interval.upper is None:
        return 2 * count
    return 2 * where[interval.upper] + (1 if interval.upper_inclusive else 0)


def _fix_in(fixes: Sequence[tuple[int, str]], region: int) -> str:
    """The smallest of a record's `(point, text)` fixes above the versions of `region`, or ""."""
    # At point i a fix must lie above it; in the gap below point i, at point i or above.
    point = region // 2
    return next((text for p, text in fixes if p > point or (p == point and not region % 2)), "")


def _versions_of(record: RecordRanges) -> Iterable[Version]:
    for interval in record.intervals:
        if interval.lower is not None:
            yield interval.lower
        if interval.upper is not None:
            yield interval.upper
    yield from record.explicit
    yield from record.fixes


def compile_stored(records: Iterable[tuple[str, str]]) -> str:
    """The stored index of one package from its live records' `(id, RecordRanges.dumps())`, by id."""
    return Compiled.build([RecordRanges.loads(i, text) for i, text in sorted(records)]).dumps()
