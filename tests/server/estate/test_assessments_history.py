"""Reading assessment history: the previous run, and the latest run per service in one query
(what the estate overview and the reports read), on stored rows (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.estate import assessments
from pysteward.server.estate.models import AssessmentRun, AssessmentStatus, Service
from tests.server.conftest import Personas

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
SUCCEEDED, FAILED = AssessmentStatus.SUCCEEDED, AssessmentStatus.FAILED


def add_service(session: Session, client_id: int, name: str) -> int:
    service = Service(client_id=client_id, name=name, repository_paths=["/srv/app"])
    session.add(service)
    session.commit()
    return service.id


def add_run(
    session: Session, service_id: int, hours: float, status: AssessmentStatus = SUCCEEDED
) -> AssessmentRun:
    run = AssessmentRun(
        service_id=service_id,
        repository_path="/srv/app",
        status=status,
        started_at=T0 + timedelta(hours=hours),
        summary={"findings": int(hours)} if status is SUCCEEDED else {},
        findings=[],
    )
    session.add(run)
    session.commit()
    return run


@contextmanager
def counted(session: Session) -> Iterator[list[Any]]:
    statements: list[Any] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_latest_succeeded_run_of_each_service_comes_in_one_query(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        shop = add_service(session, personas.acme, "shop")
        etl = add_service(session, personas.globex, "etl")
        never = add_service(session, personas.acme, "never")
        add_run(session, shop, 1)
        shop_latest = add_run(session, shop, 5)
        add_run(session, shop, 6, FAILED)
        etl_latest = add_run(session, etl, 2)
        session.expunge_all()
        with counted(session) as statements:
            latest = assessments.latest_runs(session, {shop, etl, never})
            assert {k: v.id for k, v in latest.items()} == {shop: shop_latest.id, etl: etl_latest.id}
            assert latest[shop].summary == {"findings": 5}
        assert len(statements) == 1


def test_latest_runs_before_a_time_ignore_later_runs(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        shop = add_service(session, personas.acme, "shop")
        early = add_run(session, shop, 1)
        add_run(session, shop, 3)
        before = T0 + timedelta(hours=3)  # a run starting exactly then is not before it
        assert assessments.latest_runs(session, [shop], before=before)[shop].id == early.id
        assert assessments.latest_runs(session, [shop], before=T0) == {}
        assert assessments.latest_runs(session, []) == {}


def test_the_previous_run_is_the_latest_earlier_succeeded_one(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        shop = add_service(session, personas.acme, "shop")
        other = add_service(session, personas.acme, "other")
        first = add_run(session, shop, 1)
        add_run(session, shop, 2, FAILED)
        add_run(session, other, 2.5)
        same_time = add_run(session, shop, 3)
        current = add_run(session, shop, 3)
        assert assessments.previous_run(session, first) is None
        assert assessments.previous_run(session, same_time) == first
        assert assessments.previous_run(session, current) == same_time  # same start: the lower id
