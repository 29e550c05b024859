"""`/api/v1/reports`: generating, listing, downloading and delivering reports within tenancy.

PDFs come from the fake renderer (`fake_pdf`): the archive's rules are what is under test here.
"""

from __future__ import annotations

import base64
import hashlib

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from pysteward.server.notify.models import Channel
from pysteward.server.reports.service import HTML_POLICY
from tests.server.conftest import Personas
from tests.server.reports.world import ReportWorld, fake_pdf, make_report_world

API = "/api/v1/reports"


@pytest.fixture
def world(
    sessions: sessionmaker[Session], personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> ReportWorld:
    fake_pdf(monkeypatch)
    with sessions() as session:
        return make_report_world(session, personas)


def _generate(
    client: TestClient, personas: Personas, who: str = "admin", **body: object
) -> dict[str, object]:
    body = {"client_id": personas.acme, "period": "2026-11"} | body
    response = client.post(API, json=body, headers=personas.headers(who))
    assert response.status_code == 201, response.text
    made: dict[str, object] = response.json()
    return made


def test_staff_generate_versions_and_each_viewer_reads_their_own_clients_only(client, personas, world):
    first = _generate(client, personas)
    assert (first["period"], first["kind"], first["version"], first["timezone"]) == (
        "2026-11", "monthly", 1, "Europe/Paris",
    )  # fmt: skip
    assert first["created_by"] == personas["admin"].user_id
    second = _generate(client, personas, "engineer")
    assert (second["version"], second["latest_version"]) == (2, 2)
    listed = client.get(API, headers=personas.headers("acme_viewer")).json()["items"]
    assert [(r["id"], r["version"], r["latest_version"]) for r in listed] == [
        (first["id"], 1, 2),
        (second["id"], 2, 2),
    ]
    assert client.get(API, headers=personas.headers("globex_viewer")).json()["items"] == []
    for path in (f"{API}/{first['id']}", f"{API}/{first['id']}/pdf", f"{API}/{first['id']}/html"):
        assert client.get(path, headers=personas.headers("globex_viewer")).status_code == 404
        assert client.get(path, headers=personas.headers("acme_viewer")).status_code == 200
    refused = client.post(API, json={"client_id": personas.acme}, headers=personas.headers("acme_viewer"))
    assert refused.status_code == 403
    weekly = client.get(API, params={"kind": "weekly"}, headers=personas.headers("admin")).json()["items"]
    other = client.get(API, params={"client_id": personas.globex}, headers=personas.headers("admin")).json()
    assert (weekly, other["items"]) == ([], [])


def test_the_pdf_download_carries_its_hash_and_the_html_a_policy_that_loads_nothing(client, personas, world):
    made = _generate(client, personas)
    pdf = client.get(f"{API}/{made['id']}/pdf", headers=personas.headers("acme_viewer"))
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == 'attachment; filename="steward-report-acme-2026-11-v1.pdf"'
    digest = hashlib.sha256(pdf.content).digest()
    assert hashlib.sha256(pdf.content).hexdigest() == made["sha256"]
    assert pdf.headers["repr-digest"] == f"sha-256=:{base64.b64encode(digest).decode()}:"
    assert made["pdf_bytes"] == len(pdf.content)
    page = client.get(f"{API}/{made['id']}/html", headers=personas.headers("acme_viewer"))
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-security-policy"] == HTML_POLICY
    assert "<h1>Acme: service report</h1>" in page.text
    assert "Version 1 · generated" in page.text


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"period": "2026-13"}, 422, "body.period: '2026-13' is not a month (YYYY-MM)"),
        ({"period": "2026-11", "kind": "weekly"}, 422, "body.period: '2026-11' is not a week (YYYY-Www)"),
        ({"period": "2999-01"}, 422, "body.period: 2999-01 has not begun yet"),
        ({"period": "not a period!"}, 422, "body.period: string should match pattern '^[0-9A-Za-z-]+$'"),
        ({"client_id": 999_999}, 404, "client 999999 not found"),
    ],
)
def test_a_bad_request_is_refused_with_the_field_named(client, personas, body, status, message):
    response = client.post(API, json={"client_id": personas.acme} | body, headers=personas.headers("admin"))
    assert (response.status_code, response.json()["error"]["message"]) == (status, message)


def test_delivery_is_queued_for_staff_and_refused_to_viewers(client, personas, world, sessions):
    made = _generate(client, personas)
    with sessions() as session:
        channel = Channel(client_id=world.client_id, name="ops", url="json://hooks.invalid/ops")
        session.add(channel)
        session.commit()
    path = f"{API}/{made['id']}/deliver"
    queued = client.post(path, headers=personas.headers("engineer"))
    assert queued.status_code == 200, queued.text
    assert (queued.json()["report_id"], queued.json()["channel_ids"]) == (made["id"], [channel.id])
    chosen = client.post(path, json={"channel_ids": [channel.id]}, headers=personas.headers("admin"))
    assert chosen.json()["channel_ids"] == [channel.id]
    assert client.post(path, json={}, headers=personas.headers("acme_viewer")).status_code == 403
    assert client.post(path, json={}, headers=personas.headers("globex_viewer")).status_code == 404
