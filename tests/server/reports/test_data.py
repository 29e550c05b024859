"""Gathering a report's data (`reports.data.gather`) from a known November, with a frozen clock, on both
databases. No PDF is rendered here."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.incidents.models import TimerState
from pysteward.server.reports.data import (
    MaintenanceLine,
    ReportData,
    budget_left,
    gather,
    key_figures,
    last_closed_period,
    parse_report_period,
)
from pysteward.server.reports.models import ReportKind
from pysteward.server.slas.periods import PeriodError
from pysteward.server.slas.tasks import close_periods
from pysteward.server.tenancy.models import Client
from tests.server.conftest import Personas
from tests.server.reports.world import NOVEMBER, NOW, OCTOBER, ReportWorld, at, make_report_world


@pytest.fixture
def world(sessions: sessionmaker[Session], personas: Personas) -> ReportWorld:
    with sessions() as session:
        return make_report_world(session, personas)


def _gather(sessions: sessionmaker[Session], world: ReportWorld, **changes: object) -> ReportData:
    with sessions() as session:
        client = session.get_one(Client, world.client_id)
        values = {"kind": ReportKind.MONTHLY, "period": NOVEMBER, "now": NOW} | changes
        return gather(session, client=client, **values)  # type: ignore[arg-type]


def test_periods_are_cut_in_the_clients_time_zone() -> None:
    assert parse_report_period(ReportKind.MONTHLY, "2026-11", "Europe/Paris", now=NOW) == NOVEMBER
    assert last_closed_period(ReportKind.MONTHLY, "Europe/Paris", NOW) == NOVEMBER
    week = last_closed_period(ReportKind.WEEKLY, "UTC", NOW)  # NOW is Saturday 5 December
    assert (week.label, week.start, week.end) == ("2026-W48", at(11, 23), at(11, 30))
    with pytest.raises(PeriodError, match=r"^period: '2026-W47' is not a month"):
        parse_report_period(ReportKind.MONTHLY, "2026-W47", "UTC", now=NOW)


def test_a_figure_stands_against_its_target_with_the_policy_version_and_formula(sessions, world):
    data = _gather(sessions, world)
    gold, silver = data.sections
    assert (gold.target, gold.window.value, gold.own_window) == (Decimal("99.9"), "month", True)
    [shop] = gold.services
    figure = shop.figure.availability
    # 30 days; 1 h of maintenance (with 10 min of DOWN in it) and 2 h unknown are excluded.
    assert (figure.down_seconds, figure.maintenance_seconds, figure.unknown_seconds) == (1800, 3600, 7200)
    assert (figure.percent, figure.met) == (Decimal("99.930"), True)
    assert shop.figure.budget.remaining_percent == Decimal("30.2")  # 781.2 s of 2581.2 s left
    assert (shop.figure.policy_version, shop.figure.stored) == (1, False)
    [policy] = gold.policies
    assert policy.version == 1
    assert policy.formula.startswith("availability = up ÷ (up + down) × 100, rounded down to 3 decimals")
    assert "unknown time (no data) is excluded" in policy.description
    # The trend: October had only up time since monitoring began.
    assert shop.previous is not None and shop.previous.availability.percent == Decimal("100.000")
    assert shop.delta == Decimal("-0.070")
    assert data.previous == OCTOBER
    # A weekly SLA in a monthly report: measured live over the report's month, against its own target.
    [api] = silver.services
    assert (silver.own_window, api.label) == (False, "api")
    assert (api.figure.availability.start, api.figure.availability.end) == (NOVEMBER.start, NOVEMBER.end)
    assert (api.figure.availability.percent, api.figure.availability.target) == (
        Decimal("100.000"),
        Decimal("99.5"),
    )
    assert data.uncovered == ("batch (staging)",)


def test_a_closed_period_reads_the_figures_stored_when_it_closed(sessions, world):
    with sessions() as session:
        assert close_periods(session, now=NOW) > 0
    data = _gather(sessions, world)
    [shop] = data.sections[0].services
    assert (shop.figure.stored, shop.figure.availability.percent) == (True, Decimal("99.930"))
    [api] = data.sections[1].services
    assert api.figure.stored is False  # a weekly SLA's stored weeks say nothing about the month


def test_downtime_lists_each_outage_with_its_cause_and_leaves_maintenance_out(sessions, world):
    data = _gather(sessions, world)
    assert key_figures(data) == {
        "services meeting their target": "2 of 2",
        "lowest availability": "99.930 % (shop)",
        "downtime": "30 min",
        "incidents opened": "2",
        "breaches": "1",
        "open critical vulnerabilities": "1",
    }
    [outage] = data.outages
    assert (outage.label, outage.start, outage.end, outage.seconds) == (
        "shop",
        at(11, 10, 10),
        at(11, 10, 10, 30),
        1800,
    )
    assert outage.causes == ("https: HTTP 503 Service Unavailable",)
    assert data.sections[0].maintenance == (
        MaintenanceLine("Database upgrade", at(11, 15, 2), at(11, 15, 3)),
    )
    left = budget_left(data.sections[0].services[0].figure)
    spent = 100 * (2581.2 - 1800) / 2581.2
    assert [point[0] for point in left] == [NOVEMBER.start, at(11, 10, 10), at(11, 10, 10, 30), NOVEMBER.end]
    assert [round(point[1], 3) for point in left] == [100.0, 100.0, round(spent, 3), round(spent, 3)]


def test_incidents_show_their_times_against_targets_pauses_and_breaches(sessions, world):
    part = _gather(sessions, world).incidents
    a, b = part.incidents
    assert [a.id, b.id] == list(world.incidents[:2])  # October's is only counted for the trend
    assert (a.response_seconds, a.response_target, a.response_state) == (
        300,
        "15 minutes (24x7)",
        TimerState.MET,
    )
    assert (a.resolution_seconds, a.resolution_target, a.resolution_state) == (
        3600,
        "4 hours (24x7)",
        TimerState.MET,
    )
    assert (a.pauses, a.breaches, a.service) == (0, (), "shop")
    assert (b.response_seconds, b.response_state, b.breaches) == (5460, TimerState.MISSED, ("response",))
    assert (b.pauses, b.paused_seconds, b.resolution_state) == (1, 3600, TimerState.MET)
    [breach] = part.breaches
    assert (breach.incident_id, breach.target, breach.due_at) == (b.id, "response", at(11, 12, 10))
    # October's incident was resolved a day late without an acknowledgement: its response missed too.
    assert (part.opened, part.previous_opened, part.previous_breaches) == (2, 1, 1)


def test_assessment_reads_the_latest_succeeded_run_before_each_periods_end(sessions, world):
    data = _gather(sessions, world)
    api, shop = data.assessments  # by name
    assert shop.current is not None and shop.previous is not None
    assert (shop.current.started_at, shop.current.critical, shop.current.eol_runtimes) == (at(11, 20), 1, ())
    assert (shop.previous.critical, shop.previous.eol_runtimes) == (2, ("3.8 (end of life 2024-10-07)",))
    assert (shop.delta("critical"), shop.delta("eol"), shop.delta("license_issues")) == (-1, -1, 0)
    assert (shop.notable, api.notable, api.previous, api.delta("critical")) == (True, False, None, None)


def test_a_running_period_is_measured_until_now(sessions, world):
    december = parse_report_period(ReportKind.MONTHLY, "current", "Europe/Paris", now=NOW)
    data = _gather(sessions, world, period=december)
    assert (data.complete, data.measured_until, data.previous) == (False, NOW, NOVEMBER)
    [shop] = data.sections[0].services
    assert shop.figure.availability.end == NOW
    assert shop.figure.budget.allowed_seconds == pytest.approx(0.001 * 31 * 86400)  # the whole month's
    assert data.incidents.incidents == () and data.outages == ()
    assert data.assessments[1].current is not None and data.assessments[1].current.started_at == at(12, 3)
    assert december.end - december.start == timedelta(days=31)
