"""`/monitors/{id}/results`, `/intervals`, `/rollups`: a monitor's history, windowed and paged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from pysteward.server.monitors.models import CheckResult, Rollup, State, StateInterval
from tests.server.conftest import Personas
from tests.server.estate.world import API, add_monitor, add_service, http_monitor

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _seed(client: TestClient, personas: Personas, sessions: sessionmaker[Session]) -> int:
    service = add_service(client, personas, personas.acme, "shop")
    monitor_id = int(add_monitor(client, personas, http_monitor(service["id"]))["id"])
    with sessions() as session:
        for minute in range(5):
            at = T0 + timedelta(minutes=minute)
            state = State.DOWN if minute == 2 else State.UP
            session.add(
                CheckResult(monitor_id=monitor_id, checked_at=at, state=state, latency_ms=10.0 * minute)
            )
            session.add(
                Rollup(
                    monitor_id=monitor_id,
                    period=60,
                    bucket_start=at,
                    checks=2,
                    failures=minute % 2,
                    latency_sum_ms=30.0,
                    latency_max_ms=20.0,
                )
            )
        session.add(Rollup(monitor_id=monitor_id, period=3600, bucket_start=T0, checks=0, failures=0))
        session.add(
            StateInterval(
                monitor_id=monitor_id, state=State.UP, started_at=T0, ended_at=T0 + timedelta(minutes=2)
            )
        )
        session.add(
            StateInterval(
                monitor_id=monitor_id,
                state=State.DOWN,
                started_at=T0 + timedelta(minutes=2),
                ended_at=T0 + timedelta(minutes=3),
            )
        )
        session.add(
            StateInterval(monitor_id=monitor_id, state=State.UP, started_at=T0 + timedelta(minutes=3))
        )
        session.commit()
    return monitor_id


def test_results_are_windowed_and_paged(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    monitor_id = _seed(client, personas, sessions)
    viewer = personas.headers("acme_viewer")
    url = f"{API}/monitors/{monitor_id}/results"
    everything = client.get(url, headers=viewer).json()
    assert [r["latency_ms"] for r in everything["items"]] == [0.0, 10.0, 20.0, 30.0, 40.0]
    assert everything["items"][2]["state"] == "down"
    params = {
        "since": (T0 + timedelta(minutes=1)).isoformat(),
        "until": (T0 + timedelta(minutes=4)).isoformat(),
        "limit": 2,
    }
    first = client.get(url, params=params, headers=viewer).json()
    assert [r["latency_ms"] for r in first["items"]] == [10.0, 20.0]
    second = client.get(url, params=params | {"after": first["next_after"]}, headers=viewer).json()
    assert [r["latency_ms"] for r in second["items"]] == [30.0]
    assert second["next_after"] is None


def test_a_time_without_a_zone_answers_422(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    monitor_id = _seed(client, personas, sessions)
    response = client.get(
        f"{API}/monitors/{monitor_id}/results",
        params={"since": "2026-01-01T00:00:00"},
        headers=personas.headers("admin"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith("query.since: ")


def test_intervals_overlapping_the_window_are_listed(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    monitor_id = _seed(client, personas, sessions)
    url = f"{API}/monitors/{monitor_id}/intervals"
    admin = personas.headers("admin")
    assert [i["state"] for i in client.get(url, headers=admin).json()["items"]] == ["up", "down", "up"]
    window = {
        "since": (T0 + timedelta(minutes=2, seconds=30)).isoformat(),
        "until": (T0 + timedelta(minutes=10)).isoformat(),
    }
    overlapping = client.get(url, params=window, headers=admin).json()["items"]
    assert [(i["state"], i["ended_at"] and datetime.fromisoformat(i["ended_at"])) for i in overlapping] == [
        ("down", T0 + timedelta(minutes=3)),
        ("up", None),
    ]
    before = client.get(url, params={"until": (T0 + timedelta(minutes=1)).isoformat()}, headers=admin).json()[
        "items"
    ]
    assert [i["state"] for i in before] == ["up"]


def test_rollups_of_a_period_within_a_window(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    monitor_id = _seed(client, personas, sessions)
    url = f"{API}/monitors/{monitor_id}/rollups"
    admin = personas.headers("admin")
    params = {"period": "minute", "since": T0.isoformat(), "until": (T0 + timedelta(minutes=3)).isoformat()}
    minutes = client.get(url, params=params, headers=admin).json()
    assert minutes["period"] == "minute"
    assert [(r["checks"], r["failures"], r["latency_avg_ms"]) for r in minutes["items"]] == [
        (2, 0, 15.0),
        (2, 1, 15.0),
        (2, 0, 15.0),
    ]
    hours = client.get(url, params={"until": (T0 + timedelta(hours=1)).isoformat()}, headers=admin).json()
    assert hours["period"] == "hour"
    assert [(datetime.fromisoformat(r["bucket_start"]), r["latency_avg_ms"]) for r in hours["items"]] == [
        (T0, None)
    ]
    recent = client.get(url, params={"period": "minute"}, headers=admin).json()
    assert recent["items"] == []  # the default window is the last day, long after T0
    bad = client.get(url, params={"period": "week"}, headers=admin)
    assert bad.status_code == 422
