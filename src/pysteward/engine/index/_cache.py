"""An on-disk cache of index responses, keyed by URL, with the validators for conditional requests.

One JSON file per URL (`<sha256 of the URL>.json`) under `data_dir()/index-cache/`, written to a
temporary file and renamed, so concurrent look-ups and interrupted runs never leave half a file.
A file that cannot be read is treated as absent: the cache is only ever an optimisation.

Beside the documents, `summaries/` holds one small record per look-up (`_summary.py`), so a warm
look-up reads that instead of re-reading and re-parsing every document.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from pysteward.engine.index.location import redact

__all__ = ["CacheEntry", "HttpCache"]

KINDS = ("json", "not-found", "not-json")


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """A stored answer: `kind` is json (with `data`), not-found or not-json; `fetched_at` is epoch seconds."""

    url: str
    kind: str
    fetched_at: float
    data: object = None
    etag: str | None = None
    last_modified: str | None = None

    def refreshed(self, now: float) -> CacheEntry:
        """The same answer, confirmed current at `now` (after a 304)."""
        return replace(self, fetched_at=now)


class HttpCache:
    """Cache entries in one directory (created on first write)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, url: str) -> Path:
        return self.directory / (self.key(url) + ".json")

    @staticmethod
    def key(url: str) -> str:
        """The name of `url`'s file, without its suffix."""
        return hashlib.sha256(url.encode()).hexdigest()

    def signature(self, key: str) -> list[int] | None:
        """Identity of the file named `key` (inode, modification time, size), None when absent.

        Every store replaces the file (a new inode), so a changed document never keeps its signature.
        """
        try:
            stat = (self.directory / (key + ".json")).stat()
        except OSError:
            return None
        return [stat.st_ino, stat.st_mtime_ns, stat.st_size]

    def load_summary(self, key: str) -> object:
        """The summary record named `key`, or None when there is none or it is not JSON."""
        try:
            return json.loads((self.directory / "summaries" / (key + ".json")).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def store_summary(self, key: str, record: dict[str, object]) -> None:
        """Write the summary record named `key` atomically."""
        _write(self.directory / "summaries", key, record)

    def load(self, url: str) -> CacheEntry | None:
        """The entry for `url`, or None when there is none or it cannot be read."""
        try:
            record = json.loads(self._path(url).read_text(encoding="utf-8"))
            entry = CacheEntry(
                url=url,
                kind=record["kind"],
                fetched_at=float(record["fetched_at"]),
                data=record.get("data"),
                etag=record.get("etag"),
                last_modified=record.get("last_modified"),
            )
        except (OSError, ValueError, TypeError, KeyError):
            return None
        return entry if entry.kind in KINDS else None

    def store(self, entry: CacheEntry) -> None:
        """Write `entry` atomically (the URL is stored redacted, for people reading the cache)."""
        record: dict[str, object] = {
            "url": redact(entry.url),
            "kind": entry.kind,
            "fetched_at": entry.fetched_at,
            "data": entry.data,
            "etag": entry.etag,
            "last_modified": entry.last_modified,
        }
        _write(self.directory, self.key(entry.url), record)


def _write(directory: Path, key: str, record: dict[str, object]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{key}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(record, out, separators=(",", ":"))
        Path(tmp_name).replace(directory / (key + ".json"))
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp_name).unlink()
        raise
