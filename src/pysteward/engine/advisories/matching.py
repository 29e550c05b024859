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
from typing import TYPE_CHECKING

from packaging.utils import NormalizedName
from packaging.version import Version

from pysteward.engine.advisories.compiled import Compiled, entries_for, record_ranges
from pysteward.engine.advisories.osv import Advisory, AffectedPackage
from pysteward.engine.advisories.ranges import (
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
    "match",
    "match_all",
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
        entries = entries_for(advisory, package)
        if any(a.contains(public, key) for a in entries):
            found.append(AffectedAdvisory(advisory, package, version, _fix(entries, public)))
    return found


class PackageIndex:
    """Every live record of one package, indexed so a version costs one binary search."""

    _advisories: list[Advisory | None]
    """By position; None until loaded (a stored index loads only the records that match)."""

    def __init__(self, name: NormalizedName, advisories: Sequence[Advisory]):
        live = sorted((a for a in advisories if a.withdrawn is None), key=lambda a: a.id)
        pairs = [(a, r) for a in live if (r := record_ranges(a, name)) is not None]
        by_id = {a.id: a for a, _ in pairs}
        self._setup(name, Compiled.build([r for _, r in pairs]), lambda ids: {i: by_id[i] for i in ids}, {})  # type: ignore[index]
        self._advisories = [a for a, _ in pairs]
        self._unloaded = 0  # all held: the loader is never asked

    @classmethod
    def stored(
        cls, name: NormalizedName, data: str, loader: Loader, versions: dict[str, Version]
    ) -> PackageIndex:
        """The index `compile_stored` wrote; `loader` fetches matched records, `versions` caches fixes."""
        index = cls.__new__(cls)
        index._setup(name, Compiled(*json.loads(data)), loader, versions)
        return index

    def _setup(
        self, name: NormalizedName, compiled: Compiled, loader: Loader, versions: dict[str, Version]
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
