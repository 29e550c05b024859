"""The scheduled step (`reports.tasks.generate_due_reports`): each cadence's last closed period, once."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.errors import ApiError
from pysteward.server.reports import tasks
from pysteward.server.reports.data import parse_report_period
from pysteward.server.reports.models import Report, ReportKind
from pysteward.server.reports.service import generate_report
from pysteward.server.tenancy.models import Client
from tests.server.conftest import Personas
from tests.server.reports.world import NOVEMBER, NOW, ReportWorld, at, fake_pdf, make_report_world


@pytest.fixture
def world(
    sessions: sessionmaker[Session], personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> ReportWorld:
    fake_pdf(monkeypatch)
    with sessions() as session:
        made = make_report_world(session, personas)
        session.get_one(Client, made.client_id).report_cadences = ["monthly", "weekly", "daily", 5]  # type: ignore[list-item]
        session.get_one(Client, personas.globex).created_at = NOW - timedelta(days=1)  # after November
        session.commit()
    return made


def _archived(session: Session) -> list[tuple[int, str, str, int, int | None]]:
    rows = session.scalars(select(Report).order_by(Report.id))
    return [(r.client_id, r.kind.value, r.period_start.isoformat(), r.version, r.created_by) for r in rows]


def test_each_cadence_gets_its_last_closed_period_once_however_often_the_step_runs(sessions, world):
    week = parse_report_period(ReportKind.WEEKLY, "2026-W48", "Europe/Paris", now=NOW)
    with sessions() as session:
        due = list(tasks.due_reports(session, now=NOW))
        assert due == [
            (world.client_id, ReportKind.MONTHLY, NOVEMBER),
            (world.client_id, ReportKind.WEEKLY, week),
        ]
        assert (
            tasks.generate_due_reports(session, now=NOW, limit=1) == 1
        )  # one per call at most: the next goes on
        assert tasks.generate_due_reports(session, now=NOW) == 1
        assert tasks.generate_due_reports(session, now=NOW) == 0
        assert tasks.generate_due_reports(session, now=NOW + timedelta(hours=1)) == 0
        assert _archived(session) == [
            (world.client_id, "monthly", NOVEMBER.start.isoformat(), 1, None),
            (world.client_id, "weekly", week.start.isoformat(), 1, None),
        ]


def test_a_report_made_while_its_period_ran_does_not_stand_for_the_closed_period(sessions, world):
    december = parse_report_period(ReportKind.MONTHLY, "current", "Europe/Paris", now=NOW)
    with sessions() as session:
        session.get_one(Client, world.client_id).report_cadences = ["monthly"]
        session.commit()
        generate_report(
            session, client_id=world.client_id, kind=ReportKind.MONTHLY, period=december, now=NOW, actor_id=1
        )
        january = at(12, 31) + timedelta(days=2)
        mine = [due for due in tasks.due_reports(session, now=january) if due[0] == world.client_id]
        assert mine == [(world.client_id, ReportKind.MONTHLY, december)]
        assert tasks.generate_due_reports(session, now=january) == 2  # Globex's December too
        ours = [row for row in _archived(session) if row[0] == world.client_id]
        assert [(row[3], row[4]) for row in ours] == [(1, 1), (2, None)]  # the closed month is version 2
        assert list(tasks.due_reports(session, now=january)) == []


def test_a_client_whose_time_zone_is_unknown_is_skipped_and_the_others_go_on(sessions, world, caplog):
    with sessions() as session:
        session.get_one(Client, world.client_id).report_cadences = ["monthly"]
        acme_too = session.get_one(Client, world.client_id)
        globex = session.scalars(select(Client).where(Client.id != acme_too.id)).first()
        assert globex is not None
        globex.report_timezone, globex.created_at = "Mars/Olympus_Mons", NOVEMBER.start
        session.commit()
        with caplog.at_level(logging.WARNING, logger="pysteward.reports"):
            assert tasks.generate_due_reports(session, now=NOW) == 1
    assert "unknown time zone 'Mars/Olympus_Mons'" in caplog.text


def test_a_report_another_worker_stored_first_is_left_to_it(sessions, world, monkeypatch, caplog):
    def raced(*_args: object, **_kwargs: object) -> Report:
        raise ApiError(409, "version 1 of this report was just stored by another request; generate it again")

    monkeypatch.setattr(tasks, "generate_report", raced)
    with sessions() as session, caplog.at_level(logging.INFO, logger="pysteward.reports"):
        assert tasks.generate_due_reports(session, now=NOW) == 0
    assert "scheduled report skipped: version 1 of this report was just stored" in caplog.text
