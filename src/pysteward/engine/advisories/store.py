"""The embedded advisory database: one SQLite file (WAL), read cheaply, written in one transaction.

    records  id, modified, content hash, withdrawn flag, the record as imported (zlib JSON) and its
             validated compact form (zlib JSON, see `osv.dump_advisory`)
    affects  (PEP 503 name, record id): the index assessment reads through
    meta     source, imported_at, record and package counts, newest `modified`, schema version

Reading loads only the records of the packages asked for. Writing happens inside `writing()`, a single
`BEGIN IMMEDIATE` transaction: an import that fails half-way rolls back and leaves the previous data.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from packaging.utils import NormalizedName

from pysteward._types import AdvisoryId
from pysteward.engine.advisories.interface import AdvisoryError, AdvisorySource, DatabaseMissingError
from pysteward.engine.advisories.osv import Advisory, dump_advisory, load_advisory
from pysteward.engine.datadir import data_dir

__all__ = ["AdvisoryDatabase", "DatabaseStatus", "StoreWriter", "db_status", "default_db_path", "writing"]

SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE records (
    id TEXT PRIMARY KEY,
    modified TEXT NOT NULL,
    hash TEXT NOT NULL,
    withdrawn INTEGER NOT NULL,
    raw BLOB NOT NULL,
    compiled BLOB NOT NULL
);
CREATE TABLE affects (name TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY (name, id)) WITHOUT ROWID;
CREATE INDEX affects_id ON affects (id);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_TABLES = ("records", "affects", "meta")
_BY_NAME = (
    "SELECT a.name, r.id, r.compiled FROM affects a JOIN records r ON r.id = a.id"
    " WHERE r.withdrawn = 0 AND a.name IN ({}) ORDER BY a.name, r.id"
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
            meta = _meta(self._conn)
        except sqlite3.DatabaseError as e:
            self._conn.close()
            raise DatabaseMissingError(f"{self.path}: not an advisory database ({e})") from e
        if meta.get("schema_version") != SCHEMA_VERSION:
            self._conn.close()
            raise DatabaseMissingError(f"{self.path}: written by another version of Steward")
        self._meta = meta
        self._loaded: dict[AdvisoryId, Advisory] = {}

    def __enter__(self) -> AdvisoryDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (loaded advisories stay usable)."""
        self._conn.close()

    def advisories_for(self, names: Iterable[NormalizedName]) -> dict[NormalizedName, list[Advisory]]:
        """The live (not withdrawn) records of each of `names` that has any, sorted by id."""
        wanted = sorted(set(names))
        found: dict[NormalizedName, list[Advisory]] = {}
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            placeholders = ",".join("?" * len(chunk))
            rows = self._conn.execute(_BY_NAME.format(placeholders), chunk)
            for name, record_id, compiled in rows:
                found.setdefault(NormalizedName(name), []).append(self._advisory(record_id, compiled))
        return found

    def _advisory(self, record_id: str, compiled: bytes) -> Advisory:
        advisory = self._loaded.get(AdvisoryId(record_id))
        if advisory is None:
            advisory = load_advisory(json.loads(zlib.decompress(compiled)))
            self._loaded[advisory.id] = advisory
        return advisory

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
        self.seen: set[str] = set()

    def unchanged(self, digest: str) -> tuple[str, bool] | None:
        """`(id, withdrawn)` of the stored record with content hash `digest`, if there is one."""
        return self._by_hash.get(digest)

    def put(self, advisory: Advisory, raw_json: bytes, digest: str) -> bool:
        """Store `advisory` (replacing an older version); True when it was not stored before."""
        new = advisory.id not in self._stored
        self._conn.execute(
            "INSERT OR REPLACE INTO records (id, modified, hash, withdrawn, raw, compiled)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                advisory.id,
                advisory.modified,
                digest,
                advisory.withdrawn is not None,
                zlib.compress(raw_json, 1),
                zlib.compress(json.dumps(dump_advisory(advisory)).encode(), 1),
            ),
        )
        if not new:
            self._conn.execute("DELETE FROM affects WHERE id = ?", (advisory.id,))
        self._conn.executemany(
            "INSERT OR IGNORE INTO affects (name, id) VALUES (?, ?)",
            [(name, advisory.id) for name in advisory.packages()],
        )
        self.seen.add(advisory.id)
        return new

    def remove_unseen(self) -> int:
        """Delete the stored records the source no longer has; returns how many."""
        gone = [(record_id,) for record_id in self._stored - self.seen]
        self._conn.executemany("DELETE FROM affects WHERE id = ?", gone)
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
