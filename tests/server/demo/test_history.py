"""The demo's backfilled history: real incidents, timers and stored periods from scripted outages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from pysteward.server.demo import CLIENTS, demo_api, reset_login, seed_estate
from pysteward.server.demo.history import HISTORY_DAYS, OUTAGES
from pysteward.server.demo.seed import VIEWER_EMAIL
from pysteward.server.estate.models import AssessmentRun, AssessmentStatus, Service
from pysteward.server.incidents.models import Breach, Incident, IncidentEvent, IncidentStatus
from pysteward.server.monitors.models import Monitor, State, StateInterval
from pysteward.server.notify.models import Delivery
from pysteward.server.settings import load_settings
from pysteward.server.slas.models import PeriodFigure
from pysteward.server.tenancy.models import Client, Role, StatusPageAccess, User
from pysteward.server.tenancy.passwords import verify_password
from pysteward.store import make_engine
from tests.databases import BACKENDS, truncate_all

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module", params=BACKENDS)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """One seeded demo per database for the module: the history takes seconds to replay, and these
    tests only read it (the viewer test changes passwords, which nothing else here looks at)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('demo-history') / 'steward.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_database")
        engine = make_engine(url)
        truncate_all(engine)
        engine.dispose()
    api = demo_api(load_settings(database_url=url, allow_private_targets=("127.0.0.1/32",)))
    with pytest.MonkeyPatch.context() as patch:  # module scope: before the per-test data directory
        patch.setenv("STEWARD_DATA_DIR", str(tmp_path_factory.mktemp("demo-data")))
        seed_estate(api, "http://127.0.0.1:4321", now=NOW)
    yield api
    api.state.engine.dispose()


def test_every_scripted_outage_became_one_resolved_incident_of_its_monitor(app: FastAPI) -> None:
    downs = [o for o in OUTAGES if o.state is State.DOWN]
    with app.state.sessions() as session:
        incidents = session.execute(
            select(Monitor.name, Incident.status, Incident.opened_at, Incident.resolved_at).join(
                Monitor, Monitor.id == Incident.monitor_id
            )
        ).all()
    assert sorted(name for name, *_ in incidents) == sorted(o.monitor for o in downs)
    assert {status for _, status, _, _ in incidents} == {IncidentStatus.RESOLVED}
    for outage in downs:
        (opened, resolved) = next(
            (o, r)
            for n, _, o, r in incidents
            if n == outage.monitor and abs((r - o) - timedelta(minutes=outage.minutes)) < timedelta(minutes=2)
        )
        assert NOW - timedelta(days=HISTORY_DAYS) < opened < resolved < NOW


def test_acknowledged_outages_have_their_acknowledgement_and_others_breached_their_response(
    app: FastAPI,
) -> None:
    with app.state.sessions() as session:
        acknowledged = session.scalar(select(func.count()).where(Incident.acknowledged_at.is_not(None)))
        comments = session.scalar(
            select(func.count()).select_from(IncidentEvent).where(IncidentEvent.kind == "comment")
        )
        breaches = session.scalar(select(func.count()).select_from(Breach))
    assert acknowledged == comments == sum(1 for o in OUTAGES if o.acknowledged_after is not None)
    assert breaches >= 1


def test_the_storefront_has_a_first_assessment_and_acme_a_public_status_page(app: FastAPI) -> None:
    with app.state.sessions() as session:
        run = session.scalars(select(AssessmentRun)).one()
        storefront = session.get_one(Service, run.service_id)
        acme = session.scalars(select(Client).where(Client.name == CLIENTS[0])).one()
    assert storefront.name == "storefront"
    assert run.repository_path == storefront.repository_paths[0]
    assert run.repository_path.endswith("orders-api")
    # No advisory database in a fresh data directory: the run says so rather than reporting nothing.
    assert (run.status, "no advisory database" in run.error) == (AssessmentStatus.FAILED, True)
    assert acme.status_page is StatusPageAccess.PUBLIC


def test_the_history_is_measured_in_closed_periods_and_sends_no_notification(app: FastAPI) -> None:
    with app.state.sessions() as session:
        figures = session.scalar(select(func.count()).select_from(PeriodFigure))
        deliveries = session.scalar(select(func.count()).select_from(Delivery))
        first = session.scalar(select(func.min(StateInterval.started_at)))
    assert figures > 0  # October 2026 is closed on 20 November
    assert deliveries == 0  # the receiver channel is created after the history
    assert first == NOW - timedelta(days=HISTORY_DAYS)


def test_the_demo_gives_acme_retail_a_viewer_with_a_fresh_password_for_the_portal(app: FastAPI) -> None:
    first, second = reset_login(app, now=NOW), reset_login(app, now=NOW)
    assert first.viewer_email == second.viewer_email == VIEWER_EMAIL
    assert first.viewer_password != second.viewer_password
    with app.state.sessions() as session:
        viewer = session.scalars(select(User).where(User.email == VIEWER_EMAIL)).one()
        acme = session.scalars(select(Client).where(Client.name == CLIENTS[0])).one()
        assert (viewer.role, viewer.client_id) == (Role.VIEWER, acme.id)
        assert second.viewer_password is not None
        assert verify_password(viewer.password_hash, second.viewer_password)
