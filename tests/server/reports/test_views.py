"""The console's report pages, signed in by session cookie as a browser is (fake PDFs)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.notify.models import Channel
from pysteward.server.reports.models import ReportKind
from pysteward.server.reports.service import generate_report
from tests.server.config_pages.pages import post_form, sign_in
from tests.server.conftest import Personas
from tests.server.reports.world import NOVEMBER, NOW, ReportWorld, fake_pdf, make_report_world


@pytest.fixture
def world(
    sessions: sessionmaker[Session], personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> ReportWorld:
    fake_pdf(monkeypatch)
    with sessions() as session:
        return make_report_world(session, personas)


def _archived(sessions: sessionmaker[Session], client_id: int) -> int:
    with sessions() as session:
        report = generate_report(
            session, client_id=client_id, kind=ReportKind.MONTHLY, period=NOVEMBER, now=NOW, actor_id=None
        )
        return report.id


def test_staff_generate_from_the_form_and_land_on_the_reports_page(client, personas, world):
    csrf = sign_in(client, personas, "engineer")
    archive = client.get("/reports")
    assert 'aria-label="Generate a report"' in archive.text and "No report yet." in archive.text
    made = post_form(client, "/reports", csrf, client_id=personas.acme, kind="monthly", period="2026-11")
    assert made.status_code == 303
    location = made.headers["location"]
    detail = client.get(location)
    assert "Monthly report 2026-11: Acme" in detail.text
    assert "99.930 % (shop)" in detail.text  # a key figure, as the document states it
    assert f'href="{location}/pdf"' in detail.text and 'aria-label="Deliver the report"' in detail.text
    listed = client.get("/reports", params={"client": personas.acme, "kind": "monthly"})
    assert f'<a href="{location}">Monthly 2026-11</a>' in listed.text
    assert "(schedule)" not in listed.text
    assert client.get(f"{location}/pdf").content.startswith(b"%PDF-")
    page = client.get(f"{location}/html")
    assert page.headers["content-disposition"].startswith("inline;")
    assert "<h1>Acme: service report</h1>" in page.text


def test_a_bad_period_in_the_form_is_an_error_page(client, personas, world):
    csrf = sign_in(client, personas, "admin")
    refused = post_form(client, "/reports", csrf, client_id=personas.acme, kind="weekly", period="2026-11")
    assert refused.status_code == 422
    assert "Body.period: &#39;2026-11&#39; is not a week (YYYY-Www)" in refused.text
    assert client.get("/reports", params={"kind": "daily"}).status_code == 422


def test_a_client_viewer_reads_their_reports_but_neither_generates_nor_sees_others(
    client, personas, world, sessions
):
    own, other = _archived(sessions, personas.acme), _archived(sessions, personas.globex)
    csrf = sign_in(client, personas, "acme_viewer")
    archive = client.get("/reports")
    assert f'href="/reports/{own}"' in archive.text and f'href="/reports/{other}"' not in archive.text
    assert "Generate a report" not in archive.text
    detail = client.get(f"/reports/{own}")
    assert detail.status_code == 200 and "Deliver the report" not in detail.text
    assert client.get(f"/reports/{other}").status_code == 404
    assert client.get(f"/reports/{other}/pdf").status_code == 404
    assert post_form(client, "/reports", csrf, client_id=personas.acme).status_code == 403
    assert post_form(client, f"/reports/{own}/deliver", csrf).status_code == 403


def test_delivering_from_the_page_queues_and_says_how_many(client, personas, world, sessions):
    report = _archived(sessions, personas.acme)
    with sessions() as session:
        session.add(Channel(client_id=world.client_id, name="ops", url="json://hooks.invalid/ops"))
        session.commit()
    csrf = sign_in(client, personas, "admin")
    sent = post_form(client, f"/reports/{report}/deliver", csrf)
    assert (sent.status_code, sent.headers["location"]) == (303, f"/reports/{report}?delivered=1")
    assert "Queued for 1 channel: the runner sends it." in client.get(sent.headers["location"]).text
    nothing = client.get(f"/reports/{report}?delivered=0")
    assert "No channel to deliver to" in nothing.text
    wrong = client.post(f"/reports/{report}/deliver", data={"csrf_token": csrf, "channel_ids": "4294967296"})
    assert wrong.status_code == 422 and "4294967296 is not an id" in wrong.text
