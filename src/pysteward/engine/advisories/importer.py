"""Importing OSV records: from OSV's per-ecosystem `all.zip`, a directory of JSON/YAML, or a URL.

Every source is a full snapshot: records it no longer has are removed. The import is incremental
(a record whose bytes hash as before is neither parsed nor rewritten) and runs in one transaction,
so a source that fails half-way leaves the database as it was. A malformed record is skipped,
counted and reported through `Observer.warn`; it never stops the import.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml

from pysteward.engine.advisories.interface import DatabaseMissingError, SourceError
from pysteward.engine.advisories.osv import MalformedRecord, parse_record
from pysteward.engine.advisories.store import StoreWriter, db_status, default_db_path, writing
from pysteward.engine.download import download
from pysteward.engine.observer import NullObserver, Observer

__all__ = ["DEFAULT_OSV_URL", "ImportReport", "import_advisories", "update_advisories"]

DEFAULT_OSV_URL = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"
"""OSV's export of every PyPI record (override with `STEWARD_OSV_URL`)."""
DOWNLOADED_ZIP = "osv-PyPI-all.zip"
_SUFFIXES = (".json", ".yaml", ".yml")
_REASONS_KEPT = 5
_TASK = "import advisories"


class _Loader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """Safe YAML without implicit timestamps: `modified: 2024-01-01T00:00:00Z` stays a string."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportReport:
    """What one import did; `not_modified` means the server said the export had not changed."""

    source: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    withdrawn: int = 0
    """Records of the source that are withdrawn (stored, never matched)."""
    skipped: int = 0
    """Malformed records that were skipped."""
    skipped_reasons: tuple[str, ...] = ()
    """The first few reasons, `entry: field: what is wrong`."""
    ranges_ignored: int = 0
    """Ranges of stored records that were dropped because PEP 440 cannot read one of their versions."""
    warnings: tuple[str, ...] = ()
    """The first few dropped ranges, `entry: field: what is wrong (range ignored)`."""
    not_modified: bool = False

    @property
    def records(self) -> int:
        """How many records of the source are stored now."""
        return self.added + self.updated + self.unchanged

    def summary(self) -> str:
        """One line for the terminal."""
        if self.not_modified:
            return f"{self.source}: unchanged since the last update ({self.unchanged} records)"
        text = (
            f"{self.source}: {self.added} added, {self.updated} updated, {self.unchanged} unchanged,"
            f" {self.removed} removed, {self.withdrawn} withdrawn"
        )
        return text + (f", {self.skipped} malformed skipped" if self.skipped else "")


@dataclass(slots=True)
class _Tally:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _decode(name: str, data: bytes) -> tuple[object, bytes]:
    """The decoded record and its JSON bytes (what the store keeps)."""
    if name.lower().endswith(".json"):
        try:
            return json.loads(data), data
        except ValueError as e:
            raise MalformedRecord(f"not valid JSON: {e}") from None
    try:
        # A SafeLoader subclass without the timestamp resolver: safe, whatever Bandit can tell.
        record = yaml.load(data, Loader=_Loader)  # noqa: S506  # nosec B506
        return record, json.dumps(record).encode()
    except yaml.YAMLError as e:
        raise MalformedRecord(f"not valid YAML: {str(e).splitlines()[0]}") from None
    except (TypeError, ValueError) as e:
        raise MalformedRecord(f"not representable as JSON: {e}") from None


def _ingest(name: str, data: bytes, writer: StoreWriter, tally: _Tally) -> None:
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    known = writer.unchanged(digest)
    if known is not None and known[0] not in writer.seen:
        writer.seen.add(known[0])
        tally.unchanged += 1
        tally.withdrawn += known[1]
        return
    record, raw_json = _decode(name, data)
    problems: list[str] = []
    advisory = parse_record(record, problems)
    tally.warnings.extend(f"{name}: {problem}" for problem in problems)
    if advisory.id in writer.seen:
        raise MalformedRecord(f"duplicate record id {advisory.id}")
    if writer.put(advisory, raw_json, digest):
        tally.added += 1
    else:
        tally.updated += 1
    tally.withdrawn += advisory.withdrawn is not None


def _zip_entries(path: Path) -> tuple[int, Iterator[tuple[str, bytes]]]:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as e:
        raise SourceError(f"{path}: not a readable zip archive: {e}") from e
    members = [i for i in archive.infolist() if not i.is_dir() and i.filename.lower().endswith(_SUFFIXES)]

    def entries() -> Iterator[tuple[str, bytes]]:
        with archive:
            for info in members:
                try:
                    yield info.filename, archive.read(info)
                except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as e:
                    raise SourceError(f"{path}: {info.filename}: corrupt entry: {e}") from e

    return len(members), entries()


def _dir_entries(path: Path) -> tuple[int, Iterator[tuple[str, bytes]]]:
    files = sorted(p for p in path.rglob("*") if p.suffix.lower() in _SUFFIXES and p.is_file())

    def entries() -> Iterator[tuple[str, bytes]]:
        for file in files:
            try:
                data = file.read_bytes()
            except OSError as e:
                raise SourceError(f"{file}: cannot be read: {e}") from e
            yield str(file.relative_to(path)), data

    return len(files), entries()


def _entries(path: Path) -> tuple[int, Iterator[tuple[str, bytes]]]:
    if path.is_dir():
        return _dir_entries(path)
    if path.is_file():
        return _zip_entries(path)
    raise SourceError(f"{path}: no such file or directory")


def _warn(observer: Observer, tally: _Tally) -> None:
    if tally.reasons:
        first = "; ".join(tally.reasons[:3])
        observer.warn(f"skipped {len(tally.reasons)} malformed advisory records: {first}")
    if tally.warnings:
        first = "; ".join(tally.warnings[:3])
        observer.warn(f"ignored {len(tally.warnings)} unreadable version ranges: {first}")


def _import_path(path: Path, db_path: Path, observer: Observer, source: str) -> ImportReport:
    total, entries = _entries(path)
    if total == 0:
        raise SourceError(f"{path}: no OSV records (.json, .yaml) found")
    tally = _Tally()
    observer.start(_TASK, total)
    with writing(db_path) as writer:
        for name, data in entries:
            try:
                _ingest(name, data, writer, tally)
            except MalformedRecord as e:
                tally.reasons.append(f"{name}: {e}")
            observer.advance(_TASK)
        removed = writer.remove_unseen()
        writer.finish(source, datetime.now(UTC))
    observer.finish(_TASK)
    _warn(observer, tally)
    return ImportReport(
        source=source,
        added=tally.added,
        updated=tally.updated,
        unchanged=tally.unchanged,
        removed=removed,
        withdrawn=tally.withdrawn,
        skipped=len(tally.reasons),
        skipped_reasons=tuple(tally.reasons[:_REASONS_KEPT]),
        ranges_ignored=len(tally.warnings),
        warnings=tuple(tally.warnings[:_REASONS_KEPT]),
    )


def _import_url(url: str, db_path: Path, observer: Observer) -> ImportReport:
    dest = db_path.parent / DOWNLOADED_ZIP
    result = download(url, dest, observer=observer, task="download advisories")
    if not result.changed:
        try:
            status = db_status(db_path)
        except DatabaseMissingError:
            status = None
        if status is not None and status.source == url:
            return ImportReport(source=url, unchanged=status.records, not_modified=True)
    try:
        return _import_path(dest, db_path, observer, source=url)
    except SourceError:
        # Without the file, the next update downloads it again instead of trusting a bad copy.
        dest.unlink(missing_ok=True)
        raise


def import_advisories(
    source: str | Path, db_path: Path | None = None, *, observer: Observer | None = None
) -> ImportReport:
    """Import a full snapshot of OSV records from a zip, a directory or an http(s) URL into `db_path`.

    Raises `SourceError` when the source cannot be read and `DownloadError` when a URL cannot be
    fetched; in both cases the database keeps what it held before.
    """
    db_path = db_path or default_db_path()
    observer = observer or NullObserver()
    text = str(source)
    if isinstance(source, str) and text.startswith(("http://", "https://")):
        return _import_url(text, db_path, observer)
    path = Path(source).expanduser()
    return _import_path(path, db_path, observer, source=str(path.resolve()))


def update_advisories(
    db_path: Path | None = None, url: str | None = None, observer: Observer | None = None
) -> ImportReport:
    """Refresh the database from OSV's PyPI export (`STEWARD_OSV_URL` overrides the address)."""
    url = url or os.environ.get("STEWARD_OSV_URL") or DEFAULT_OSV_URL
    return import_advisories(url, db_path, observer=observer)
