"""Generating and archiving reports (`reports.service`): versions, hashes, immutability, tenancy, delivery.

Two tests render real PDFs (WeasyPrint) and read them back with pypdf; the others use a fake renderer
(`fake_pdf`), which keeps the archive's rules under test without the cost of a PDF each time.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.errors import ApiError
from pysteward.server.notify.models import Channel, Delivery, DeliveryStatus
from pysteward.server.pagination import PageParams
from pysteward.server.reports import service
from pysteward.server.reports.data import parse_report_period
from pysteward.server.reports.models import Report, ReportKind
from pysteward.server.reports.render import stated_figures
from pysteward.server.reports.schemas import ReportFilters
from pysteward.server.slas.periods import Period
from tests.server.conftest import Personas
from tests.server.reports.world import NOVEMBER, NOW, OCTOBER, ReportWorld, fake_pdf, make_report_world
from tests.server.slas.matrix import staff, viewer


@pytest.fixture
def world(sessions: sessionmaker[Session], personas: Personas) -> ReportWorld:
    with sessions() as session:
        return make_report_world(session, personas)


def _generate(
    session: Session, world: ReportWorld, period: Period = NOVEMBER, kind: ReportKind = ReportKind.MONTHLY
) -> Report:
    return service.generate_report(
        session, client_id=world.client_id, kind=kind, period=period, now=NOW, actor_id=None
    )


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_generated_pdf_states_the_client_the_figures_and_the_policy_version(sessions, world):
    with sessions() as session:
        report = _generate(session, world)
        assert report.pdf.startswith(b"%PDF-")
        assert report.sha256 == hashlib.sha256(report.pdf).hexdigest()
        text = re.sub(r"\s+", " ", _text(report.pdf))
    assert "Acme: service report" in text
    assert "Monthly report 2026-11, from 2026-11-01 00:00 CET to 2026-12-01 00:00 CET" in text
    assert "99.930 %" in text  # shop's availability
    assert "Counted under accounting policy v1." in text
    assert "https: HTTP 503 Service Unavailable" in text
    assert "Version 1" in text
    assert (report.version, report.timezone, report.created_by) == (1, "Europe/Paris", None)


def test_regenerating_adds_version_2_and_leaves_version_1_byte_for_byte(sessions, world):
    with sessions() as session:
        first = _generate(session, world)
        kept = (first.id, first.pdf, first.html, first.sha256, first.created_at)
    with sessions() as session:
        second = _generate(session, world)
        assert (second.version, second.period_start) == (2, NOVEMBER.start)
        assert second.sha256 == hashlib.sha256(second.pdf).hexdigest() != kept[3]  # it says "Version 2"
    with sessions() as session:
        again = session.get_one(Report, kept[0])
        assert (again.id, again.pdf, again.html, again.sha256, again.created_at) == kept
        assert hashlib.sha256(again.pdf).hexdigest() == kept[3]
        latest = service.latest_reports(session, client_id=world.client_id, start=OCTOBER.start, end=NOW)
        assert [(r.version, r.period_start) for r in latest] == [(2, NOVEMBER.start)]


def test_the_latest_reports_are_those_whose_period_lies_in_the_span(sessions, world, monkeypatch):
    fake_pdf(monkeypatch)
    week46 = parse_report_period(ReportKind.WEEKLY, "2026-W46", "Europe/Paris", now=NOW)
    with sessions() as session:
        october, november = _generate(session, world, OCTOBER), _generate(session, world)
        week = _generate(session, world, week46, ReportKind.WEEKLY)
        newer = _generate(session, world)
        found = service.latest_reports(
            session, client_id=world.client_id, start=NOVEMBER.start, end=NOVEMBER.end
        )
        assert [r.id for r in found] == [newer.id, week.id]  # by period start; October is outside
        everything = service.latest_reports(session, client_id=world.client_id, start=OCTOBER.start, end=NOW)
        assert [r.id for r in everything] == [october.id, newer.id, week.id]
        assert november.id not in {r.id for r in everything}  # superseded by version 2
        assert service.latest_reports(session, client_id=world.batch, start=OCTOBER.start, end=NOW) == []


def test_a_report_of_no_client_is_refused(sessions):
    with sessions() as session, pytest.raises(ApiError) as refused:
        service.generate_report(
            session, client_id=999, kind=ReportKind.MONTHLY, period=NOVEMBER, now=NOW, actor_id=None
        )
    assert (refused.value.status, refused.value.message) == (404, "client 999 not found")


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026-13", "body.period: '2026-13' is not a month (YYYY-MM)"),
        ("2026-W48", "body.period: '2026-W48' is not a month (YYYY-MM)"),
        ("2027-01", "body.period: 2027-01 has not begun yet"),
    ],
)
def test_a_requested_period_must_name_a_month_that_has_begun(sessions, personas, period, message):
    with sessions() as session, pytest.raises(ApiError) as refused:
        service.request_report(
            session, principal=staff(personas), client_id=personas.acme, kind=ReportKind.MONTHLY,
            period=period, now=NOW,
        )  # fmt: skip
    assert (refused.value.status, refused.value.message) == (422, message)


def test_viewers_read_their_own_clients_reports_only_and_generate_none(
    sessions, personas, world, monkeypatch
):
    fake_pdf(monkeypatch)
    with sessions() as session:
        report = _generate(session, world)
        own, other = viewer(personas), viewer(personas, "globex_viewer")
        assert service.get_report_for(session, own, report.id).id == report.id
        with pytest.raises(ApiError, match="not found") as hidden:
            service.get_report_for(session, other, report.id)
        assert hidden.value.status == 404
        everyone = PageParams()
        assert [
            r.id
            for r in service.list_reports(session, principal=own, filters=ReportFilters(), page=everyone)[0]
        ]
        assert service.list_reports(session, principal=other, filters=ReportFilters(), page=everyone)[0] == []
        with pytest.raises(ApiError) as refused:
            service.request_report(
                session,
                principal=own,
                client_id=personas.acme,
                kind=ReportKind.MONTHLY,
                period="2026-11",
                now=NOW,
            )
        assert refused.value.status == 403


def test_delivery_queues_the_key_figures_version_hash_and_link_on_the_clients_channels(
    sessions, personas, world, monkeypatch
):
    fake_pdf(monkeypatch)
    with sessions() as session:
        report = _generate(session, world)
        ops = Channel(client_id=world.client_id, name="ops", url="json://hooks.invalid/ops")
        quiet = Channel(
            client_id=world.client_id, name="quiet", url="json://hooks.invalid/q", subscribed=False
        )
        shop = Channel(
            client_id=world.client_id, service_id=world.shop, name="shop", url="json://hooks.invalid/s"
        )
        theirs = Channel(client_id=personas.globex, name="globex", url="json://hooks.invalid/g")
        session.add_all([ops, quiet, shop, theirs])
        session.commit()
        deliver = functools.partial(
            service.deliver_report, session, principal=staff(personas), report_id=report.id,
            base_url="https://steward.invalid", now=NOW,
        )  # fmt: skip
        [default] = deliver(channel_ids=None)  # the client-wide, subscribed one
        chosen = deliver(channel_ids=[quiet.id, shop.id])
        with pytest.raises(ApiError, match=f"channel {theirs.id} is not a channel of client") as refused:
            deliver(channel_ids=[theirs.id])
        assert refused.value.status == 422
        rows = session.scalars(select(Delivery).order_by(Delivery.id)).all()
        assert [(d.channel_id, d.status, d.event) for d in rows] == [
            (ops.id, DeliveryStatus.PENDING, "report.generated"),
            (quiet.id, DeliveryStatus.PENDING, "report.generated"),
            (shop.id, DeliveryStatus.PENDING, "report.generated"),
        ]
        assert [d.id for d in [default, *chosen]] == [d.id for d in rows]
    assert default.title == "Monthly service report 2026-11 for Acme (version 1)"
    assert "services meeting their target: 2 of 2\nlowest availability: 99.930 % (shop)" in default.body
    assert f"SHA-256 of the PDF: {report.sha256}" in default.body
    assert f"Download: https://steward.invalid/reports/{report.id}/pdf" in default.body


def test_a_viewer_cannot_deliver_and_another_clients_report_is_not_found(
    sessions, personas, world, monkeypatch
):
    fake_pdf(monkeypatch)
    with sessions() as session:
        report = _generate(session, world)
        for principal, status in ((viewer(personas), 403), (viewer(personas, "globex_viewer"), 404)):
            with pytest.raises(ApiError) as refused:
                service.deliver_report(
                    session, principal=principal, report_id=report.id, channel_ids=None, base_url="", now=NOW
                )
            assert refused.value.status == status


def test_the_stated_figures_are_read_back_from_the_archived_html() -> None:
    html = (
        '<div class="card"><div class="label">breaches</div><div class="value">1</div></div>'
        '<div class="card"><div class="label">lowest availability</div>'
        '<div class="value">99.930 % (Shop &amp; Co)</div></div>'
    )
    assert stated_figures(html) == {"breaches": "1", "lowest availability": "99.930 % (Shop & Co)"}


def test_a_version_stored_meanwhile_by_another_worker_is_a_conflict(sessions, world, monkeypatch):
    fake_pdf(monkeypatch)
    with sessions() as session:
        _generate(session, world)
        monkeypatch.setattr(service, "_next_version", lambda *_args: 1)  # as if read before the other commit
        with pytest.raises(ApiError) as refused:
            _generate(session, world)
    assert refused.value.status == 409
    assert refused.value.message.startswith("version 1 of this report was just stored by another request")
