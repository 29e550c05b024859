"""Recording results: the state machine, contiguous intervals and rollups, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from pysteward.server.monitors.checks.outcome import CheckOutcome
from pysteward.server.monitors.models import CheckResult, Monitor, Rollup, State
from pysteward.server.monitors.results import bucket_start, record_results
from tests.runner.factories import add_monitor, assert_contiguous, at, intervals, open_session, result

UP, DOWN, DEGRADED = State.UP, State.DOWN, State.DEGRADED


def test_a_first_success_opens_an_up_interval_and_stores_the_raw_result(engine: Engine) -> None:
    with open_session(engine) as session:
        monitor = add_monitor(session)
        changes = record_results(session, [result(monitor.id, 0, UP)], now=at(1))
    assert [(c.old, c.new, c.at) for c in changes] == [(State.UNKNOWN, UP, at(0))]
    assert intervals(engine, monitor.id) == [(UP, at(0), None)]
    with open_session(engine) as session:
        stored = session.scalars(select(CheckResult)).one()
        assert (stored.state, stored.latency_ms, stored.checked_at) == (UP, 10.0, at(0))
        refreshed = session.get(Monitor, monitor.id)
        assert refreshed is not None
        assert (refreshed.state, refreshed.state_since, refreshed.last_checked_at) == (UP, at(0), at(0))


def test_retries_below_the_failure_threshold_are_not_downtime(engine: Engine) -> None:
    with open_session(engine) as session:
        monitor = add_monitor(session, failures_before_down=3)
        record_results(session, [result(monitor.id, 0, UP), result(monitor.id, 60, DOWN)], now=at(61))
        record_results(session, [result(monitor.id, 120, DOWN)], now=at(121))
        assert intervals(engine, monitor.id) == [(UP, at(0), None)]
        record_results(session, [result(monitor.id, 180, DOWN)], now=at(181))
    assert intervals(engine, monitor.id) == [(UP, at(0), at(180)), (DOWN, at(180), None)]


def test_leaving_down_takes_the_configured_number_of_successes(engine: Engine) -> None:
    with open_session(engine) as session:
        monitor = add_monitor(session, successes_before_up=2)
        batch = [
            result(monitor.id, s, st) for s, st in [(0, DOWN), (60, UP), (120, DOWN), (180, UP), (240, UP)]
        ]
        changes = record_results(session, batch, now=at(300))
    assert [(c.new, c.at) for c in changes] == [(DOWN, at(0)), (UP, at(240))]
    spans = intervals(engine, monitor.id)
    assert spans == [(DOWN, at(0), at(240)), (UP, at(240), None)]
    assert_contiguous(spans)


def test_degraded_and_up_switch_at_once(engine: Engine) -> None:
    with open_session(engine) as session:
        monitor = add_monitor(session, successes_before_up=3)
        record_results(session, [result(monitor.id, 0, UP), result(monitor.id, 60, DEGRADED)], now=at(61))
        record_results(session, [result(monitor.id, 120, UP)], now=at(121))
    assert [s for s, _, _ in intervals(engine, monitor.id)] == [UP, DEGRADED, UP]


def test_a_monitor_in_maintenance_is_in_maintenance_whatever_it_answers(engine: Engine) -> None:
    with open_session(engine) as session:
        monitor = add_monitor(session)
        record_results(session, [result(monitor.id, 0, UP)], now=at(1))
        monitor.maintenance = True
        session.commit()
        record_results(session, [result(monitor.id, 60, DOWN)], now=at(61))
        monitor.maintenance = False
        session.commit()
        record_results(session, [result(monitor.id, 120, DOWN)], now=at(121))
    spans = intervals(engine, monitor.id)
    assert [s for s, _, _ in spans] == [UP, State.MAINTENANCE, DOWN]
    assert_contiguous(spans)


def test_leaving_maintenance_with_a_retry_pending_is_unknown_not_down(engine: Engine) -> None:
    with open_session(engine) as session:
        monitor = add_monitor(session, maintenance=True, failures_before_down=2)
        record_results(session, [result(monitor.id, 0, UP)], now=at(1))
        monitor.maintenance = False
        session.commit()
        record_results(session, [result(monitor.id, 60, DOWN)], now=at(61))
    assert [s for s, _, _ in intervals(engine, monitor.id)] == [State.MAINTENANCE, State.UNKNOWN]


def test_rollups_add_up_per_minute_and_per_hour_across_batches(engine: Engine) -> None:
    with open_session(engine) as session:
        monitor = add_monitor(session)
        record_results(
            session, [result(monitor.id, 0, UP, 10.0), result(monitor.id, 30, DOWN, None)], now=at(31)
        )
        record_results(
            session, [result(monitor.id, 45, UP, 40.0), result(monitor.id, 75, UP, 5.0)], now=at(76)
        )
        rows = session.execute(
            select(
                Rollup.period,
                Rollup.bucket_start,
                Rollup.checks,
                Rollup.failures,
                Rollup.latency_sum_ms,
                Rollup.latency_max_ms,
            ).order_by(Rollup.period, Rollup.bucket_start)
        ).all()
    assert [tuple(row) for row in rows] == [
        (60, at(0), 3, 1, 50.0, 40.0),
        (60, at(60), 1, 0, 5.0, 5.0),
        (3600, at(0), 4, 1, 55.0, 40.0),
    ]


def test_results_of_a_deleted_monitor_are_dropped(engine: Engine) -> None:
    with open_session(engine) as session:
        monitor = add_monitor(session)
        assert record_results(session, [result(monitor.id + 99, 0, UP)], now=at(1)) == []
        assert record_results(session, [], now=at(1)) == []
        assert session.scalar(select(func.count()).select_from(CheckResult)) == 0


def test_buckets_are_aligned_on_whole_minutes_and_hours() -> None:
    assert bucket_start(at(59.9), 60) == at(0)
    assert bucket_start(at(3599), 3600) == at(0)
    assert bucket_start(at(3600), 3600) == at(3600)


def test_an_outcome_cannot_be_maintenance_or_unknown() -> None:
    with pytest.raises(ValueError, match="up, down or degraded"):
        CheckOutcome(state=State.UNKNOWN)
