"""Bulk inserts on the two supported databases: what an ORM insert would have stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import Engine, func, select

from pysteward.server.estate.models import Service
from pysteward.server.tenancy.models import Client, Role, User
from pysteward.store import insert_rows, make_session_factory


def test_insert_rows_stores_what_an_orm_insert_would(engine: Engine) -> None:
    paris = timezone(timedelta(hours=1))
    with make_session_factory(engine)() as session:
        session.add(Client(name="acme", created_at=datetime(2026, 3, 1, tzinfo=UTC)))
        session.flush()
        client_id = session.scalars(select(Client.id)).one()
        rows = [
            {
                "email": f"user{n}@example.invalid",
                "password_hash": "x",
                "role": Role.VIEWER if n % 2 else Role.ENGINEER,  # an enum column, stored by value
                "client_id": client_id if n % 2 else None,
                "active": True,
                "created_at": datetime(2026, 3, 1, 13, n % 60, tzinfo=paris),
            }
            for n in range(1500)
        ]
        assert insert_rows(session, User, rows) == 1500
        session.commit()
    with make_session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1500
        last = session.scalars(select(User).where(User.email == "user1499@example.invalid")).one()
        assert (last.role, last.client_id, last.active) == (Role.VIEWER, client_id, True)
        assert last.created_at == datetime(2026, 3, 1, 12, 1499 % 60, tzinfo=UTC)  # read back in UTC
        assert session.scalar(select(func.count()).where(User.role == Role.ENGINEER)) == 750


def test_insert_rows_stores_json_columns_as_json(engine: Engine) -> None:
    with make_session_factory(engine)() as session:
        session.add(Client(name="acme", created_at=datetime(2026, 3, 1, tzinfo=UTC)))
        session.flush()
        client_id = session.scalars(select(Client.id)).one()
        row = {
            "client_id": client_id,
            "name": "shop",
            "environment": "production",
            "owners": ["web@acme.invalid", "ops@acme.invalid"],
            "repository_paths": [],
            "tags": ["web"],
            "created_at": datetime(2026, 3, 1, tzinfo=UTC),
        }
        insert_rows(session, Service, [row])
        session.commit()
    with make_session_factory(engine)() as session:
        stored = session.scalars(select(Service)).one()
        assert (stored.owners, stored.repository_paths, stored.tags) == (
            ["web@acme.invalid", "ops@acme.invalid"],
            [],
            ["web"],
        )


def test_insert_rows_in_a_transaction_rolled_back_leaves_nothing(engine: Engine) -> None:
    with make_session_factory(engine)() as session:
        row = {"name": "acme", "created_at": datetime(2026, 3, 1, tzinfo=UTC)}
        assert insert_rows(session, Client, [row]) == 1
        assert insert_rows(session, Client, []) == 0
        session.rollback()
        assert session.scalar(select(func.count()).select_from(Client)) == 0
