"""Scheduled service functions with a frozen clock, on both databases."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import Engine, func, select

from pysteward.server.monitors.models import CheckResult, Monitor, MonitorKind, Rollup, RunnerLiveness, State
from pysteward.server.monitors.results import record_results
from pysteward.server.monitors.tasks import claim_due, expire_heartbeats, mark_gap, prune, touch_liveness
from pysteward.server.settings import Settings
from tests.runner.factories import T0, add_monitor, assert_contiguous, at, intervals, open_session, result

HEARTBEAT = {"period_seconds": 600, "cron": None, "timezone": "UTC", "grace_seconds": 60}


def test_a_due_check_is_claimed_once_and_scheduled_an_interval_later(engine: Engine) -> None:
    with open_session(engine) as session:
        monitor = add_monitor(session, next_run_at=at(0), interval_seconds=30, timeout_seconds=5)
        add_monitor(session, next_run_at=at(100))
        add_monitor(session, next_run_at=at(0), enabled=False)
        add_monitor(session, kind=MonitorKind.HEARTBEAT, config=HEARTBEAT, next_run_at=at(0))
        claimed = claim_due(session, now=at(2), limit=10)
        assert [(c.monitor_id, c.due_at, c.claimed_at) for c in claimed] == [(monitor.id, at(0), at(2))]
        assert claim_due(session, now=at(3), limit=10) == []
        assert session.scalar(select(Monitor.next_run_at).where(Monitor.id == monitor.id)) == at(32)


def test_two_runners_reading_the_same_due_check_claim_it_once(engine: Engine) -> None:
    with open_session(engine) as first, open_session(engine) as second:
        add_monitor(first, next_run_at=at(0))
        # The second runner read the row before the first claimed it: its conditional UPDATE misses.
        stale = second.scalar(select(Monitor.next_run_at))
        assert len(claim_due(first, now=at(1), limit=10)) == 1
        assert stale == at(0)
        assert claim_due(second, now=at(1), limit=10) == []


def test_a_new_monitor_is_due_at_once_and_jitter_and_lease_push_its_next_run(engine: Engine) -> None:
    with open_session(engine) as session:
        monitor = add_monitor(session, interval_seconds=10, timeout_seconds=30)
        short = add_monitor(session, interval_seconds=1)
        claimed = claim_due(
            session, now=at(0), limit=10, lease_seconds=5, jitter_seconds=1, rng=random.Random(1)
        )
        assert claimed[0].due_at == at(0)
        next_run = session.scalar(select(Monitor.next_run_at).where(Monitor.id == monitor.id))
        assert next_run is not None
        assert at(10) <= next_run <= at(11)
        short_next = session.scalar(select(Monitor.next_run_at).where(Monitor.id == short.id))
        assert short_next is not None
        assert at(5) <= short_next <= at(6)


def test_claims_stop_at_the_limit_oldest_first(engine: Engine) -> None:
    with open_session(engine) as session:
        late = add_monitor(session, next_run_at=at(5))
        early = add_monitor(session, next_run_at=at(1))
        assert [c.monitor_id for c in claim_due(session, now=at(10), limit=1)] == [early.id]
        assert [c.monitor_id for c in claim_due(session, now=at(10), limit=1)] == [late.id]


def test_a_silent_heartbeat_goes_down_once_per_missed_deadline(engine: Engine) -> None:
    with open_session(engine) as session:
        monitor = add_monitor(session, kind=MonitorKind.HEARTBEAT, config=HEARTBEAT, next_run_at=at(660))
        assert expire_heartbeats(session, now=at(659)) == 0
        assert expire_heartbeats(session, now=at(660)) == 1
        assert expire_heartbeats(session, now=at(661)) == 0
        session.refresh(monitor)
        assert (monitor.state, monitor.next_run_at) == (State.DOWN, at(660 + 660))
        stored = session.scalars(select(CheckResult)).one()
        assert stored.message.startswith("no signal by 2030-01-01T12:11:00+00:00")


def test_the_runner_gap_becomes_unknown_never_down(engine: Engine) -> None:
    with open_session(engine) as session:
        checked = add_monitor(session)
        never = add_monitor(session)
        beat = add_monitor(session, kind=MonitorKind.HEARTBEAT, config=HEARTBEAT)
        assert mark_gap(session, runner_name="r", now=at(0)) is None
        record_results(session, [result(checked.id, 10, State.UP), result(beat.id, 10, State.UP)], now=at(10))
        beat.next_run_at = at(100)
        session.commit()
        touch_liveness(session, runner_name="r", now=at(5))
        touch_liveness(session, runner_name="r", now=at(4))  # an older time never moves liveness back
        assert session.get(RunnerLiveness, "r").seen_at == at(5)  # type: ignore[union-attr]
        assert mark_gap(session, runner_name="r", now=at(500)) == at(5)
        # A second start right after finds the gap already marked.
        assert mark_gap(session, runner_name="r", now=at(500)) is None
        session.refresh(beat)
        assert beat.next_run_at == at(500 + 660)
    # Its last result came after the last liveness touch: the gap starts there, relabelling the
    # interval that started at that very instant rather than leaving an empty one.
    assert intervals(engine, checked.id) == [(State.UNKNOWN, at(10), None)]
    assert intervals(engine, never.id) == []


def test_a_restart_closes_the_open_interval_where_the_runner_was_last_seen(engine: Engine) -> None:
    with open_session(engine) as session:
        monitor = add_monitor(session)
        touch_liveness(session, runner_name="r", now=at(0))
        record_results(
            session, [result(monitor.id, 0, State.UP), result(monitor.id, 30, State.DOWN)], now=at(30)
        )
        touch_liveness(session, runner_name="r", now=at(60))
        mark_gap(session, runner_name="r", now=at(600))
        record_results(session, [result(monitor.id, 605, State.UP)], now=at(605))
    spans = intervals(engine, monitor.id)
    assert [(s, a) for s, a, _ in spans] == [
        (State.UP, at(0)),
        (State.DOWN, at(30)),
        (State.UNKNOWN, at(60)),
        (State.UP, at(605)),
    ]
    assert_contiguous(spans)


def test_prune_deletes_only_what_is_past_each_retention(engine: Engine) -> None:
    settings = Settings(raw_retention_days=1, minute_rollup_retention_days=2, hour_rollup_retention_days=400)
    with open_session(engine) as session:
        monitor = add_monitor(session)
        old = [result(monitor.id, -86400 * 3 + i * 60, State.UP) for i in range(5)]
        record_results(session, [*old, result(monitor.id, 0, State.UP)], now=T0)
        counts = prune(session, now=T0 + timedelta(hours=1), settings=settings, chunk=2)
        assert (counts.results, counts.minute_rollups, counts.hour_rollups) == (5, 5, 0)
        assert session.scalar(select(func.count()).select_from(CheckResult)) == 1
        assert session.scalar(select(func.count()).select_from(Rollup).where(Rollup.period == 60)) == 1
        far = prune(session, now=T0 + timedelta(days=500), settings=settings, chunk=2)
        assert (far.results, far.minute_rollups, far.hour_rollups) == (1, 1, 2)
