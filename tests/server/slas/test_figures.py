"""Availability figures from real state intervals, on both databases, with a frozen clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from pysteward.server.errors import ApiError
from pysteward.server.monitors.models import State
from pysteward.server.slas import figures
from pysteward.server.slas import service as slas
from pysteward.server.slas.accounting import epoch_micros
from pysteward.server.slas.models import Combine, MaintenanceKind, Sla, UnknownAs, WindowKind
from pysteward.server.slas.periods import Period, parse_period
from pysteward.server.slas.schemas import MaintenanceCreate, PolicyCreate
from tests.server.slas.matrix import NOW, add_monitor, add_service, add_sla, staff, viewer

UP, DOWN, UNKNOWN = State.UP, State.DOWN, State.UNKNOWN
START = datetime(2026, 1, 1, tzinfo=UTC)


def t(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _month(label: str, sla: Sla) -> Period:
    return parse_period(WindowKind.MONTH, label, "UTC", anchor=sla.starts_at, now=NOW)


def test_load_timelines_groups_per_service_and_monitor_within_the_window(sessions, personas):
    with sessions() as session:
        shop, empty = add_service(session, personas.acme), add_service(session, personas.acme)
        odd = t(2, 1) + timedelta(microseconds=123_457)  # stored and read back to the microsecond
        first = add_monitor(session, shop.id, [(UP, t(1, 1), odd), (DOWN, odd, t(2, 2)), (UP, t(2, 2), None)])
        second = add_monitor(session, shop.id, [(UP, t(1, 1), t(1, 15))])
        loaded = figures.load_timelines(
            session, service_ids=[shop.id, empty.id], start=t(1, 20), end=t(2, 1, 12)
        )
        assert loaded[empty.id] == []
        assert len(loaded[shop.id]) == 1  # the second monitor has nothing in the window
        spans = loaded[shop.id][0]
        assert spans == [  # as stored: microseconds since the UTC epoch
            (epoch_micros(t(1, 1)), epoch_micros(odd), UP),
            (epoch_micros(odd), epoch_micros(t(2, 2)), DOWN),
        ]
        assert epoch_micros(odd) % 1_000_000 == 123_457
        everything = figures.load_timelines(session, service_ids=[shop.id], start=t(1, 1), end=t(12, 1))
        assert [len(m) for m in everything[shop.id]] == [3, 1]
        assert first.id < second.id


def test_an_outage_across_a_month_boundary_is_split_between_the_months(sessions, personas):
    with sessions() as session:
        shop = add_service(session, personas.acme, "shop")
        spans = [(UP, t(9, 1), t(10, 31, 23, 30)), (DOWN, t(10, 31, 23, 30), t(11, 1, 0, 45)),
                 (UP, t(11, 1, 0, 45), None)]  # fmt: skip
        add_monitor(session, shop.id, spans)
        sla = add_sla(session, personas, client_id=personas.acme, service_id=shop.id)
        october, november = _month("2026-10", sla), _month("2026-11", sla)
        (oct_figure,), (nov_figure,) = figures.figures_for_periods(
            session, sla=sla, periods=[october, november], now=NOW
        )
        assert (oct_figure.service_name, oct_figure.stored) == ("shop", False)
        assert oct_figure.availability.down_seconds == 1800
        assert nov_figure.availability.down_seconds == 2700
        assert nov_figure.availability.end == NOW  # the current period is measured up to now
        assert oct_figure.availability.met is True
        assert oct_figure.availability.percent == Decimal("99.932")  # 1 - 1,800 / 2,678,400, rounded down
        # The budget counts over the whole period, even while it is still running.
        assert nov_figure.budget.allowed_seconds == pytest.approx(30 * 86400 * 0.001)
        assert nov_figure.budget.used_seconds == pytest.approx(2700)
        assert figures.figures_for_periods(session, sla=sla, periods=[], now=NOW) == []


def test_a_maintenance_window_excludes_its_part_of_an_outage(sessions, personas):
    with sessions() as session:
        shop = add_service(session, personas.acme)
        spans = [(UP, t(10, 1), t(10, 3, 1, 30)), (DOWN, t(10, 3, 1, 30), t(10, 3, 2, 30)),
                 (UP, t(10, 3, 2, 30), None)]  # fmt: skip
        add_monitor(session, shop.id, spans)
        sla = add_sla(session, personas, client_id=personas.acme, service_id=shop.id)
        window = MaintenanceCreate(
            title="upgrade", kind=MaintenanceKind.ONCE, starts_at=t(10, 3, 2), ends_at=t(10, 3, 3)
        )
        slas.create_maintenance(session, principal=staff(personas), sla_id=sla.id, data=window, now=NOW)
        (figure,) = figures.sla_figures(session, sla=sla, period=_month("2026-10", sla), now=NOW)
        assert figure.availability.down_seconds == 1800
        assert figure.availability.maintenance_seconds == 3600
        planned = figures.maintenance_spans(session, sla=sla, start=t(10, 1), end=t(11, 1))
        assert planned == [(t(10, 3, 2), t(10, 3, 3))]


@pytest.mark.parametrize(
    ("unknown_as", "down", "full"),
    [(UnknownAs.EXCLUDE, 0, False), (UnknownAs.UP, 0, True), (UnknownAs.DOWN, 3600, True)],
)
def test_unknown_time_counts_as_the_policy_says(sessions, personas, unknown_as, down, full):
    with sessions() as session:
        shop = add_service(session, personas.acme)
        add_monitor(
            session,
            shop.id,
            [(UP, t(10, 1), t(10, 5)), (UNKNOWN, t(10, 5), t(10, 5, 1)), (UP, t(10, 5, 1), None)],
        )
        sla = add_sla(
            session,
            personas,
            client_id=personas.acme,
            service_id=shop.id,
            policy=PolicyCreate(unknown_as=unknown_as),
        )
        (figure,) = figures.sla_figures(session, sla=sla, period=_month("2026-10", sla), now=NOW)
        assert figure.availability.unknown_seconds == 3600
        assert figure.availability.down_seconds == down
        assert (figure.availability.measured_seconds == 31 * 86400) is full


@pytest.mark.parametrize(("combine", "down"), [(Combine.ALL, 5400), (Combine.ANY, 1800)])
def test_two_monitors_combine_as_the_policy_says(sessions, personas, combine, down):
    with sessions() as session:
        shop = add_service(session, personas.acme)
        add_monitor(
            session,
            shop.id,
            [(UP, t(10, 1), t(10, 2, 10)), (DOWN, t(10, 2, 10), t(10, 2, 11)), (UP, t(10, 2, 11), None)],
        )
        spans = [(UP, t(10, 1), t(10, 2, 10, 30)), (DOWN, t(10, 2, 10, 30), t(10, 2, 11, 30)),
                 (UP, t(10, 2, 11, 30), None)]  # fmt: skip
        add_monitor(session, shop.id, spans)
        sla = add_sla(
            session,
            personas,
            client_id=personas.acme,
            service_id=shop.id,
            policy=PolicyCreate(combine=combine),
        )
        (figure,) = figures.sla_figures(session, sla=sla, period=_month("2026-10", sla), now=NOW)
        assert figure.availability.down_seconds == down


def test_a_client_wide_sla_covers_the_services_without_their_own(sessions, personas):
    with sessions() as session:
        own, plain, other = (add_service(session, personas.acme, name) for name in ("own", "plain", "other"))
        add_service(session, personas.globex, "foreign")
        add_sla(session, personas, client_id=personas.acme, service_id=own.id)
        wide = add_sla(session, personas, client_id=personas.acme)
        found = figures.sla_figures(session, sla=wide, period=_month("2026-10", wide), now=NOW)
        assert [(f.service_id, f.service_name) for f in found] == [(plain.id, "plain"), (other.id, "other")]
        assert found[0].availability.percent is None  # no data at all: nothing measured


def test_a_period_before_the_sla_started_is_measured_from_its_start(sessions, personas):
    with sessions() as session:
        shop = add_service(session, personas.acme)
        add_monitor(session, shop.id, [(DOWN, t(10, 1), t(10, 10)), (UP, t(10, 10), None)])
        sla = add_sla(session, personas, client_id=personas.acme, service_id=shop.id, starts_at=t(10, 10))
        (figure,) = figures.sla_figures(session, sla=sla, period=_month("2026-10", sla), now=NOW)
        assert figure.availability.start == t(10, 10)
        assert figure.availability.down_seconds == 0


def test_the_report_names_the_policy_and_refuses_a_bad_period(sessions, personas):
    with sessions() as session:
        shop = add_service(session, personas.acme)
        add_monitor(session, shop.id, [(UP, t(10, 1), None)])
        sla = add_sla(session, personas, client_id=personas.acme, service_id=shop.id)
        report = figures.availability_report(
            session, principal=viewer(personas), sla_id=sla.id, period="previous", now=NOW
        )
        assert report.period.label == "2026-10"
        assert report.measured_until == t(11, 1)
        (figure,) = report.figures
        assert (figure.percent, figure.met, figure.policy_version) == (Decimal("100.000"), True, 1)
        assert figure.policy == slas.policy_public(slas.policy_for(session, sla, NOW)).description
        assert figure.formula
        with pytest.raises(ApiError) as caught:
            figures.availability_report(
                session, principal=viewer(personas), sla_id=sla.id, period="2026-13", now=NOW
            )
        assert caught.value.status == 422
        assert caught.value.message.startswith("query.period: ")
        current = figures.availability_report(
            session, principal=staff(personas), sla_id=sla.id, period="current", now=NOW
        )
        assert current.measured_until == NOW
        assert current.figures[0].window_seconds == (NOW - t(11, 1)).total_seconds()
        assert timedelta(seconds=current.figures[0].up_seconds) == NOW - t(11, 1)
