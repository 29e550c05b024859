"""Engines and sessions: SQLite with WAL and foreign keys, or PostgreSQL through psycopg 3."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from pysteward.engine.datadir import data_dir
from pysteward.errors import OperationalError

__all__ = [
    "StoreError",
    "default_database_url",
    "first_line",
    "make_engine",
    "make_session_factory",
    "redact_url",
]

FILE_NAME = "steward.sqlite3"


class StoreError(OperationalError):
    """The server database cannot be opened or migrated."""


def default_database_url() -> str:
    """The embedded default: `steward.sqlite3` in the data directory (`STEWARD_DATA_DIR`)."""
    return f"sqlite:///{data_dir() / FILE_NAME}"


def redact_url(url: str) -> str:
    """`url` with any password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


def first_line(error: SQLAlchemyError) -> str:
    """The driver's own message, first line only (SQLAlchemy appends SQL and a link)."""
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0] if lines else error.__class__.__name__


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for `url`; SQLite files get WAL, a busy timeout and enforced foreign keys.

    The SQLite file's directory is created. `StoreError` for a URL SQLAlchemy cannot read.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"database URL {url!r} is not a URL SQLAlchemy can read") from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, options)
    options.setdefault("pool_pre_ping", True)
    try:
        return create_engine(url, **options)
    except (ArgumentError, ImportError) as e:
        raise StoreError(f"{redact_url(url)}: {e}") from e


def _sqlite_engine(url: str, database: str | None, options: dict[str, Any]) -> Engine:
    if database and database != ":memory:" and not database.startswith("file:"):
        from pathlib import Path

        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    options.setdefault("connect_args", {}).setdefault("timeout", 30)
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (the API returns them)."""
    return sessionmaker(engine, expire_on_commit=False)
