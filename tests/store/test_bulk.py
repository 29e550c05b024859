"""Multi-row inserts on the two supported databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import Engine, func, select

from pysteward.server.tenancy.models import Client
from pysteward.store import insert_rows, make_session_factory


def test_insert_rows_writes_every_row_in_chunks_through_the_column_types(engine: Engine) -> None:
    paris = timezone(timedelta(hours=1))
    rows = [
        {"name": f"client {n:04d}", "created_at": datetime(2026, 3, 1, 13, n % 60, tzinfo=paris)}
        for n in range(2345)  # three chunks, the last one short
    ]
    with make_session_factory(engine)() as session:
        assert insert_rows(session, Client, rows) == 2345
        session.commit()
    with make_session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Client)) == 2345
        last = session.execute(select(Client.name, Client.created_at).order_by(Client.name.desc())).first()
        assert last is not None
        # Through UTCDateTime like any insert: stored and read back in UTC.
        assert tuple(last) == ("client 2344", datetime(2026, 3, 1, 12, 2344 % 60, tzinfo=UTC))


def test_insert_rows_with_no_rows_does_nothing(engine: Engine) -> None:
    with make_session_factory(engine)() as session:
        assert insert_rows(session, Client, []) == 0
        session.commit()
        assert session.scalar(select(func.count()).select_from(Client)) == 0
