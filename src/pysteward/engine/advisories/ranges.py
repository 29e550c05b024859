"""OSV `ECOSYSTEM` range events compiled into sorted PEP 440 version intervals.

The OSV schema (§ Evaluation) defines a range by walking its events sorted by version: `introduced`
makes the versions from there on affected, `fixed` makes them unaffected from there on, and
`last_affected` from just above; `limit` events cap the range (`v < limit` for some limit). This module
turns that walk into intervals once, at load time, so that matching a version is a few comparisons
instead of a sort per query. Events at the same version keep the order the record gives them, as a
stable sort does; the property test in `tests/engine/advisories/test_properties.py` checks that the
intervals agree with the plain walk.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from packaging.version import Version

__all__ = [
    "Event",
    "EventKind",
    "Interval",
    "VersionKey",
    "canonical_version",
    "compile_intervals",
    "public_version",
    "version_key",
]


class EventKind(StrEnum):
    """The four OSV range event types."""

    INTRODUCED = "introduced"
    FIXED = "fixed"
    LAST_AFFECTED = "last_affected"
    LIMIT = "limit"


@dataclass(frozen=True, slots=True)
class Event:
    """One range event; `version` is None for `introduced: "0"` and `limit: "*"` (unbounded)."""

    kind: EventKind
    value: str
    version: Version | None


@dataclass(frozen=True, slots=True)
class Interval:
    """A set of versions between two bounds; a None bound is unbounded."""

    lower: Version | None
    lower_inclusive: bool
    upper: Version | None
    upper_inclusive: bool

    def __contains__(self, version: Version) -> bool:
        lower, upper = self.lower, self.upper
        if lower is not None and (version < lower or (version == lower and not self.lower_inclusive)):
            return False
        return upper is None or version < upper or (version == upper and self.upper_inclusive)


def public_version(version: Version) -> Version:
    """`version` without its local label (`1.8.0+cpu` → `1.8.0`): advisories name public releases."""
    return Version(version.public) if version.local is not None else version


def canonical_version(version: Version) -> str:
    """A string equal exactly for versions PEP 440 calls equal (`2.2`, `2.2.0`), minus the local label."""
    release = list(version.release)
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    text = ".".join(map(str, release))
    if version.epoch:
        text = f"{version.epoch}!{text}"
    if version.pre is not None:
        text += f"{version.pre[0]}{version.pre[1]}"
    if version.post is not None:
        text += f".post{version.post}"
    if version.dev is not None:
        text += f".dev{version.dev}"
    return text


VersionKey = list[object]
"""A version's place in PEP 440 order as plain JSON values (see `version_key`)."""

_PRE_RANK = {"a": 0, "b": 1, "rc": 2}


def version_key(version: Version) -> VersionKey:
    """A key that orders public versions as PEP 440 does, made of ints and lists so it can be stored.

    `[epoch, release without trailing zeros, pre rank, pre number, has post, post number, no dev,
    dev number]`, where the pre rank puts a bare `.devN` below `a` < `b` < `rc` < a final release.
    Two versions get equal keys exactly when they are equal with their local labels dropped; the
    property test checks the order against `packaging`'s.
    """
    release = version.release
    end = len(release)
    while end and release[end - 1] == 0:
        end -= 1
    pre, post, dev = version.pre, version.post, version.dev
    if pre is not None:
        pre_rank, pre_number = _PRE_RANK[pre[0]], pre[1]
    else:
        pre_rank, pre_number = (-1 if post is None and dev is not None else 3), 0
    return [
        version.epoch,
        list(release[:end]),
        pre_rank,
        pre_number,
        0 if post is None else 1,
        post or 0,
        1 if dev is None else 0,
        dev or 0,
    ]


# A step function over the sorted distinct event versions p0 < p1 < …: region 2i+1 is the point p_i,
# region 2i is the open gap below p_i (region 0 is everything below p0, region 2k everything above).
def _regions(events: Sequence[Event]) -> tuple[list[Version], list[bool]]:
    walk = [e for e in events if e.kind is not EventKind.LIMIT]
    state = any(e.version is None for e in walk)  # introduced "0" holds for every version
    points: list[Version] = []
    states = [state]
    versioned = sorted((e for e in walk if e.version is not None), key=_version_key)
    index = 0
    while index < len(versioned):
        point = versioned[index].version
        assert point is not None
        group: list[Event] = []
        while index < len(versioned) and versioned[index].version == point:
            group.append(versioned[index])
            index += 1
        # At the point itself `last_affected` does not yet hold (its test is `v > last_affected`).
        at_point = [e for e in group if e.kind is not EventKind.LAST_AFFECTED]
        at_state = at_point[-1].kind is EventKind.INTRODUCED if at_point else state
        state = group[-1].kind is EventKind.INTRODUCED
        points.append(point)
        states.extend((at_state, state))
    return points, states


def _version_key(event: Event) -> Version:
    assert event.version is not None
    return event.version


def _lower_bound(points: Sequence[Version], region: int) -> tuple[Version | None, bool]:
    # A run of affected regions never starts in a gap: the state after a point is that of the point's
    # last event, and when that is `introduced` it also decides the state at the point itself.
    if region == 0:
        return None, False
    return points[region // 2], True


def _upper_bound(points: Sequence[Version], region: int) -> tuple[Version | None, bool]:
    if region == 2 * len(points):
        return None, False
    if region % 2:
        return points[region // 2], True
    return points[region // 2], False


def _range_intervals(events: Sequence[Event]) -> list[Interval]:
    points, states = _regions(events)
    intervals: list[Interval] = []
    start: int | None = None
    for region, affected in enumerate([*states, False]):
        if affected and start is None:
            start = region
        elif not affected and start is not None:
            intervals.append(Interval(*_lower_bound(points, start), *_upper_bound(points, region - 1)))
            start = None
    limits = [e.version for e in events if e.kind is EventKind.LIMIT]
    if not limits or None in limits:
        return intervals
    return _below(intervals, max(v for v in limits if v is not None))


def _below(intervals: Iterable[Interval], limit: Version) -> list[Interval]:
    """Cut `intervals` to versions `< limit` (OSV `BeforeLimits`: below at least one limit)."""
    kept = []
    for interval in intervals:
        if interval.lower is not None and interval.lower >= limit:
            continue
        upper = interval.upper
        if upper is None or upper > limit or (upper == limit and interval.upper_inclusive):
            kept.append(Interval(interval.lower, interval.lower_inclusive, limit, False))
        else:
            kept.append(interval)
    return kept


def compile_intervals(ranges: Iterable[Sequence[Event]]) -> tuple[Interval, ...]:
    """The affected versions of several ranges (their union) as intervals sorted by lower bound."""
    intervals = [interval for events in ranges for interval in _range_intervals(events)]
    unbounded = [i for i in intervals if i.lower is None]
    bounded = sorted((i for i in intervals if i.lower is not None), key=_lower_key)
    return (*unbounded, *bounded)


def _lower_key(interval: Interval) -> Version:
    assert interval.lower is not None
    return interval.lower
