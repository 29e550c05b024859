"""SIGKILL in the middle of batches loses no committed result, corrupts nothing, and the restart
records the time the runner was away as `unknown` and resumes checking, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, text

from pysteward.server.monitors.models import CheckResult, State, StateInterval
from pysteward.store import make_engine
from tests.httpserver import serve
from tests.runner.factories import add_monitor, assert_contiguous, intervals, open_session


def start_runner(url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "STEWARD_DATABASE_URL": url,
        "STEWARD_ALLOW_PRIVATE_TARGETS": "127.0.0.1/32",
        "STEWARD_RUNNER_FLUSH_SECONDS": "0.05",
        "STEWARD_RUNNER_BATCH_SIZE": "5",
        "STEWARD_RUNNER_JITTER_SECONDS": "0",
    }
    return subprocess.Popen([sys.executable, "-m", "pysteward.runner"], env=env, stderr=subprocess.DEVNULL)


def count(engine, since=None) -> int:  # type: ignore[no-untyped-def]
    with open_session(engine) as session:
        query = select(func.count()).select_from(CheckResult)
        return int(session.scalar(query if since is None else query.where(CheckResult.id > since)) or 0)


def wait_for(predicate, seconds: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail("the runner made no progress")
        time.sleep(0.05)


@pytest.fixture
def target() -> Iterator[str]:
    with serve({"/": b"ok"}) as server:
        yield server.url("/")


def intact(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        else:  # PostgreSQL: every table and index still reads end to end
            connection.execute(text("SET enable_seqscan = off"))
            assert connection.execute(
                text("SELECT count(*) FROM check_results WHERE monitor_id > 0")
            ).scalar()
            connection.execute(text("RESET enable_seqscan"))
            assert connection.execute(text("SELECT count(*) FROM state_intervals")).scalar()


def test_sigkill_mid_batch_loses_nothing_and_the_restart_marks_the_gap_unknown(
    database_url: str, target: str
) -> None:
    url = database_url
    engine = make_engine(url)
    with open_session(engine) as session:
        ids = [
            add_monitor(session, config={"url": target}, interval_seconds=1, timeout_seconds=5).id
            for _ in range(5)
        ]
    process = start_runner(url)
    try:
        wait_for(lambda: count(engine) >= 15)
        process.send_signal(signal.SIGKILL)
        process.wait()
        killed_with = count(engine)
        with open_session(engine) as session:
            before_restart = set(session.scalars(select(CheckResult.id)))
        intact(engine)
        for monitor_id in ids:
            assert_contiguous(intervals(engine, monitor_id))
        time.sleep(1.2)  # let the gap be longer than a check interval
        process = start_runner(url)
        wait_for(lambda: count(engine) >= killed_with + 10)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    with open_session(engine) as session:
        unknown = session.scalar(
            select(func.count()).select_from(StateInterval).where(StateInterval.state == State.UNKNOWN)
        )
    assert unknown == len(ids)
    for monitor_id in ids:
        spans = intervals(engine, monitor_id)
        assert_contiguous(spans)
        states = [s for s, _, _ in spans]
        assert states.count(State.UNKNOWN) == 1
        assert states[-1] is not State.UNKNOWN
    with open_session(engine) as session:
        downs = session.scalars(select(CheckResult.message).where(CheckResult.state == State.DOWN)).all()
    assert downs == []
    with open_session(engine) as session:
        assert before_restart <= set(session.scalars(select(CheckResult.id)))  # nothing committed was lost
    engine.dispose()
