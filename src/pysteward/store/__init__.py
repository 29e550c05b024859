"""Storage for the operations server: SQLAlchemy 2 base, engines, sessions and Alembic migrations.

SQLite (WAL) in the data directory is the embedded default; PostgreSQL (`postgresql+psycopg://…`) is
for production. One code path serves both, and every storage test runs on both.

    OperationalError (pysteward.errors)
    └── StoreError                  the database cannot be opened or migrated
"""

from pysteward.store.base import Base, UTCDateTime, utcnow
from pysteward.store.bulk import insert_rows
from pysteward.store.engine import (
    StoreError,
    default_database_url,
    make_engine,
    make_session_factory,
    redact_url,
)
from pysteward.store.migrate import current_revision, head_revision, migrate

__all__ = [
    "Base",
    "StoreError",
    "UTCDateTime",
    "current_revision",
    "default_database_url",
    "head_revision",
    "insert_rows",
    "make_engine",
    "make_session_factory",
    "migrate",
    "redact_url",
    "utcnow",
]
