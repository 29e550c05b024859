"""One small record per look-up, so a warm look-up reads it instead of every document it came from.

A look-up (a project and its pinned versions) reads up to three kinds of cached document and parses
them into a `ProjectInfo`. The summary stores that `ProjectInfo` with, for each document read, its
`fetched_at` and the file's signature (inode, modification time, size). It answers only while every
document is unchanged (same signatures) and, online, still within the TTL; otherwise the look-up
reads the documents as before (revalidating the stale ones) and writes a new summary. A summary
that cannot be read or has an unexpected shape is ignored.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from datetime import datetime

from packaging.utils import canonicalize_name
from packaging.version import Version

from pysteward.engine.index._cache import CacheEntry, HttpCache
from pysteward.engine.index.values import (
    LicenseFields,
    ProjectInfo,
    ProjectState,
    ProjectStatus,
    Release,
)

__all__ = ["Summaries", "summary_key"]

FORMAT = 1


def summary_key(urls: Sequence[str | None], pinned: Collection[Version]) -> str:
    """The name of the summary for a look-up of the project at `urls` with `pinned` versions."""
    text = json.dumps([list(urls), sorted(str(v) for v in pinned)])
    return hashlib.sha256(text.encode()).hexdigest()


class Summaries:
    """Summaries kept in `cache`'s directory, beside the documents they summarise."""

    def __init__(self, cache: HttpCache) -> None:
        self.cache = cache

    def load(self, key: str, *, now: float | None, ttl: float) -> ProjectInfo | None:
        """The summarised `ProjectInfo`, if its documents are unchanged and (unless `now` is None) fresh."""
        record = self.cache.load_summary(key)
        try:
            if not isinstance(record, dict) or record.get("format") != FORMAT:
                return None
            for name, fetched_at, signature in record["sources"]:
                if now is not None and not now - float(fetched_at) < ttl:
                    return None
                if signature is None or self.cache.signature(str(name)) != signature:
                    return None
            return _decode(record["info"])
        except (ValueError, TypeError, KeyError):
            return None

    def store(self, key: str, info: ProjectInfo, entries: Sequence[CacheEntry]) -> None:
        """Record `info`, built from the cached `entries`."""
        sources = []
        for entry in entries:
            name = self.cache.key(entry.url)
            sources.append([name, entry.fetched_at, self.cache.signature(name)])
        self.cache.store_summary(key, {"format": FORMAT, "sources": sources, "info": _encode(info)})


def _optional_time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _encode(info: ProjectInfo) -> dict[str, object]:
    return {
        "name": info.name,
        "latest": None if info.latest_version is None else str(info.latest_version),
        "releases": [
            [str(r.version), _optional_time(r.uploaded), r.yanked, r.yanked_reason] for r in info.releases
        ],
        "owners": list(info.owners),
        "maintainers": list(info.maintainers),
        "organization": info.organization,
        "ownership_known": info.ownership_known,
        "status": [info.status.state.value, info.status.reason],
        "classifiers": list(info.classifiers),
        "license_expression": info.license_expression,
        "license_text": info.license_text,
        "fetched_at": info.fetched_at.isoformat(),
        "licenses": [
            [str(v), f.license_expression, f.license, list(f.classifiers)] for v, f in info.licenses
        ],
    }


def _text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError("not a string")


def _list(value: object) -> list[object]:
    if not isinstance(value, list):
        raise TypeError("not a list")
    return value


def _texts(value: object) -> tuple[str, ...]:
    items = _list(value)
    if not all(isinstance(item, str) for item in items):
        raise TypeError("not a list of strings")
    return tuple(str(item) for item in items)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError("not a flag")
    return value


def _release(item: object) -> Release:
    version, uploaded, yanked, reason = _list(item)
    moment = _text(uploaded)
    when = None if moment is None else datetime.fromisoformat(moment)
    return Release(Version(str(version)), when, _flag(yanked), _text(reason))


def _licenses(item: object) -> tuple[Version, LicenseFields]:
    version, expression, text, classifiers = _list(item)
    return Version(str(version)), LicenseFields(_text(expression), _text(text), _texts(classifiers))


def _decode(data: dict[str, object]) -> ProjectInfo:
    latest = _text(data["latest"])
    state, reason = _list(data["status"])
    return ProjectInfo(
        name=canonicalize_name(str(data["name"])),
        latest_version=None if latest is None else Version(latest),
        releases=tuple(_release(item) for item in _list(data["releases"])),
        owners=_texts(data["owners"]),
        maintainers=_texts(data["maintainers"]),
        organization=_text(data["organization"]),
        ownership_known=_flag(data["ownership_known"]),
        status=ProjectStatus(ProjectState(str(state)), _text(reason)),
        classifiers=_texts(data["classifiers"]),
        license_expression=_text(data["license_expression"]),
        license_text=_text(data["license_text"]),
        fetched_at=datetime.fromisoformat(str(data["fetched_at"])),
        licenses=tuple(_licenses(item) for item in _list(data["licenses"])),
    )
