"""OSV records as values: validation of untrusted JSON/YAML into `Advisory`.

`parse_record` checks a decoded record against the parts of the OSV schema Steward relies on and
raises `MalformedRecord` (a `ValueError`, never shown as a traceback) with a context path such as
`affected[0].ranges[1].events[2]`; an `ECOSYSTEM` range with a version PEP 440 cannot read is
dropped with a warning instead. Only `PyPI` entries of `affected` are kept. Versions in explicit
`versions` lists are stored canonicalized (`2.2.0` → `2.2`), so matching compares strings and loading
a record never parses hundreds of versions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from packaging.utils import NormalizedName
from packaging.version import InvalidVersion, Version

from pysteward._types import AdvisoryId
from pysteward.engine.advisories.ranges import (
    Event,
    EventKind,
    Interval,
    canonical_version,
    compile_intervals,
    public_version,
)
from pysteward.engine.advisories.severity import Rating, is_malicious, rate
from pysteward.engine.model import Severity, normalize

__all__ = [
    "FIELDS",
    "Advisory",
    "AffectedPackage",
    "MalformedRecord",
    "parse_record",
]

ECOSYSTEM = "PyPI"
_EVENT_KINDS = frozenset(kind.value for kind in EventKind)


class MalformedRecord(ValueError):
    """A record that does not follow the OSV schema; the message names the field."""


class _UnusableRange(MalformedRecord):
    """An `ECOSYSTEM` range with a version PEP 440 cannot read: that range is dropped, not the record."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AffectedPackage:
    """The versions of one package that one record affects."""

    name: NormalizedName
    ranges: tuple[tuple[Event, ...], ...]
    """The `ECOSYSTEM` ranges' events as written (other range types are never compared as versions)."""
    versions: frozenset[str]
    """The explicit `versions` list, canonicalized (see `canonical_version`)."""
    intervals: tuple[Interval, ...]
    fixed: tuple[Version, ...]
    """Every `fixed` version of the ranges, sorted."""

    @classmethod
    def build(
        cls, name: NormalizedName, ranges: Sequence[Sequence[Event]], versions: frozenset[str]
    ) -> AffectedPackage:
        """Compile `ranges` into intervals and the sorted fix versions."""
        fixed = {e.version for events in ranges for e in events if e.kind is EventKind.FIXED}
        return cls(
            name=name,
            ranges=tuple(tuple(events) for events in ranges),
            versions=versions,
            intervals=compile_intervals(ranges),
            fixed=tuple(sorted(v for v in fixed if v is not None)),
        )

    def contains(self, version: Version, canonical: str | None = None) -> bool:
        """Whether `version` (its public part) is affected; `canonical` saves recomputing its key."""
        version = public_version(version)
        key = canonical if canonical is not None else canonical_version(version)
        return key in self.versions or any(version in interval for interval in self.intervals)

    def fix_for(self, version: Version) -> Version | None:
        """The smallest fix version above `version`, or None when no fix is known."""
        version = public_version(version)
        return next((fix for fix in self.fixed if fix > version), None)


_UNRATED = Rating(Severity.UNKNOWN)


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Advisory:
    """One OSV record (PYSEC, GHSA, MAL, …), restricted to its PyPI entries.

    Equal when every field is equal, as a dataclass would be, except that an advisory read from the
    store (whose `affected` is decoded on first use) also equals the same record parsed afresh.
    """

    id: AdvisoryId
    aliases: tuple[str, ...] = ()
    upstream: tuple[str, ...] = ()
    summary: str = ""
    details: str = ""
    modified: str = ""
    published: str | None = None
    withdrawn: str | None = None
    rating: Rating = _UNRATED
    references: tuple[str, ...] = ()
    malicious: bool = False
    affected: tuple[AffectedPackage, ...] = ()

    def _values(self) -> tuple[object, ...]:
        return (*(getattr(self, name) for name in FIELDS), self.affected)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Advisory):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    @property
    def severity(self) -> Severity:
        """The record's severity (MALICIOUS for malicious-package reports)."""
        return self.rating.severity

    @property
    def ids(self) -> frozenset[str]:
        """The record id, its aliases and its upstream ids: what links it to other records."""
        return frozenset((self.id, *self.aliases, *self.upstream))

    def packages(self) -> frozenset[NormalizedName]:
        """The names of the PyPI packages the record affects."""
        return frozenset(a.name for a in self.affected)


# Every field but `affected`, in declaration order: what the store keeps as columns.
FIELDS = (
    "id",
    "aliases",
    "upstream",
    "summary",
    "details",
    "modified",
    "published",
    "withdrawn",
    "rating",
    "references",
    "malicious",
)
"""Every field of `Advisory` but `affected`, in declaration order (what the store keeps as columns)."""


def _expect(value: object, kind: type, where: str) -> Any:
    if not isinstance(value, kind):
        raise MalformedRecord(f"{where}: expected {kind.__name__}, got {type(value).__name__}")
    return value


def _strings(record: Mapping[str, object], key: str, prefix: str = "") -> tuple[str, ...]:
    items = _expect(record.get(key, []), list, prefix + key)
    return tuple(_expect(item, str, f"{prefix}{key}[{i}]") for i, item in enumerate(items))


