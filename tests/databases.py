"""Real databases for storage tests: every test that asks for `database_url` runs twice, on SQLite
and on PostgreSQL (STYLE 35), each isolated per test.

- SQLite: a fresh file per test, copied from one migrated template (migrating costs ~100 ms).
- PostgreSQL: one database per test session (`steward_test_<pid>`, on STEWARD_TEST_POSTGRES, default
  127.0.0.1:5432 as user postgres), migrated once; every table is truncated before each test.
  An unreachable server is an error, never a skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, text

from pysteward.server.models import metadata
from pysteward.store import make_engine, migrate

POSTGRES = os.environ.get("STEWARD_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
BACKENDS = ["sqlite", "postgresql"]


def _admin_dsn() -> str:
    return POSTGRES.replace("postgresql+psycopg://", "postgresql://") + "/postgres"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "steward.sqlite3"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate(url, engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    name = f"steward_test_{os.getpid()}"
    try:
        admin = psycopg.connect(_admin_dsn(), autocommit=True)
    except psycopg.OperationalError as e:
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES} (set STEWARD_TEST_POSTGRES): {e}")
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{POSTGRES}/{name}"
    migrate(url)
    yield url
    with psycopg.connect(_admin_dsn(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def truncate_all(engine: Engine) -> None:
    """Empty every Steward table (not alembic_version), restarting identities."""
    tables = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database of each kind, for this test alone."""
    if request.param == "sqlite":
        path = tmp_path / "steward.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    engine = make_engine(url)
    truncate_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on this test's database, disposed afterwards."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()
