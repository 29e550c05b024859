"""Closing periods and burn-rate alerts, as scheduled functions of a frozen `now`, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pysteward.server.incidents import service as incidents
from pysteward.server.incidents.models import Incident, IncidentEvent, IncidentSource
from pysteward.server.monitors.models import State, StateInterval
from pysteward.server.slas import figures, tasks
from pysteward.server.slas import service as slas
from pysteward.server.slas.models import BurnAlert, PeriodFigure, Priority, UnknownAs, WindowKind
from pysteward.server.slas.periods import parse_period
from pysteward.server.slas.schemas import PolicyCreate, SlaUpdate
from tests.server.slas.matrix import add_monitor, add_service, add_sla, staff

UP, DOWN, UNKNOWN = State.UP, State.DOWN, State.UNKNOWN


def t(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PeriodFigure)) or 0


# Closing periods ----------------------------------------------------------------------------------


def test_close_periods_stores_each_ended_period_once(sessions, personas):
    with sessions() as session:
        shop, cart = add_service(session, personas.acme), add_service(session, personas.acme)
        add_monitor(
            session,
            shop.id,
            [(UP, t(8, 1), t(9, 10)), (DOWN, t(9, 10), t(9, 10, 1)), (UP, t(9, 10, 1), None)],
        )
        add_sla(session, personas, client_id=personas.acme, starts_at=t(8, 15))
        now = t(11, 15)
        assert tasks.close_periods(session, now=now) == 2 * 3  # August (from the 15th), September, October
        assert tasks.close_periods(session, now=now) == 0
        assert _count(session) == 6
        september = session.scalars(
            select(PeriodFigure).where(
                PeriodFigure.service_id == shop.id, PeriodFigure.period_start == t(9, 1)
            )
        ).one()
        assert (september.period_end, september.figures["down_seconds"]) == (t(10, 1), 3600)
        # A new service of the client gets its own figures; the existing ones stay.
        add_service(session, personas.acme)
        assert tasks.close_periods(session, now=now) == 3
        assert cart.id != shop.id


def test_an_sla_not_started_yet_closes_nothing(sessions, personas):
    with sessions() as session:
        add_sla(session, personas, client_id=personas.acme, starts_at=t(12, 1))
        assert tasks.close_periods(session, now=t(11, 15)) == 0


def test_a_closed_period_keeps_its_policy_after_the_policy_changes(sessions, personas):
    with sessions() as session:
        shop = add_service(session, personas.acme)
        spans = [(UP, t(9, 1), t(9, 5)), (UNKNOWN, t(9, 5), t(9, 5, 2)), (UP, t(9, 5, 2), t(10, 5)),
                 (UNKNOWN, t(10, 5), t(10, 5, 2)), (UP, t(10, 5, 2), None)]  # fmt: skip
        add_monitor(session, shop.id, spans)
        sla = add_sla(
            session, personas, client_id=personas.acme, service_id=shop.id, starts_at=t(9, 1), now=t(9, 1)
        )
        assert tasks.close_periods(session, now=t(10, 2)) == 1  # September, with version 1 (unknown excluded)
        slas.change_policy(
            session,
            principal=staff(personas),
            sla_id=sla.id,
            data=PolicyCreate(unknown_as=UnknownAs.DOWN),
            now=t(10, 20),
        )
        september = parse_period(WindowKind.MONTH, "2026-09", "UTC", anchor=sla.starts_at, now=t(11, 15))
        october = parse_period(WindowKind.MONTH, "2026-10", "UTC", anchor=sla.starts_at, now=t(11, 15))
        sep_figure, oct_figure = (
            f[0]
            for f in figures.figures_for_periods(
                session, sla=sla, periods=[september, october], now=t(11, 15)
            )
        )
        assert (sep_figure.stored, sep_figure.policy_version, sep_figure.availability.down_seconds) == (
            True,
            1,
            0,
        )
        assert sep_figure.availability.unknown_seconds == 7200
        assert (
            sep_figure.policy_description
            == slas.policy_public(slas.policy_for(session, sla, t(9, 30))).description
        )
        # October was not stored: it is counted with the version in effect at its end (version 2).
        assert (oct_figure.stored, oct_figure.policy_version, oct_figure.availability.down_seconds) == (
            False,
            2,
            7200,
        )
        assert tasks.close_periods(session, now=t(11, 15)) == 1
        stored_october = session.scalars(
            select(PeriodFigure).where(PeriodFigure.period_start == t(10, 1))
        ).one()
        assert stored_october.figures["down_seconds"] == 7200
        # Stored figures come back exactly as they were computed.
        again = figures.sla_figures(session, sla=sla, period=october, now=t(11, 16))[0]
        assert again.stored
        assert again.availability == oct_figure.availability


def test_two_workers_closing_the_same_period_store_it_once(sessions, personas):
    with sessions() as first, sessions() as second:
        shop = add_service(first, personas.acme)
        add_monitor(first, shop.id, [(UP, t(9, 1), None)])
        sla = add_sla(first, personas, client_id=personas.acme, service_id=shop.id, starts_at=t(9, 1))
        september = parse_period(WindowKind.MONTH, "2026-09", "UTC", anchor=sla.starts_at, now=t(10, 2))
        # The second worker computed September before the first one stored it.
        late = figures.sla_figures(
            second, sla=second.get_one(type(sla), sla.id), period=september, now=t(10, 2)
        )
        assert tasks.close_periods(first, now=t(10, 2)) == 1
        assert tasks._store(second, second.get_one(type(sla), sla.id), september, late, t(10, 2)) == 0
        assert _count(first) == 1


def test_a_race_on_one_of_several_figures_keeps_the_others(sessions, personas, monkeypatch):
    with sessions() as session, sessions() as other:
        a, b = add_service(session, personas.acme), add_service(session, personas.acme)
        sla = add_sla(session, personas, client_id=personas.acme, starts_at=t(9, 1))
        september = parse_period(WindowKind.MONTH, "2026-09", "UTC", anchor=sla.starts_at, now=t(10, 2))
        computed = figures.sla_figures(session, sla=sla, period=september, now=t(10, 2))
        assert [f.service_id for f in computed] == [a.id, b.id]
        # Another worker stored only the first service's figure meanwhile.
        tasks._store(other, other.get_one(type(sla), sla.id), september, computed[:1], t(10, 2))
        assert tasks._store(session, sla, september, computed, t(10, 2)) == 1
        assert _count(session) == 2
        with pytest.raises(IntegrityError):  # the constraint the race relies on
            other.add(PeriodFigure(sla_id=sla.id, service_id=a.id, period_start=t(9, 1), period_end=t(10, 1),
                                   policy_id=computed[0].policy_id, figures={}))  # fmt: skip
            other.commit()


# Burn-rate alerts ---------------------------------------------------------------------------------


def _incidents(session: Session) -> list[Incident]:
    return list(session.scalars(select(Incident).order_by(Incident.id)))


def test_a_total_outage_fires_the_fast_page_alert_and_recovery_clears_it(sessions, personas):
    with sessions() as session:
        shop = add_service(session, personas.acme, "shop")
        monitor = add_monitor(session, shop.id, [(UP, t(9, 1), t(11, 10, 11)), (DOWN, t(11, 10, 11), None)])
        add_monitor(session, shop.id, [])  # a monitor with no intervals changes nothing
        sla = add_sla(session, personas, client_id=personas.acme, service_id=shop.id, starts_at=t(9, 1))
        assert tasks.evaluate_burn_alerts(session, now=t(11, 10, 10, 59)) == 0
        fired_at = t(11, 10, 12)  # after an hour of total outage
        assert tasks.evaluate_burn_alerts(session, now=fired_at) == 3
        alerts = {a.rule: a for a in session.scalars(select(BurnAlert))}
        assert sorted(alerts) == ["page-1h", "page-6h", "ticket-3d"]
        page = alerts["page-1h"]
        assert (page.severity, page.fired_at, page.service_id, page.cleared_at) == (
            "page",
            fired_at,
            shop.id,
            None,
        )
        assert page.factor == pytest.approx(14.4)
        assert page.long_burn == pytest.approx(1000)  # all down: 100 % of the time ÷ 0.1 % allowed
        incident = session.get_one(Incident, page.incident_id)
        assert (incident.priority, incident.source, incident.sla_id) == (
            Priority.P2,
            IncidentSource.BURN_RATE,
            sla.id,
        )
        assert incident.title == "Error budget burning 1000.0× (page-1h) on shop"
        # One outage, one incident: the slower rules firing in the same tick join its timeline.
        assert {a.incident_id for a in alerts.values()} == {incident.id}
        assert len(_incidents(session)) == 1
        joined = session.scalars(
            select(IncidentEvent.message).where(
                IncidentEvent.incident_id == incident.id, IncidentEvent.kind == "burn_alert"
            )
        ).all()
        assert sorted(message.split(") on shop")[0].split("(")[-1] for message in joined) == [
            "page-6h",
            "ticket-3d",
        ]
        # Still burning: nothing new.
        assert tasks.evaluate_burn_alerts(session, now=fired_at + timedelta(minutes=1)) == 0
        # Recovery at 12:05: two hours later the short windows are clean, so the page alerts clear,
        # while three days still burn faster than sustainable: the ticket stays open.
        interval = session.scalars(select(StateInterval).where(StateInterval.ended_at.is_(None))).one()
        interval.ended_at = t(11, 10, 12, 5)
        session.add(
            StateInterval(monitor_id=monitor.id, state=UP, started_at=t(11, 10, 12, 5), ended_at=None)
        )
        session.commit()
        cleared_at = t(11, 10, 14)
        assert tasks.evaluate_burn_alerts(session, now=cleared_at) == 2
        for alert in alerts.values():
            session.refresh(alert)
        assert {rule: a.cleared_at for rule, a in alerts.items()} == {
            "page-1h": cleared_at,
            "page-6h": cleared_at,
            "ticket-3d": None,
        }


def test_an_alert_on_a_service_with_an_open_incident_joins_it_instead_of_opening_another(sessions, personas):
    with sessions() as session:
        shop = add_service(session, personas.acme, "shop")
        add_monitor(session, shop.id, [(UP, t(9, 1), t(11, 10, 11)), (DOWN, t(11, 10, 11), None)])
        add_sla(session, personas, client_id=personas.acme, service_id=shop.id, starts_at=t(9, 1))
        outage = incidents.open_incident(
            session,
            client_id=personas.acme,
            service_id=shop.id,
            priority=Priority.P3,
            title="shop is down",
            source=IncidentSource.MONITOR,
            now=t(11, 10, 11),
        )
        session.commit()
        assert tasks.evaluate_burn_alerts(session, now=t(11, 10, 12)) == 3
        assert {a.incident_id for a in session.scalars(select(BurnAlert))} == {outage.id}
        assert [i.id for i in _incidents(session)] == [outage.id]
        assert outage.priority == Priority.P3  # the alert is told, the priority stays the engineer's


def test_an_sla_without_page_priority_only_records_the_alert(sessions, personas):
    with sessions() as session:
        shop = add_service(session, personas.acme)
        add_monitor(session, shop.id, [(UP, t(9, 1), t(11, 10, 11)), (DOWN, t(11, 10, 11), None)])
        sla = add_sla(session, personas, client_id=personas.acme, service_id=shop.id, starts_at=t(9, 1))
        slas.update_sla(
            session,
            principal=staff(personas),
            sla_id=sla.id,
            data=SlaUpdate.model_validate({"page_priority": None, "ticket_priority": None}),
        )
        assert tasks.evaluate_burn_alerts(session, now=t(11, 10, 12)) >= 1
        alerts = session.scalars(select(BurnAlert)).all()
        assert alerts
        assert all(a.incident_id is None for a in alerts)
        assert _incidents(session) == []


def test_an_sla_covering_no_service_evaluates_nothing(sessions, personas):
    with sessions() as session:
        add_sla(session, personas, client_id=personas.globex)
        assert tasks.evaluate_burn_alerts(session, now=t(11, 10)) == 0
        assert tasks.close_periods(session, now=t(11, 10)) == 0