def _optional_str(record: Mapping[str, object], key: str) -> str | None:
    value = record.get(key)
    return None if value is None else _expect(value, str, key)


@lru_cache(maxsize=65536)
def _canonical(text: str) -> str | None:
    # Versions repeat across the records of a package (every Django release in every Django record).
    try:
        return canonical_version(Version(text))
    except InvalidVersion:
        return None


def _event(raw: object, where: str, ecosystem: bool) -> Event:
    event = _expect(raw, dict, where)
    kinds = [k for k in event if k in _EVENT_KINDS]
    if len(kinds) != 1:
        raise MalformedRecord(
            f"{where}: an event needs exactly one of introduced, fixed, last_affected, limit"
        )
    kind = EventKind(kinds[0])
    value = _expect(event[kind], str, f"{where}.{kind}")
    if (
        not ecosystem
        or (kind is EventKind.INTRODUCED and value == "0")
        or (kind is EventKind.LIMIT and value == "*")
    ):
        return Event(kind, value, None)
    try:
        return Event(kind, value, Version(value))
    except InvalidVersion:
        raise _UnusableRange(f"{where}.{kind}: not a PEP 440 version: {value!r}") from None


def _range(raw: object, where: str) -> tuple[str, tuple[Event, ...]]:
    entry = _expect(raw, dict, where)
    kind = _expect(entry.get("type"), str, f"{where}.type")
    events_raw = _expect(entry.get("events"), list, f"{where}.events")
    ecosystem = kind == "ECOSYSTEM"
    events = tuple(_event(e, f"{where}.events[{i}]", ecosystem) for i, e in enumerate(events_raw))
    if not any(e.kind is EventKind.INTRODUCED for e in events):
        raise MalformedRecord(f"{where}.events: a range needs an introduced event")
    return kind, events


def _affected(raw: object, where: str, problems: list[str]) -> AffectedPackage | None:
    entry = _expect(raw, dict, where)
    package = _expect(entry.get("package"), dict, f"{where}.package")
    if _expect(package.get("ecosystem"), str, f"{where}.package.ecosystem") != ECOSYSTEM:
        return None
    name = _expect(package.get("name"), str, f"{where}.package.name")
    ranges_raw = _expect(entry.get("ranges", []), list, f"{where}.ranges")
    ranges = []
    for i, item in enumerate(ranges_raw):
        try:
            ranges.append(_range(item, f"{where}.ranges[{i}]"))
        except _UnusableRange as e:
            problems.append(f"{e} (range ignored)")
    versions = _strings(entry, "versions", f"{where}.")
    # A listed version that is not PEP 440 can never equal a pinned version: it is dropped, not fatal.
    canonical = frozenset(c for v in versions if (c := _canonical(v)) is not None)
    ecosystem_ranges = [events for kind, events in ranges if kind == "ECOSYSTEM"]
    return AffectedPackage.build(normalize(name), ecosystem_ranges, canonical)


def _severity(record: Mapping[str, object]) -> list[tuple[str, str]]:
    items = _expect(record.get("severity", []), list, "severity")
    entries = []
    for i, item in enumerate(items):
        entry = _expect(item, dict, f"severity[{i}]")
        kind = _expect(entry.get("type"), str, f"severity[{i}].type")
        entries.append((kind, _expect(entry.get("score"), str, f"severity[{i}].score")))
    return entries


def _references(record: Mapping[str, object]) -> tuple[str, ...]:
    items = _expect(record.get("references", []), list, "references")
    urls = []
    for i, item in enumerate(items):
        urls.append(_expect(_expect(item, dict, f"references[{i}]").get("url"), str, f"references[{i}].url"))
    return tuple(urls)


def parse_record(raw: object, problems: list[str] | None = None) -> Advisory:
    """Validate one decoded OSV record; raise `MalformedRecord` naming the first bad field.

    An `ECOSYSTEM` range holding a version PEP 440 cannot read (real PYSEC records have `2019-09-12`
    and `0.2.0-n653`) cannot be evaluated; it is dropped and described in `problems`, and the rest of
    the record is kept.
    """
    problems = [] if problems is None else problems
    record = _expect(raw, dict, "record")
    record_id = record.get("id")
    if not isinstance(record_id, str) or not record_id.strip():
        raise MalformedRecord("id: missing or not a string")
    db_specific = _expect(record.get("database_specific") or {}, dict, "database_specific")
    affected_raw = _expect(record.get("affected", []), list, "affected")
    affected = [_affected(a, f"affected[{i}]", problems) for i, a in enumerate(affected_raw)]
    return Advisory(
        id=AdvisoryId(record_id.strip()),
        aliases=_strings(record, "aliases"),
        upstream=_strings(record, "upstream"),
        summary=_optional_str(record, "summary") or "",
        details=_optional_str(record, "details") or "",
        modified=_optional_str(record, "modified") or "",
        published=_optional_str(record, "published"),
        withdrawn=_optional_str(record, "withdrawn"),
        rating=rate(record_id, _severity(record), db_specific),
        references=_references(record),
        malicious=is_malicious(record_id, db_specific),
        affected=tuple(a for a in affected if a is not None),
    )
