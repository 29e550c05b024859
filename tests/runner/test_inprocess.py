"""The runner inside the application's lifespan: started with the app, flushed when it stops."""

from __future__ import annotations

import time
import warnings

from sqlalchemy import select

from pysteward.server.app import create_app
from pysteward.server.monitors.models import CheckResult, MonitorKind
from pysteward.server.settings import load_settings
from tests.runner.factories import add_monitor, open_session

with warnings.catch_warnings():
    # As in tests/server/conftest.py: Starlette warns on import when only httpx is installed.
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient


def test_the_app_runs_checks_for_its_lifetime(database_url: str) -> None:
    settings = load_settings(
        database_url=database_url, mode="development", runner=True, allow_private_targets=("127.0.0.1/32",)
    )
    app = create_app(settings)
    with open_session(app.state.engine) as session:
        add_monitor(session, kind=MonitorKind.TCP, config={"host": "127.0.0.1", "port": 9})
    with TestClient(app):
        deadline = time.monotonic() + 20
        while not app.state.runner.metrics.checks.labels(kind="tcp")._value.get():
            assert time.monotonic() < deadline
            time.sleep(0.02)
    with open_session(app.state.engine) as session:
        stored = session.scalars(select(CheckResult)).one()
    assert stored.message.startswith("cannot connect to 127.0.0.1:9")
    app.state.engine.dispose()


def test_a_disabled_runner_starts_nothing(database_url: str) -> None:
    app = create_app(load_settings(database_url=database_url, mode="development", runner=False))
    with TestClient(app):
        assert not hasattr(app.state, "runner")
    app.state.engine.dispose()
