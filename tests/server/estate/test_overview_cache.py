"""The overview's kept window figures: caught up hour by hour, dropped whenever history before the
checkpoint changes, and always equal to what `sla_figures` measures from scratch."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.estate import window_figures as window_figures_module
from pysteward.server.estate.window_cache import WindowCache, app_cache, checkpoint
from pysteward.server.estate.window_counts import joined, measure
from pysteward.server.estate.window_figures import WindowFigure, window_figures
from pysteward.server.monitors.checks.outcome import CheckOutcome
from pysteward.server.monitors.models import Monitor, State
from pysteward.server.monitors.results import NewResult, record_results
from pysteward.server.monitors.tasks import mark_gap, touch_liveness
from pysteward.server.slas.accounting import Policy, Stored, availability_of, epoch_micros
from pysteward.server.slas.figures import sla_figures
from pysteward.server.slas.models import AccountingPolicy, Combine, DegradedAs, Rounding, Sla, UnknownAs
from pysteward.server.slas.periods import parse_period
from tests.server.conftest import Personas
from tests.server.console.world import add_monitor, add_service, add_sla

T0 = datetime(2026, 11, 20, 12, 5, tzinfo=UTC)


def _expected(session: Session, sla_id: int, service_id: int, now: datetime) -> WindowFigure:
    sla = session.get_one(Sla, sla_id)
    period = parse_period(sla.window, "current", sla.timezone, anchor=sla.starts_at, now=now)
    (figure,) = [
        f for f in sla_figures(session, sla=sla, period=period, now=now) if f.service_id == service_id
    ]
    return WindowFigure(
        sla_id=sla.id,
        sla_name=sla.name,
        period=period,
        availability=figure.availability,
        budget=figure.budget,
    )


def _check(session: Session, monitor_id: int, state: State, at: datetime) -> None:
    """A check result recorded as the runner records it (interval, monitor row, rollups)."""
    result = NewResult(
        monitor_id=monitor_id, checked_at=at, outcome=CheckOutcome(state=state, latency_ms=80.0)
    )
    assert record_results(session, [result], now=at), "the check should change the monitor's state"


def test_kept_figures_catch_up_and_stay_equal_to_a_fresh_measurement(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    cache = WindowCache()
    with sessions() as session:
        sla = add_sla(session, personas.acme, starts_at=datetime(2026, 1, 1, tzinfo=UTC))
        shop = add_service(session, personas.acme, "shop")
        begin = datetime(2026, 11, 1, tzinfo=UTC)
        home = add_monitor(session, shop.id, "home", spans=[(begin, None, State.UP)])
        add_monitor(
            session,
            shop.id,
            "api",
            spans=[
                (begin, T0 - timedelta(hours=30), State.UP),
                (T0 - timedelta(hours=30), None, State.DEGRADED),
            ],
        )
        services = [(shop.id, personas.acme)]
        first = window_figures(session, services=services, now=T0, cache=cache)
        assert first[shop.id] == _expected(session, sla.id, shop.id, T0)
        assert cache.get(shop.id) is not None and cache.get(shop.id).checkpoint == checkpoint(T0)  # type: ignore[union-attr]
        _check(session, home.id, State.DOWN, T0 + timedelta(minutes=20))
        _check(session, home.id, State.UP, T0 + timedelta(hours=2, minutes=3))
        later = T0 + timedelta(hours=3, minutes=17)
        second = window_figures(session, services=services, now=later, cache=cache)
        assert second[shop.id] == _expected(session, sla.id, shop.id, later)
        assert cache.get(shop.id).checkpoint == datetime(2026, 11, 20, 15, tzinfo=UTC)  # type: ignore[union-attr]
        assert second[shop.id].availability.outages[-1] == (
            T0 + timedelta(minutes=20),
            T0 + timedelta(hours=2, minutes=3),
        )


def test_a_runner_restart_that_rewrites_the_hour_before_the_checkpoint_is_measured_again(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    cache = WindowCache()
    with sessions() as session:
        sla = add_sla(session, personas.acme, starts_at=datetime(2026, 1, 1, tzinfo=UTC))
        shop = add_service(session, personas.acme, "shop")
        add_monitor(
            session,
            shop.id,
            "home",
            spans=[(datetime(2026, 11, 1, tzinfo=UTC), None, State.UP)],
            last_checked_at=T0 - timedelta(hours=3),
        )
        services = [(shop.id, personas.acme)]
        touch_liveness(session, runner_name="test", now=T0 - timedelta(hours=3))
        before = window_figures(session, services=services, now=T0, cache=cache)
        assert before[shop.id].availability.unknown_seconds == 0
        # The runner was away since three hours before T0: that time becomes unknown, before the checkpoint.
        mark_gap(session, runner_name="test", now=T0 + timedelta(minutes=1))
        after = window_figures(session, services=services, now=T0 + timedelta(minutes=2), cache=cache)
        assert after[shop.id] == _expected(session, sla.id, shop.id, T0 + timedelta(minutes=2))
        assert after[shop.id].availability.unknown_seconds == pytest.approx(3 * 3600 + 120)


def test_a_new_monitor_or_a_new_policy_version_is_measured_again(
    sessions: sessionmaker[Session], personas: Personas
) -> None:
    cache = WindowCache()
    with sessions() as session:
        sla = add_sla(session, personas.acme, starts_at=datetime(2026, 1, 1, tzinfo=UTC))
        shop = add_service(session, personas.acme, "shop")
        add_monitor(session, shop.id, "home", spans=[(datetime(2026, 11, 3, tzinfo=UTC), None, State.UP)])
        services = [(shop.id, personas.acme)]
        window_figures(session, services=services, now=T0, cache=cache)
        added = add_monitor(session, shop.id, "api", spans=[(T0 + timedelta(minutes=1), None, State.UP)])
        later = T0 + timedelta(minutes=40)
        assert window_figures(session, services=services, now=later, cache=cache)[shop.id] == _expected(
            session, sla.id, shop.id, later
        )
        session.delete(session.get_one(Monitor, added.id))
        session.add(
            AccountingPolicy(sla_id=sla.id, version=2, unknown_as=UnknownAs.DOWN, effective_from=later)
        )
        session.commit()
        last = later + timedelta(hours=1)
        assert window_figures(session, services=services, now=last, cache=cache)[shop.id] == _expected(
            session, sla.id, shop.id, last
        )


def _random_spans(rng: random.Random, start: int, end: int) -> list[Stored]:
    if rng.random() < 0.4:
        return [(start - 5, None, State.UP)]
    spans: list[Stored] = []
    at = start - rng.randrange(0, 100)
    while at < end:
        length = rng.randrange(1, (end - start) // 3)
        state = rng.choice(list(State))
        if rng.random() < 0.85:
            spans.append((at, at + length, state))
        at += length
    return spans


@pytest.mark.parametrize("combine", list(Combine))
def test_monitors_up_all_along_count_once_without_changing_the_figure(combine: Combine) -> None:
    rng = random.Random(f"collapse {combine}")
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    low, high = epoch_micros(start), epoch_micros(end)
    for degraded in DegradedAs:
        policy = Policy(version=1, combine=combine, degraded_as=degraded, unknown_as=UnknownAs.EXCLUDE)
        for _ in range(60):
            timelines = [_random_spans(rng, low, high) for _ in range(rng.randrange(1, 6))]
            planned = [(start + timedelta(hours=2), start + timedelta(hours=3))]
            direct = availability_of(
                timelines, start=start, end=end, policy=policy, target=Decimal("99.9"), maintenance=planned
            )
            assert (
                measure(
                    timelines,
                    start=start,
                    end=end,
                    policy=policy,
                    target=Decimal("99.9"),
                    maintenance=planned,
                )
                == direct
            )


@pytest.mark.parametrize("rounding", list(Rounding))
def test_two_consecutive_figures_join_into_the_figure_of_both(rounding: Rounding) -> None:
    rng = random.Random(f"join {rounding}")
    policy = Policy(version=1, decimals=2, rounding=rounding)
    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 8, tzinfo=UTC)
    for _ in range(40):
        timelines = [_random_spans(rng, epoch_micros(start), epoch_micros(end)) for _ in range(2)]
        cut = start + timedelta(seconds=rng.randrange(1, 7 * 86_400))
        whole = availability_of(timelines, start=start, end=end, policy=policy, target=Decimal("99"))
        parts = [
            availability_of(timelines, start=a, end=b, policy=policy, target=Decimal("99"))
            for a, b in ((start, cut), (cut, end))
        ]
        assert joined(*parts) == whole
    with pytest.raises(ValueError, match="not consecutive"):
        joined(parts[1], parts[0])


def test_an_application_keeps_one_cache() -> None:
    state = SimpleNamespace()
    cache = app_cache(state)
    assert app_cache(state) is cache and len(cache) == 0


def test_a_quiet_service_is_answered_from_its_kept_part_without_reading_intervals(
    sessions: sessionmaker[Session], personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = WindowCache()
    with sessions() as session:
        sla = add_sla(session, personas.acme, starts_at=datetime(2026, 1, 1, tzinfo=UTC))
        shop = add_service(session, personas.acme, "shop")
        for name in ("home", "api"):
            add_monitor(session, shop.id, name, spans=[(datetime(2026, 11, 2, tzinfo=UTC), None, State.UP)])
        services = [(shop.id, personas.acme)]
        window_figures(session, services=services, now=T0, cache=cache)
        kept = cache.get(shop.id)
        assert kept is not None and kept.steady

        def unexpected(*args: object, **kwargs: object) -> None:
            raise AssertionError("intervals were read")

        monkeypatch.setattr(window_figures_module, "load_monitors", unexpected)
        later = T0 + timedelta(minutes=4)  # still before 12:10, when the checkpoint moves to 12:00
        figure = window_figures(session, services=services, now=later, cache=cache)[shop.id]
        assert cache.get(shop.id) is kept
        monkeypatch.undo()
        assert figure == _expected(session, sla.id, shop.id, later)
