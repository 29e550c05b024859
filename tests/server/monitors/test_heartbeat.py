"""Heartbeat signals: the service function with a frozen clock, the push URLs, cron deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.monitors.heartbeats import Signal, deadline_after, hash_token, record_heartbeat
from pysteward.server.monitors.models import CheckResult, Monitor, MonitorKind, State
from tests.runner.factories import add_monitor, at, intervals, open_session

PERIOD = {"period_seconds": 3600, "cron": None, "timezone": "UTC", "grace_seconds": 300}


def heartbeat(session: Session, token: str = "tok-1", **config: object) -> Monitor:
    return add_monitor(
        session,
        kind=MonitorKind.HEARTBEAT,
        config={**PERIOD, **config},
        heartbeat_token_hash=hash_token(token),
    )


def test_a_success_after_a_start_measures_the_run_and_sets_the_next_deadline(engine: Engine) -> None:
    with open_session(engine) as session:
        monitor = heartbeat(session)
        start = record_heartbeat(session, token="tok-1", signal=Signal.START, now=at(0))
        done = record_heartbeat(session, token="tok-1", signal=Signal.SUCCESS, now=at(42))
        assert start is not None and done is not None
        assert done.duration == timedelta(seconds=42)
        session.refresh(monitor)
        assert (monitor.state, monitor.next_run_at, monitor.last_started_at) == (
            State.UP,
            at(42 + 3900),
            None,
        )
        stored = session.scalars(select(CheckResult)).one()
        assert stored.details == {"signal": "success", "duration_seconds": 42.0}


def test_a_fail_signal_is_a_down_result_without_a_duration(engine: Engine) -> None:
    with open_session(engine) as session:
        heartbeat(session)
        receipt = record_heartbeat(session, token="tok-1", signal=Signal.FAIL, now=at(5))
        assert receipt is not None and receipt.duration is None
    monitor_id = receipt.monitor_id
    assert intervals(engine, monitor_id) == [(State.DOWN, at(5), None)]


def test_an_unknown_token_is_none(engine: Engine) -> None:
    with open_session(engine) as session:
        heartbeat(session)
        assert record_heartbeat(session, token="other", signal=Signal.SUCCESS, now=at(0)) is None


def test_a_cron_deadline_follows_the_monitors_time_zone_and_grace() -> None:
    config = {"period_seconds": None, "cron": "0 9 * * *", "timezone": "Europe/Paris", "grace_seconds": 600}
    # 08:30 UTC on a winter day is 09:30 in Paris: the next 09:00 Paris is tomorrow at 08:00 UTC.
    after = datetime(2030, 1, 15, 8, 30, tzinfo=UTC)
    assert deadline_after(config, after) == datetime(2030, 1, 16, 8, 10, tzinfo=UTC)


def test_a_missing_grace_defaults_to_five_minutes() -> None:
    assert deadline_after({"period_seconds": 60}, at(0)) == at(360)


@pytest.mark.parametrize(("path", "state"), [("", State.UP), ("/fail", State.DOWN)])
def test_the_push_url_takes_get_and_post(
    client: TestClient, sessions: sessionmaker[Session], path: str, state: State
) -> None:
    with sessions() as session:
        monitor = heartbeat(session, token="secret-token")
    start = client.post("/ping/secret-token/start")
    answer = client.get(f"/ping/secret-token{path}")
    assert (start.status_code, start.text) == (200, "ok")
    assert (answer.status_code, answer.text) == (200, "ok")
    with sessions() as session:
        assert session.scalar(select(Monitor.state).where(Monitor.id == monitor.id)) is state


def test_the_push_url_answers_404_for_an_unknown_token(client: TestClient) -> None:
    answer = client.post("/ping/nobody")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
