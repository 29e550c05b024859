"""The evidence pack over HTTP: the API's zip download and the console's form and button, their
tenancy, and a month whose report is generated for the pack (a real PDF), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from pysteward.server.reports import evidence_api, evidence_views
from pysteward.server.reports.models import Report
from tests.server.conftest import Personas
from tests.server.evidence.world import NOW, Seeded, open_pack, seed

API = "/api/v1"


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evidence_api, "utcnow", lambda: NOW)
    monkeypatch.setattr(evidence_views, "utcnow", lambda: NOW)


def _sign_in(client: TestClient, personas: Personas, name: str) -> None:
    person = personas[name]
    answer = client.post(f"{API}/auth/login", json={"email": person.email, "password": person.password})
    assert answer.status_code == 200, answer.text


def test_the_api_answers_the_pack_as_a_named_zip_download(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    seed(sessions, personas)
    answer = client.get(
        f"{API}/clients/{personas.acme}/evidence?period=2026-11", headers=personas.headers("admin")
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"] == 'attachment; filename="evidence-acme-2026-11.zip"'
    pack = open_pack(answer.content)
    controls = {entry["id"]: entry for entry in pack.index["controls"]}
    assert controls["CA-7"]["status"] == controls["SA-22"]["status"] == "evidence"
    assert pack.index["exported_by"] == "provider staff"


def test_a_viewer_exports_their_own_clients_pack_and_no_other(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    seeded: Seeded = seed(sessions, personas)
    headers = personas.headers("acme_viewer")
    own = client.get(f"{API}/clients/{personas.acme}/evidence?period=2026-11", headers=headers)
    assert own.status_code == 200, own.text
    assert [int(row["delivery_id"]) for row in open_pack(own.content).rows("notifications")] == [
        seeded.client_delivery
    ]
    other = client.get(f"{API}/clients/{personas.globex}/evidence?period=2026-11", headers=headers)
    assert (other.status_code, other.json()["error"]["message"]) == (
        404,
        f"client {personas.globex} not found",
    )
    missing = client.get(f"{API}/clients/999999/evidence", headers=personas.headers("admin"))
    assert missing.status_code == 404
    assert client.get(f"{API}/clients/{personas.acme}/evidence").status_code == 401


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-13", "query.period: '2026-13' is not a month (YYYY-MM)"),
        ("2027-03", "query.period: 2027-03 has not begun yet"),
        (
            "last year",
            "query.period: 'last year' is not a month (YYYY-MM), a week (YYYY-Www), previous or current",
        ),
    ],
)
def test_a_bad_period_answers_422_naming_it(
    client: TestClient, personas: Personas, period: str, message: str
) -> None:
    answer = client.get(
        f"{API}/clients/{personas.acme}/evidence",
        params={"period": period},
        headers=personas.headers("admin"),
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["message"] == message


def test_a_finished_month_without_a_report_gets_one_generated_once(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    url = f"{API}/clients/{personas.globex}/evidence?period=2026-10"
    first = open_pack(client.get(url, headers=personas.headers("engineer")).content)
    (report,) = first.index["reports"]
    assert (report["files"], report["generated_for_pack"]) == (
        ["reports/monthly-2026-10-v1.pdf", "reports/monthly-2026-10-v1.html"],
        True,
    )
    assert first.files["reports/monthly-2026-10-v1.pdf"].startswith(b"%PDF-")
    assert first.index["notes"] == [
        "reports/monthly-2026-10-v1 was generated for this pack: the month had no archived report."
    ]
    again = open_pack(client.get(url, headers=personas.headers("engineer")).content)
    assert again.index["reports"][0]["generated_for_pack"] is False
    assert again.files["reports/monthly-2026-10-v1.pdf"] == first.files["reports/monthly-2026-10-v1.pdf"]
    with sessions() as session:
        stored = session.scalars(select(Report)).all()
        assert [(r.version, r.created_by) for r in stored] == [(1, personas["engineer"].user_id)]


def test_the_console_form_lets_staff_choose_the_client_and_fixes_a_viewers(
    client: TestClient, personas: Personas
) -> None:
    _sign_in(client, personas, "admin")
    staff = client.get("/evidence")
    assert staff.status_code == 200
    assert '<option value="%d" >Acme</option>' % personas.acme in staff.text  # noqa: UP031
    assert ">Globex</option>" in staff.text
    assert 'value="2026-11"' in staff.text  # the last full month by default
    assert client.get("/evidence/download", follow_redirects=False).headers["location"] == "/evidence"
    client.cookies.clear()
    _sign_in(client, personas, "acme_viewer")
    page = client.get("/evidence")
    assert "Client: <strong>Acme</strong>" in page.text
    assert "Globex" not in page.text
    assert 'name="client_id"' not in page.text


def test_the_console_button_downloads_the_viewers_own_pack_only(
    client: TestClient, personas: Personas, sessions: sessionmaker[Session]
) -> None:
    seed(sessions, personas)
    _sign_in(client, personas, "acme_viewer")
    own = client.get("/evidence/download", params={"period": "2026-11"})
    assert own.status_code == 200
    assert own.headers["content-disposition"] == 'attachment; filename="evidence-acme-2026-11.zip"'
    assert open_pack(own.content).index["client"]["id"] == personas.acme
    other = client.get("/evidence/download", params={"client_id": personas.globex, "period": "2026-11"})
    assert other.status_code == 404
    assert "text/html" in other.headers["content-type"]
    early = client.get("/evidence/download", params={"period": "2027-03"})
    assert early.status_code == 422
    assert '<p class="error" role="alert">2027-03 has not begun yet.</p>' in early.text
    assert 'value="2027-03"' in early.text  # the form again, as it was filled
