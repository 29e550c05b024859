"""Which advisories affect a package version (OSV § Evaluation, PEP 440 order).

A version is affected by a record when it is in the record's explicit `versions` list (compared
canonicalized: `2.2 == 2.2.0`) or inside one of its `ECOSYSTEM` ranges, compiled into intervals by
`ranges`. Withdrawn records never match. A local version (`1.8.0+cpu`) is matched on its public
part; the result keeps the version as given. `match` checks a list of records one by one;
`PackageIndex` answers the same question for a whole package with one binary search, which is what
`match_all` uses for many pins.

The index is compiled once, from each record's `RecordRanges`: every interval bound, every fix and
every listed version no interval already covers becomes a point on the version line, and each region
between and at the points lists the records affecting it. The store compiles it at import time and
keeps it as JSON (`compile_stored`), so a cold start parses no range at all: a pin costs one
`version_key` and one bisection, and only the records that match are loaded (`PackageIndex.stored`).
"""

from __future__ import annotations

import gc
import json
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from packaging.utils import NormalizedName
from packaging.version import Version

from pysteward.engine.advisories.osv import Advisory, AffectedPackage
from pysteward.engine.advisories.ranges import (
    Interval,
    VersionKey,
    canonical_version,
    public_version,
    version_key,
)
from pysteward.engine.model import normalize

if TYPE_CHECKING:
    from pysteward.engine.advisories.interface import AdvisorySource

__all__ = [
    "AffectedAdvisory",
    "Loader",
    "PackageIndex",
    "RecordRanges",
    "compile_stored",
    "match",
    "match_all",
    "record_ranges",
]

Loader = Callable[[Iterable[str]], Mapping[str, Advisory]]
"""Loads advisories by record id, for an index that holds only their ids (see `PackageIndex.stored`)."""


@dataclass(frozen=True, slots=True)
class AffectedAdvisory:
    """One record that affects one package version; `fixed_in` is the smallest fix above it."""

    advisory: Advisory
    name: NormalizedName
    version: Version
    fixed_in: Version | None


_new = object.__new__
_set_advisory, _set_name, _set_version, _set_fixed_in = (
    AffectedAdvisory.__dict__[field].__set__ for field in ("advisory", "name", "version", "fixed_in")
)


def _affected(
    advisory: Advisory, name: NormalizedName, version: Version, fix: Version | None
) -> AffectedAdvisory:
    # `AffectedAdvisory(...)` without the frozen `__init__`'s four `object.__setattr__` lookups:
    # `match_all` builds one per hit (10,000 on a large lock file), and this is 40% faster.
    found = _new(AffectedAdvisory)
    _set_advisory(found, advisory)
    _set_name(found, name)
    _set_version(found, version)
    _set_fixed_in(found, fix)
    return found


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
    entries = _entries(advisory, name)
    if not entries:
        return None
    intervals = tuple(interval for entry in entries for interval in entry.intervals)
    listed = (_parse(key) for key in sorted({key for entry in entries for key in entry.versions}))
    explicit = tuple(v for v in listed if not any(v in interval for interval in intervals))
    # Equal fixes written differently (`2.2`, `2.2.0`) keep the spelling met first, as a set does.
    fixes = tuple(sorted({f for entry in entries for f in entry.fixed}))
    return RecordRanges(advisory.id, intervals, explicit, fixes)


@dataclass(frozen=True, slots=True)
class _Compiled:
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
    def build(cls, records: Sequence[RecordRanges]) -> _Compiled:
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
    return _Compiled.build([RecordRanges.loads(i, text) for i, text in sorted(records)]).dumps()


