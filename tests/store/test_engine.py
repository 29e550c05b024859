"""Engines, UTC times and migration failures on the two supported databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.exc import StatementError

from pysteward.server.tenancy.models import Client
from pysteward.store import (
    StoreError,
    default_database_url,
    make_engine,
    make_session_factory,
    migrate,
    redact_url,
)
from pysteward.store.engine import first_line


def test_times_come_back_aware_in_utc_whatever_zone_they_were_stored_in(engine: Engine) -> None:
    paris = timezone(timedelta(hours=1))
    with make_session_factory(engine)() as session:
        session.add(Client(name="acme", created_at=datetime(2026, 3, 1, 13, 30, tzinfo=paris)))
        session.commit()
    with make_session_factory(engine)() as session:
        stored = session.scalars(select(Client.created_at)).one()
    assert stored == datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    assert stored.tzinfo is UTC


def test_a_naive_time_is_refused(engine: Engine) -> None:
    with make_session_factory(engine)() as session:
        session.add(Client(name="acme", created_at=datetime(2026, 3, 1, 12, 30)))
        with pytest.raises(StatementError, match="naive datetime 2026-03-01T12:30:00"):
            session.commit()


def test_sqlite_files_use_wal_and_enforce_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'steward.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
    assert (tmp_path / "nested").is_dir()


def test_an_in_memory_sqlite_database_needs_no_directory() -> None:
    engine = make_engine("sqlite://")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1
    engine.dispose()


def test_the_default_database_lives_in_the_data_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("STEWARD_DATA_DIR", str(tmp_path))
    assert default_database_url() == f"sqlite:///{tmp_path / 'steward.sqlite3'}"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "database URL 'not a url' is not a URL SQLAlchemy can read"),
        ("nosuchdb://x/y", "nosuchdb://x/y: Can't load plugin"),
    ],
)
def test_an_unusable_url_is_a_store_error(url: str, message: str) -> None:
    with pytest.raises(StoreError) as caught:
        make_engine(url)
    assert str(caught.value).startswith(message)


def test_passwords_are_hidden_in_messages() -> None:
    assert redact_url("postgresql+psycopg://steward:s3cret@db.example.invalid/steward") == (
        "postgresql+psycopg://steward:***@db.example.invalid/steward"
    )
    assert redact_url("::") == "<unparseable database URL>"


def test_a_database_that_cannot_be_reached_fails_migration_in_one_line() -> None:
    url = "postgresql+psycopg://postgres:pw@127.0.0.1:9/steward"
    with pytest.raises(StoreError) as caught:
        migrate(url)
    message = str(caught.value)
    assert message.startswith(
        "postgresql+psycopg://postgres:***@127.0.0.1:9/steward: cannot migrate the database: "
    )
    assert "\n" not in message
    assert "pw" not in message


def test_first_line_keeps_the_drivers_first_line_or_the_class_name() -> None:
    from sqlalchemy.exc import OperationalError, SQLAlchemyError

    wrapped = OperationalError("SELECT 1", {}, Exception("connection refused\nIs the server running?"))
    assert first_line(wrapped) == "connection refused"
    assert first_line(OperationalError("SELECT 1", {}, Exception(""))) == "OperationalError"
    assert first_line(SQLAlchemyError("  ")) == "SQLAlchemyError"


def test_missing_times_stay_missing_and_now_is_aware(engine: Engine) -> None:
    from pysteward.server.tenancy.models import ApiToken, Role, User
    from pysteward.store import utcnow

    assert utcnow().tzinfo is UTC
    with make_session_factory(engine)() as session:
        user = User(email="a@example.invalid", password_hash="x", role=Role.ADMIN, client_id=None)
        session.add(user)
        session.flush()
        session.add(ApiToken(user_id=user.id, name="t", prefix="stw_", token_hash="h", role=Role.ADMIN))
        session.commit()
    with make_session_factory(engine)() as session:
        token = session.scalars(select(ApiToken)).one()
        assert token.expires_at is None
        assert token.created_at.tzinfo is UTC
