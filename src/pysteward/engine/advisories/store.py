"""The embedded advisory database: one SQLite file (WAL), read cheaply, written in one transaction.

    records  id, modified, content hash, withdrawn flag, the validated record, one column per field
             (`osv.STORED_COLUMNS`; `affected` as zlib JSON), and the record as imported (zlib JSON).
             The large columns come last: reading a row stops before the pages it does not need.
    affects  (PEP 503 name, record id) and the record's ranges for that package (`RecordRanges`)
    indexes  per package, the matching index compiled from its live records (`compile_stored`)
    meta     source, imported_at, record and package counts, newest `modified`, schema version

Reading loads only the indexes of the packages asked for, and then only the records that match: a
cold `match_all` parses no range (see `matching`). An import recompiles the index of every package
whose records it added, changed or removed. Writing happens inside `writing()`, a single
`BEGIN IMMEDIATE` transaction: an import that fails half-way rolls back and leaves the previous data.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from packaging.utils import NormalizedName
from packaging.version import Version

from pysteward._types import AdvisoryId
from pysteward.engine.advisories._stored import STORED_COLUMNS, stored_advisory, stored_values
from pysteward.engine.advisories.compiled import compile_stored, record_ranges
from pysteward.engine.advisories.interface import AdvisoryError, AdvisorySource, DatabaseMissingError
from pysteward.engine.advisories.matching import Loader, PackageIndex
from pysteward.engine.advisories.osv import Advisory
from pysteward.engine.advisories.severity import Rating
from pysteward.engine.datadir import data_dir

__all__ = ["AdvisoryDatabase", "DatabaseStatus", "StoreWriter", "db_status", "default_db_path", "writing"]

# 2: validated records in columns, per-package compiled indexes (version 1 databases are re-imported).
SCHEMA_VERSION = "2"
_SCHEMA = """
CREATE TABLE records (
    id TEXT PRIMARY KEY,
    modified TEXT NOT NULL,
    hash TEXT NOT NULL,
    withdrawn INTEGER NOT NULL,
    lists TEXT NOT NULL,
    summary TEXT NOT NULL,
    published TEXT,
    withdrawn_at TEXT,
    severity TEXT NOT NULL,
    score REAL,
    vector TEXT,
    malicious INTEGER NOT NULL,
    affected BLOB NOT NULL,
    details TEXT NOT NULL,
    raw BLOB NOT NULL
);
CREATE TABLE affects (
    name TEXT NOT NULL, id TEXT NOT NULL, ranges TEXT NOT NULL, PRIMARY KEY (name, id)
) WITHOUT ROWID;
CREATE INDEX affects_id ON affects (id);
CREATE TABLE indexes (name TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_TABLES = ("records", "affects", "indexes", "meta")
_COLUMNS = ", ".join(f"r.{column}" for column in STORED_COLUMNS)
# Only constant column names and `?` placeholders are formatted into the SQL below (hence nosec).
_BY_NAME = (
    f"SELECT a.name, {_COLUMNS} FROM affects a JOIN records r ON r.id = a.id"  # noqa: S608  # nosec B608
    " WHERE r.withdrawn = 0 AND a.name IN ({}) ORDER BY a.name, r.id"
)
_BY_ID = f"SELECT {_COLUMNS} FROM records r WHERE r.id IN ({{}})"  # noqa: S608  # nosec B608
_PUT = (
    f"INSERT OR REPLACE INTO records (modified, hash, withdrawn, raw, {', '.join(STORED_COLUMNS)})"  # noqa: S608
    f" VALUES ({', '.join('?' * (4 + len(STORED_COLUMNS)))})"
)
_INDEXES = "SELECT name, data FROM indexes WHERE name IN ({})"
_RANGES = (
    "SELECT a.id, a.ranges FROM affects a JOIN records r ON r.id = a.id WHERE r.withdrawn = 0 AND a.name = ?"
)
_CHUNK = 500  # names per `IN (…)` query, well under SQLite's variable limit


def default_db_path() -> Path:
    """Where the advisory database lives: `advisories.sqlite3` in Steward's data directory."""
    return data_dir() / "advisories.sqlite3"


@dataclass(frozen=True, slots=True, kw_only=True)
class DatabaseStatus:
    """How much the database holds and how old it is (`steward db status`)."""

    path: Path
    source: str
    records: int
    packages: int
    newest_modified: datetime | None
    imported_at: datetime
    age: timedelta


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")  # readers never wait for an import
        conn.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.DatabaseError:
        conn.close()
        raise
    return conn


def _meta(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, value FROM meta").fetchall())


def _parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class AdvisoryDatabase(AdvisorySource):
    """A read-only view of the database; records are loaded per package on demand and cached."""

    def __init__(self, path: Path | None = None):
        self.path = path or default_db_path()
        if not self.path.is_file():
            raise DatabaseMissingError(f"no advisory database at {self.path}")
        # The writer set WAL mode in the file; a reader only needs a connection that cannot write.
        self._conn = sqlite3.connect(self.path, isolation_level=None)
        try:
            self._conn.execute("PRAGMA query_only=ON")
            self._conn.execute("PRAGMA mmap_size=1073741824")
            meta = _meta(self._conn)
        except sqlite3.DatabaseError as e:
            self._conn.close()
            raise DatabaseMissingError(f"{self.path}: not an advisory database ({e})") from e
        if meta.get("schema_version") != SCHEMA_VERSION:
            self._conn.close()
            raise DatabaseMissingError(f"{self.path}: written by another version of Steward")
        self._meta = meta
        self._loaded: dict[AdvisoryId, Advisory] = {}
        self._ratings: dict[tuple[object, ...], Rating] = {}
        self._versions: dict[str, Version] = {}
        self._indexes: dict[NormalizedName, PackageIndex | None] = {}
        self._loader: Loader = self._by_id

    def __enter__(self) -> AdvisoryDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (loaded advisories stay usable)."""
        self._conn.close()

    def _rows(self, query: str, keys: Iterable[str]) -> Iterator[Any]:
        wanted = sorted(set(keys))
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            yield from self._conn.execute(query.format(",".join("?" * len(chunk))), chunk)

    def advisories_for(self, names: Iterable[NormalizedName]) -> dict[NormalizedName, list[Advisory]]:
        """The live (not withdrawn) records of each of `names` that has any, sorted by id."""
        found: dict[NormalizedName, list[Advisory]] = {}
        for name, *row in self._rows(_BY_NAME, names):
            found.setdefault(NormalizedName(name), []).append(self._advisory(row))
        return found

    def _advisory(self, row: Sequence[Any]) -> Advisory:
        advisory = self._loaded.get(row[0])
        if advisory is None:
            advisory = self._loaded[row[0]] = stored_advisory(row, self._ratings)
        return advisory

    def _by_id(self, ids: Iterable[str]) -> dict[str, Advisory]:
        """The records `ids` (all live: the indexes name no other), loading those not loaded yet."""
        loaded = self._loaded
        found = {i: a for i in ids if (a := loaded.get(AdvisoryId(i))) is not None}
        for row in self._rows(_BY_ID, (i for i in ids if i not in found)):
            found[row[0]] = self._advisory(row)
        return found

    def package_indexes(self, names: Iterable[NormalizedName]) -> dict[NormalizedName, PackageIndex]:
        """The compiled index of each of `names` that has live records, read once per package."""
        names = set(names)
        cache = self._indexes
        missing = [n for n in names if n not in cache]
        for name, data in self._rows(_INDEXES, missing):
            cache[name] = PackageIndex.stored(name, data, self._loader, self._versions)
        for name in missing:
            cache.setdefault(name, None)
        return {n: index for n in names if (index := cache[n]) is not None}

    def record(self, record_id: str) -> dict[str, object] | None:
        """The record `record_id` exactly as imported (withdrawn ones included), or None."""
        row = self._conn.execute("SELECT raw FROM records WHERE id = ?", (record_id,)).fetchone()
        return None if row is None else dict(json.loads(zlib.decompress(row[0])))

    def status(self, *, now: datetime | None = None) -> DatabaseStatus:
        """What the database holds, from its metadata; `now` defaults to the current time."""
        meta = self._meta
        imported_at = _parse_time(meta.get("imported_at", "")) or datetime.fromtimestamp(0, UTC)
        return DatabaseStatus(
            path=self.path,
            source=meta.get("source", ""),
            records=int(meta.get("records", "0")),
            packages=int(meta.get("packages", "0")),
            newest_modified=_parse_time(meta.get("newest_modified", "")),
            imported_at=imported_at,
            age=(now or datetime.now(UTC)) - imported_at,
        )


def db_status(db_path: Path | None = None, *, now: datetime | None = None) -> DatabaseStatus:
    """The status of the database at `db_path`; raises `DatabaseMissingError` when there is none."""
    with AdvisoryDatabase(db_path) as db:
        return db.status(now=now)


class StoreWriter:
    """The write side of one import; use it through `writing()`."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn
        self._by_hash: dict[str, tuple[str, bool]] = {
            digest: (record_id, bool(withdrawn))
            for record_id, digest, withdrawn in conn.execute("SELECT id, hash, withdrawn FROM records")
        }
        self._stored = {record_id for record_id, _ in self._by_hash.values()}
        self._dirty: set[str] = set()
        """Packages whose index must be compiled again: a record of theirs came, went or changed."""
        self.seen: set[str] = set()

    def unchanged(self, digest: str) -> tuple[str, bool] | None:
        """`(id, withdrawn)` of the stored record with content hash `digest`, if there is one."""
        return self._by_hash.get(digest)

    def put(self, advisory: Advisory, raw_json: bytes, digest: str) -> bool:
        """Store `advisory` (replacing an older version); True when it was not stored before."""
        new = advisory.id not in self._stored
        self._conn.execute(
            _PUT,
            (
                advisory.modified,
                digest,
                advisory.withdrawn is not None,
                zlib.compress(raw_json, 1),
                *stored_values(advisory),
            ),
        )
        if not new:
            self._forget((advisory.id,))
        rows = []
        for name in advisory.packages():
            ranges = record_ranges(advisory, name)
            assert ranges is not None  # the record names the package
            rows.append((name, advisory.id, ranges.dumps()))
        self._conn.executemany("INSERT INTO affects (name, id, ranges) VALUES (?, ?, ?)", rows)
        self._dirty.update(name for name, _, _ in rows)
        self.seen.add(advisory.id)
        return new

    def _forget(self, record_id: tuple[str]) -> None:
        names = self._conn.execute("SELECT name FROM affects WHERE id = ?", record_id)
        self._dirty.update(name for (name,) in names)
        self._conn.execute("DELETE FROM affects WHERE id = ?", record_id)

    def remove_unseen(self) -> int:
        """Delete the stored records the source no longer has; returns how many."""
        gone = [(record_id,) for record_id in self._stored - self.seen]
        for record_id in gone:
            self._forget(record_id)
        self._conn.executemany("DELETE FROM records WHERE id = ?", gone)
        return len(gone)

    def finish(self, source: str, now: datetime) -> None:
        """Record where the data came from and summary counts in `meta`."""
        conn = self._conn
        newest = max(
            (t for (text,) in conn.execute("SELECT modified FROM records") if (t := _parse_time(text))),
            default=None,
        )
        meta = {
            "schema_version": SCHEMA_VERSION,
            "source": source,
            "imported_at": now.isoformat(),
            "records": str(conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]),
            "packages": str(conn.execute("SELECT COUNT(DISTINCT name) FROM affects").fetchone()[0]),
            "newest_modified": newest.isoformat() if newest else "",
        }
        conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", meta.items())
        self._compile()

    def _compile(self) -> None:
        """Compile the index of every package whose records changed; drop those left with none."""
        for name in sorted(self._dirty):
            records = self._conn.execute(_RANGES, (name,)).fetchall()
            if records:
                data = compile_stored(records)
                self._conn.execute("INSERT OR REPLACE INTO indexes (name, data) VALUES (?, ?)", (name, data))
            else:
                self._conn.execute("DELETE FROM indexes WHERE name = ?", (name,))
        self._dirty.clear()


def _prepare(conn: sqlite3.Connection) -> None:
    """Create the tables, or recreate them when another schema version wrote them (inside the transaction)."""
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if set(_TABLES) <= names and _meta(conn).get("schema_version") == SCHEMA_VERSION:
        return
    for table in _TABLES:
        conn.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


@contextmanager
def writing(db_path: Path) -> Iterator[StoreWriter]:
    """One import transaction: committed when the block ends, rolled back if it raises."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = _connect(db_path)
    except sqlite3.DatabaseError as e:
        raise AdvisoryError(f"{db_path}: cannot open the advisory database: {e}", hint=_RESET) from e
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            _prepare(conn)
            yield StoreWriter(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    except sqlite3.DatabaseError as e:
        raise AdvisoryError(f"{db_path}: cannot write the advisory database: {e}", hint=_RESET) from e
    finally:
        conn.close()


_RESET = "delete the file and run `steward db update` again"