class PackageIndex:
    """Every live record of one package, indexed so a version costs one binary search."""

    _advisories: list[Advisory | None]
    """By position; None until loaded (a stored index loads only the records that match)."""

    def __init__(self, name: NormalizedName, advisories: Sequence[Advisory]):
        live = sorted((a for a in advisories if a.withdrawn is None), key=lambda a: a.id)
        pairs = [(a, r) for a in live if (r := record_ranges(a, name)) is not None]
        by_id = {a.id: a for a, _ in pairs}
        self._setup(name, _Compiled.build([r for _, r in pairs]), lambda ids: {i: by_id[i] for i in ids}, {})  # type: ignore[index]
        self._advisories = [a for a, _ in pairs]
        self._unloaded = 0  # all held: the loader is never asked

    @classmethod
    def stored(
        cls, name: NormalizedName, data: str, loader: Loader, versions: dict[str, Version]
    ) -> PackageIndex:
        """The index `compile_stored` wrote; `loader` fetches matched records, `versions` caches fixes."""
        index = cls.__new__(cls)
        index._setup(name, _Compiled(*json.loads(data)), loader, versions)
        return index

    def _setup(
        self, name: NormalizedName, compiled: _Compiled, loader: Loader, versions: dict[str, Version]
    ) -> None:
        self.name = name
        self._ids = compiled.ids
        self._keys = compiled.keys
        self._regions = compiled.regions
        self._cells = compiled.cells
        self._decoded: dict[int, tuple[list[int], list[str]]] = {}
        self._loader = loader
        self._versions = versions
        self._advisories = [None] * len(compiled.ids)
        self._unloaded = len(compiled.ids)

    def __len__(self) -> int:
        return len(self._advisories)

    def advisories(self) -> list[Advisory]:
        """The live records of this package, sorted by id."""
        positions = range(len(self._advisories))
        _load([(self, positions)])
        return [self._advisory(p) for p in positions]

    def match(self, version: Version) -> list[AffectedAdvisory]:
        """The records that affect `version` of this package, sorted by id."""
        region = self._locate(version)
        _load([(self, self._cell(region)[0])])
        return [AffectedAdvisory(a, self.name, version, fix) for a, fix in self._pairs(region)]

    def _locate(self, version: Version) -> int:
        key = version_key(version)
        keys = self._keys
        i = bisect_left(keys, key)
        return 2 * i + 1 if i < len(keys) and keys[i] == key else 2 * i

    def _cell(self, region: int) -> tuple[list[int], list[str]]:
        """The positions of the records of `region`, and the text of each one's fix there."""
        number = self._regions[region]
        cell = self._decoded.get(number)
        if cell is None:
            positions, _, fixes = self._cells[number].partition(";")
            cell = self._decoded[number] = (list(map(int, positions.split())), fixes.split(" "))
        return cell

    def _advisory(self, position: int) -> Advisory:
        advisory = self._advisories[position]
        assert advisory is not None  # `_load` ran for every position read
        return advisory

    def _pairs(self, region: int) -> list[tuple[Advisory, Version | None]]:
        advisories, versions = self._advisories, self._versions
        pairs: list[tuple[Advisory, Version | None]] = []
        for position, text in zip(*self._cell(region), strict=False):  # no position: fixes == [""]
            advisory = advisories[position]
            assert advisory is not None  # `_load` ran for every position read
            fix = versions.get(text) if text else None
            if fix is None and text:
                fix = versions[text] = Version(text)
            pairs.append((advisory, fix))
        return pairs


def _load(wanted: Iterable[tuple[PackageIndex, Iterable[int]]]) -> None:
    """Load the records at the given positions that are not loaded yet, one batch per loader."""
    missing: dict[PackageIndex, set[int]] = {}
    for index, positions in wanted:
        if index._unloaded:
            missing.setdefault(index, set()).update(p for p in positions if index._advisories[p] is None)
    by_loader: dict[Loader, set[str]] = {}
    for index, positions in missing.items():
        by_loader.setdefault(index._loader, set()).update(index._ids[p] for p in positions)
    loaded = {i: a for loader, ids in by_loader.items() if ids for i, a in loader(ids).items()}
    for index, positions in missing.items():
        for position in positions:
            index._advisories[position] = loaded[index._ids[position]]
        index._unloaded -= len(positions)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many containers that form no cycles.

    A cold `match_all` allocates some 80,000 lists, tuples and records; CPython's collector would
    scan the whole heap several times meanwhile, to find nothing: about a third of the run. The same
    reasoning as Mercurial's `util.nogc`. The collector is left off if the caller had turned it off.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def match_all(
    pins: Iterable[tuple[str, Version]], db: AdvisorySource
) -> dict[tuple[NormalizedName, Version], list[AffectedAdvisory]]:
    """Match many `(name, version)` pins at once; every pin is a key (clean ones map to `[]`)."""
    with _collector_paused():
        return _match_all(pins, db)


def _canonical(name: str) -> NormalizedName:
    # Most names arrive normalized already (lock files, the store); the regex is the costly part.
    if name.isascii() and name.islower() and "_" not in name and "." not in name and "--" not in name:
        return NormalizedName(name)
    return normalize(name)


def _match_all(
    pins: Iterable[tuple[str, Version]], db: AdvisorySource
) -> dict[tuple[NormalizedName, Version], list[AffectedAdvisory]]:
    names: dict[str, NormalizedName] = {}  # normalizing costs more than a dict lookup
    latest: dict[tuple[NormalizedName, Version], tuple[NormalizedName, Version]] = {}
    for name, version in pins:
        canonical = names.get(name)
        if canonical is None:
            canonical = names[name] = _canonical(name)
        pin = (canonical, version)
        # A repeated pin keeps its first key and place, and the version object it was given last.
        latest[pin] = pin
    indexes = db.package_indexes(set(names.values()))
    # Locate every pin first, so the records that match are loaded in one batch; pins that fall in
    # the same region of an index share its (record, fix) pairs.
    located: list[PackageIndex | None] = []
    regions: list[int] = []
    cells: dict[PackageIndex, set[int]] = {}
    for name, version in latest.values():
        index = indexes.get(name)
        located.append(index)
        if index is None:
            regions.append(0)
            continue
        wanted = version_key(version)
        keys = index._keys
        i = bisect_left(keys, wanted)
        region = 2 * i + 1 if i < len(keys) and keys[i] == wanted else 2 * i
        regions.append(region)
        seen = cells.get(index)
        if seen is None:
            seen = cells[index] = set()
        seen.add(region)
    _load([(index, [p for r in held for p in index._cell(r)[0]]) for index, held in cells.items()])
    table = {(index, r): index._pairs(r) for index, held in cells.items() for r in held}
    result: dict[tuple[NormalizedName, Version], list[AffectedAdvisory]] = {}
    for (key, (name, version)), index, region in zip(latest.items(), located, regions, strict=True):
        if index is None:
            result[key] = []
        else:
            result[key] = [_affected(a, name, version, fix) for a, fix in table[index, region]]
    return result
