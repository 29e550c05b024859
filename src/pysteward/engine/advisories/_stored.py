"""The compact form the store keeps an `Advisory` in, and the lazily decoded advisory it reads back.

Columns hold the scalar fields; aliases, upstream ids and references share one packed column; the
`affected` entries are one zlib-compressed blob decoded only when something reads them.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from typing import Any, cast

from packaging.utils import NormalizedName
from packaging.version import Version

from pysteward.engine.advisories.osv import FIELDS, Advisory, AffectedPackage
from pysteward.engine.advisories.ranges import (
    Event,
    EventKind,
)
from pysteward.engine.advisories.severity import Rating
from pysteward.engine.model import Severity

__all__ = ["STORED_COLUMNS", "dump_affected", "load_affected", "stored_advisory", "stored_values"]


_AFFECTED_SLOT: Any = Advisory.__dict__["affected"]
(
    _set_id,
    _set_aliases,
    _set_upstream,
    _set_summary,
    _set_details,
    _set_modified,
    _set_published,
    _set_withdrawn,
    _set_rating,
    _set_references,
    _set_malicious,
) = (Advisory.__dict__[name].__set__ for name in FIELDS)


class _StoredAdvisory(Advisory):
    """An advisory read from the store; `affected` is decoded the first time it is read.

    Matching goes through the precompiled package index and assessment never reads `affected`, so
    decoding every matched record's ranges and versions (most of the cost of loading one) is left
    until something asks. The slot of the base class holds the decoded value once there is one.
    """

    __slots__ = ("_packed",)
    _packed: bytes

    @property
    def affected(self) -> tuple[AffectedPackage, ...]:
        try:
            return cast("tuple[AffectedPackage, ...]", _AFFECTED_SLOT.__get__(self, Advisory))
        except AttributeError:  # not decoded yet
            value = load_affected(self._packed)
            _AFFECTED_SLOT.__set__(self, value)
            return value

    @affected.setter
    def affected(self, value: tuple[AffectedPackage, ...]) -> None:
        # Reached only through object.__setattr__ (copy, unpickling); `adv.affected = x` stays frozen.
        _AFFECTED_SLOT.__set__(self, value)


STORED_COLUMNS = (
    "id",
    "lists",
    "summary",
    "details",
    "modified",
    "published",
    "withdrawn_at",
    "severity",
    "score",
    "vector",
    "malicious",
    "affected",
)
"""The columns the store keeps an advisory in, in the order of `stored_values` and `stored_advisory`."""


def stored_values(advisory: Advisory) -> tuple[object, ...]:
    """`advisory` as values of `STORED_COLUMNS` (validated, canonicalized, PyPI entries only)."""
    rating = advisory.rating
    lists = [list(advisory.aliases), list(advisory.upstream), list(advisory.references)]
    return (
        advisory.id,
        _pack(lists),
        advisory.summary,
        advisory.details,
        advisory.modified,
        advisory.published,
        advisory.withdrawn,
        rating.severity.label,
        rating.score,
        rating.vector,
        advisory.malicious,
        dump_affected(advisory.affected),
    )


def stored_advisory(row: Sequence[Any], ratings: dict[tuple[Any, ...], Rating]) -> Advisory:
    """Rebuild an `Advisory` from a row of `STORED_COLUMNS` (trusted: the store validated it).

    `ratings` caches one `Rating` per distinct severity, score and vector across calls. This runs
    for every matched record on a cold start, so it sets the slots directly rather than through the
    dataclass `__init__`, and leaves `affected` packed (see `_StoredAdvisory`).
    """
    (
        record_id,
        lists,
        summary,
        details,
        modified,
        published,
        withdrawn,
        label,
        score,
        vector,
        malicious,
        packed,
    ) = row
    rating_key = (label, score, vector)
    rating = ratings.get(rating_key)
    if rating is None:
        rating = ratings[rating_key] = Rating(Severity.parse(label), score, vector)
    aliases, upstream, references = _unpack(lists)
    advisory = object.__new__(_StoredAdvisory)
    _set_id(advisory, record_id)
    _set_aliases(advisory, aliases)
    _set_upstream(advisory, upstream)
    _set_summary(advisory, summary)
    _set_details(advisory, details)
    _set_modified(advisory, modified)
    _set_published(advisory, published)
    _set_withdrawn(advisory, withdrawn)
    _set_rating(advisory, rating)
    _set_references(advisory, references)
    _set_malicious(advisory, bool(malicious))
    object.__setattr__(advisory, "_packed", packed)
    return advisory


# Aliases, upstream ids and references in one column: split on control characters, which is several
# times faster to read than JSON; JSON (it starts with `[`) when a string holds one or is empty.
_LISTS, _ITEMS = "\x1e", "\x1f"


def _pack(lists: list[list[str]]) -> str:
    if any(not item or _LISTS in item or _ITEMS in item for items in lists for item in items):
        return json.dumps(lists, ensure_ascii=False)
    return _LISTS + _LISTS.join(_ITEMS.join(items) for items in lists)


def _unpack(text: str) -> tuple[tuple[str, ...], ...]:
    if text.startswith("["):
        return tuple(tuple(items) for items in json.loads(text))
    return tuple(tuple(part.split(_ITEMS)) if part else () for part in text[1:].split(_LISTS))


def dump_affected(affected: Sequence[AffectedPackage]) -> bytes:
    """The events and canonical versions of `affected`, as zlib-compressed JSON."""
    data = [
        {
            "name": a.name,
            "ranges": [[[e.kind.value, e.value] for e in events] for events in a.ranges],
            "versions": sorted(a.versions),
        }
        for a in affected
    ]
    return zlib.compress(json.dumps(data).encode(), 1)


def _load_event(kind: str, value: str) -> Event:
    event_kind = EventKind(kind)
    unbounded = (event_kind is EventKind.INTRODUCED and value == "0") or (
        event_kind is EventKind.LIMIT and value == "*"
    )
    return Event(event_kind, value, None if unbounded else Version(value))


def load_affected(packed: bytes) -> tuple[AffectedPackage, ...]:
    """Rebuild the entries `dump_affected` wrote, compiling their ranges again."""
    return tuple(
        AffectedPackage.build(
            NormalizedName(a["name"]),
            [[_load_event(k, v) for k, v in events] for events in a["ranges"]],
            frozenset(a["versions"]),
        )
        for a in json.loads(zlib.decompress(packed))
    )
