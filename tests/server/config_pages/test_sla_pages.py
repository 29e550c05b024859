"""The SLA and calendar pages: what they show, their forms, and who may see and use them.

The clock of the pages is frozen at NOW (Sunday 2026-11-15 12:00 UTC), so the availability of the
current window, the next maintenance occurrences and the policy versions come out exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.slas import service as slas
from pysteward.server.slas import views
from pysteward.server.slas.models import BurnAlert, BusinessCalendar, MaintenanceKind, MaintenanceWindow, Sla
from pysteward.server.slas.schemas import MaintenanceCreate, SlaCreate
from tests.server.config_pages.matrix import POLICY, TARGETS
from tests.server.config_pages.pages import post_form, sign_in, storefront_sla
from tests.server.conftest import Personas
from tests.server.slas.matrix import NOW, staff

ONCE = {"title": "Database upgrade", "kind": "once", "timezone": "Europe/Paris"}


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "utcnow", lambda: NOW)


@pytest.fixture
def sla_id(sessions: sessionmaker[Session], personas: Personas) -> int:
    with sessions() as session:
        return storefront_sla(session, personas).id


def test_the_list_names_client_scope_target_window_and_time_zone(client, personas, sessions, sla_id):
    with sessions() as session:
        slas.create_sla(
            session,
            principal=staff(personas),
            data=SlaCreate(
                client_id=personas.globex,
                name="Globex silver",
                target=Decimal("99.5"),
                timezone="Europe/Paris",
            ),
            now=NOW,
        )
    sign_in(client, personas, "engineer")
    text = client.get("/slas").text
    assert "Storefront gold" in text and f'href="/slas/{sla_id}"' in text
    assert "storefront" in text and "every service (client-wide)" in text
    assert "99.9 %" in text and "99.5 %" in text and "Europe/Paris" in text and "month" in text


def test_the_page_shows_availability_and_budget_the_policy_in_words_and_the_targets(client, personas, sla_id):
    sign_in(client, personas, "engineer")
    response = client.get(f"/slas/{sla_id}")
    assert response.status_code == 200
    text = response.text
    # November so far: 14.5 days measured, 30 minutes down: 99.856 %, rounded down, below 99.9 %.
    assert "Availability, 2026-11" in text
    assert '<span class="below">99.856 %</span>' in text
    # The budget is 0.1 % of the whole month (2,592 s); 1,800 s are used.
    assert "13 min 12 s (30.5 %)" in text
    assert "Monday to Friday, 09:00–17:00 in UTC (default)" in text
    assert "Accounting policy (version 1)" in text
    assert "unknown time (no data) is excluded" in text
    assert "availability = up ÷ (up + down) × 100" in text
    assert "15 minutes, around the clock" in text  # P1 response, the default
    assert "10 days, business hours" in text  # P4 resolution


def test_the_page_lists_burn_alerts_newest_first_the_open_ones_marked(client, personas, sessions, sla_id):
    with sessions() as session:
        service_id = session.scalars(select(Sla.service_id).where(Sla.id == sla_id)).one()
        assert service_id is not None
        for rule, fired, cleared in (("ticket-3d", NOW - timedelta(days=3), NOW - timedelta(days=2)),
                                     ("page-1h", NOW - timedelta(hours=2), None)):  # fmt: skip
            session.add(BurnAlert(
                sla_id=sla_id, service_id=service_id, rule=rule, severity=rule.split("-")[0], factor=14.4,
                long_burn=20.0, short_burn=31.25, fired_at=fired, cleared_at=cleared,
            ))  # fmt: skip
        session.commit()
    sign_in(client, personas, "engineer")
    text = client.get(f"/slas/{sla_id}").text
    assert text.index("page-1h (page)") < text.index("ticket-3d (ticket)")
    assert "20.0× / 31.2×" in text and '<span class="state down">open</span>' in text


def test_a_one_off_window_is_read_in_its_time_zone_and_listed(client, personas, sessions, sla_id):
    csrf = sign_in(client, personas, "engineer")
    response = post_form(
        client,
        f"/slas/{sla_id}/maintenance",
        csrf,
        **ONCE,
        starts_at="2026-11-20T02:00",
        ends_at="2026-11-20T04:00",
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/slas/{sla_id}?done=maintenance#maintenance"
    with sessions() as session:
        window = session.scalars(select(MaintenanceWindow).where(MaintenanceWindow.sla_id == sla_id)).one()
        assert (window.starts_at, window.ends_at) == (datetime(2026, 11, 20, 1, tzinfo=UTC),
                                                       datetime(2026, 11, 20, 3, tzinfo=UTC))  # fmt: skip
    text = client.get(response.headers["location"]).text
    assert "Maintenance window planned." in text
    assert "<li>Fri 2026-11-20 02:00–04:00</li>" in text and "Europe/Paris time" in text


def test_a_recurring_window_shows_its_next_three_occurrences(client, personas, sla_id):
    csrf = sign_in(client, personas, "engineer")
    response = post_form(
        client, f"/slas/{sla_id}/maintenance", csrf, title="Sunday patching", kind="cron",
        starts_at="2026-11-01T00:00", expression="0 2 * * sun", duration_minutes=120, timezone="Europe/Paris",
    )  # fmt: skip
    assert response.status_code == 303
    text = client.get(f"/slas/{sla_id}").text
    assert "cron <code>0 2 * * sun</code> in Europe/Paris, 120 min each" in text
    for day in ("2026-11-22", "2026-11-29", "2026-12-06"):
        assert f"<li>Sun {day} 02:00–04:00</li>" in text
    assert "Sun 2026-11-15 02:00" not in text  # this morning's is over


def test_a_running_window_is_marked_now_and_shows_both_dates_when_it_ends_on_another_day(
    client, personas, sessions, sla_id
):
    with sessions() as session:
        data = MaintenanceCreate(
            title="Data centre move",
            kind=MaintenanceKind.ONCE,
            starts_at=NOW - timedelta(hours=1),
            ends_at=NOW + timedelta(hours=14),
        )
        slas.create_maintenance(session, principal=staff(personas), sla_id=sla_id, data=data, now=NOW)
    sign_in(client, personas, "engineer")
    text = client.get(f"/slas/{sla_id}").text
    # What is left of it, from now: the past hour is not an occurrence ahead.
    assert (
        '<li>Sun 2026-11-15 12:00 – Mon 2026-11-16 02:00 <span class="state maintenance">now</span></li>'
        in text
    )


HOURS = {"starts_at": "2026-11-20T02:00", "ends_at": "2026-11-20T04:00"}
REFUSED: list[tuple[dict[str, Any], str]] = [
    ({**HOURS, "kind": "cron", "expression": "0 25 * * *", "duration_minutes": 60},
     "Expression: &#39;0 25 * * *&#39; is not a cron expression"),
    ({"kind": "once", "starts_at": HOURS["starts_at"]}, "Ends_at: a one-off window needs an end"),
    ({**HOURS, "kind": "once", "starts_at": "soon"}, "Starts_at: &#39;soon&#39; is not a date"),
    ({**HOURS, "kind": "once", "timezone": "Mars/Base"}, "Timezone: unknown time zone &#39;Mars/Base&#39;"),
    ({**HOURS, "kind": "once", "title": "   "}, "Title: string should have at least 1 character"),
]  # fmt: skip


def test_a_window_the_service_refuses_shows_the_page_again_with_the_reason_and_what_was_typed(
    client, personas, sessions, sla_id
):
    csrf = sign_in(client, personas, "engineer")
    for fields, reason in REFUSED:
        typed = {"title": "Kernel update", **fields}
        response = post_form(client, f"/slas/{sla_id}/maintenance", csrf, **typed)
        assert (response.status_code, reason in response.text) == (422, True), reason
        assert f'value="{typed["title"]}"' in response.text
        assert '<details class="form" open>\n  <summary>Plan a maintenance window' in response.text
    with sessions() as session:
        assert session.scalars(select(MaintenanceWindow.id)).all() == []


def test_deleting_a_window_removes_it_and_another_slas_window_answers_404(client, personas, sessions, sla_id):
    with sessions() as session:
        data = MaintenanceCreate(
            title="Upgrade", kind=MaintenanceKind.ONCE, starts_at=NOW, ends_at=NOW + timedelta(hours=1)
        )
        window_id = slas.create_maintenance(
            session, principal=staff(personas), sla_id=sla_id, data=data, now=NOW
        ).id
        other = slas.create_sla(
            session, principal=staff(personas),
            data=SlaCreate(client_id=personas.globex, name="Other", target=Decimal("99")), now=NOW,
        ).id  # fmt: skip
    csrf = sign_in(client, personas, "engineer")
    assert post_form(client, f"/slas/{other}/maintenance/{window_id}/delete", csrf).status_code == 404
    response = post_form(client, f"/slas/{sla_id}/maintenance/{window_id}/delete", csrf)
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/slas/{sla_id}?done=deleted#maintenance",
    )
    with sessions() as session:
        assert session.get(MaintenanceWindow, window_id) is None


def test_changing_the_accounting_policy_adds_a_version_and_keeps_the_history(client, personas, sla_id):
    csrf = sign_in(client, personas, "engineer")
    response = post_form(
        client, f"/slas/{sla_id}/policy", csrf, unknown_as="down", degraded_as="down", combine="any",
        rounding="half_even", decimals=2, note="per contract amendment 3",
    )  # fmt: skip
    assert (response.status_code, response.headers["location"]) == (303, f"/slas/{sla_id}?done=policy#policy")
    text = client.get(f"/slas/{sla_id}").text
    assert "Accounting policy (version 2)" in text
    assert "unknown time (no data) counts as down" in text
    assert 'v2 <span class="muted">(current)</span>' in text and "<td>v1</td>" in text
    assert "engineer@example.invalid" in text and "per contract amendment 3" in text
    assert "2 decimals, half even" in text


def test_a_policy_note_with_a_nul_character_is_refused_on_the_page(client, personas, sla_id):
    csrf = sign_in(client, personas, "engineer")
    response = post_form(client, f"/slas/{sla_id}/policy", csrf, **POLICY, note="bad\x00note")
    assert (response.status_code, "Note: must not contain NUL characters" in response.text) == (422, True)
    assert '<details class="form" open>\n  <summary>Change the accounting policy' in response.text
    assert "Accounting policy (version 1)" in response.text


def test_an_sla_nobody_has_and_its_forms_answer_404_as_pages(client, personas):
    csrf = sign_in(client, personas, "engineer")
    missing = "/slas/2147483647"
    shown = client.get(missing)
    assert shown.status_code == 404
    assert "<h1>Not found</h1>" in shown.text and "SLA 2147483647 not found" in shown.text
    window = {"title": "x", "kind": "once", "starts_at": "2026-11-20T02:00", "ends_at": "2026-11-20T04:00"}
    for path, fields in ((f"{missing}/maintenance", window), (f"{missing}/policy", POLICY),
                         (f"{missing}/targets", TARGETS)):  # fmt: skip
        response = post_form(client, path, csrf, **fields)
        assert (response.status_code, "SLA 2147483647 not found" in response.text) == (404, True), path


def test_setting_a_priority_target_replaces_it(client, personas, sla_id):
    csrf = sign_in(client, personas, "engineer")
    response = post_form(
        client, f"/slas/{sla_id}/targets", csrf, priority="P3", response_amount=30, response_unit="minutes",
        response_clock="24x7", resolution_amount=2, resolution_unit="days", resolution_clock="business",
    )  # fmt: skip
    assert (response.status_code, response.headers["location"]) == (
        303,
        f"/slas/{sla_id}?done=target#targets",
    )
    text = client.get(f"/slas/{sla_id}").text
    row = text[text.index('<span class="prio P3">') :]
    assert row.index("30 minutes, around the clock") < row.index("2 days, business hours") < row.index("P4")


def test_client_viewers_get_403_on_every_sla_and_calendar_page_and_form(client, personas, sessions, sla_id):
    with sessions() as session:
        calendar = BusinessCalendar(client_id=personas.acme, name="Acme office")
        session.add(calendar)
        session.commit()
        calendar_id = calendar.id
    csrf = sign_in(client, personas, "acme_viewer")
    for path in ("/slas", f"/slas/{sla_id}", "/calendars", f"/calendars/{calendar_id}"):
        response = client.get(path)
        assert (response.status_code, "for the provider&#39;s staff" in response.text) == (403, True), path
    refused = post_form(client, f"/slas/{sla_id}/maintenance", csrf, **ONCE, starts_at="2026-11-20T02:00",
                        ends_at="2026-11-20T04:00")  # fmt: skip
    assert refused.status_code == 403
    with sessions() as session:
        assert session.scalars(select(MaintenanceWindow.id)).all() == []


def test_the_calendar_pages_show_weekly_hours_holidays_and_the_slas_on_them(client, personas, sessions):
    with sessions() as session:
        calendar = BusinessCalendar(
            client_id=None, name="Paris office", timezone="Europe/Paris",
            weekly_hours={"mon": [["09:00", "12:00"], ["13:00", "17:00"]], "fri": [["09:00", "15:00"]]},
            holidays=["2026-12-25", "2026-11-11"],
        )  # fmt: skip
        session.add(calendar)
        session.commit()
        storefront_sla(session, personas, calendar_id=calendar.id)
        calendar_id = calendar.id
    sign_in(client, personas, "engineer")
    listed = client.get("/calendars").text
    assert "Paris office" in listed and "provider (any client)" in listed
    assert "Mon 09:00–12:00, 13:00–17:00; Fri 09:00–15:00" in listed
    text = client.get(f"/calendars/{calendar_id}").text
    assert '<td>Tue</td><td><span class="muted">closed</span></td>' in text
    assert text.index("2026-11-11") < text.index("2026-12-25")
    assert "Storefront gold" in text
