"""The console's estate and incident pages in a real browser: the walk an engineer takes, the live
timers, and what a client viewer may reach."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.incidents.models import Incident
from pysteward.server.monitors.models import State
from pysteward.server.slas.models import Priority
from pysteward.store import utcnow
from tests.server.conftest import Personas
from tests.server.console.world import add_incident, add_monitor, add_service, add_sla


def _estate(sessions: sessionmaker[Session], personas: Personas) -> dict[str, int]:
    now = utcnow()
    with sessions() as session:
        add_sla(session, personas.acme, starts_at=now - timedelta(days=60))
        shop = add_service(session, personas.acme, "shop")
        add_monitor(session, shop.id, "home page", spans=[(now - timedelta(days=3), None, State.UP)])
        incident = add_incident(
            session, shop, "checkout fails", priority=Priority.P1, opened_at=now - timedelta(minutes=2)
        )
        portal = add_service(session, personas.globex, "patient portal")
        foreign = add_incident(session, portal, "portal slow", opened_at=now - timedelta(minutes=5))
        return {"shop": shop.id, "incident": incident.id, "portal": portal.id, "foreign": foreign.id}


def test_an_engineer_walks_from_the_overview_to_an_incident_and_acknowledges_it(
    page: Page, sign_in: Callable[[str], Page], sessions: sessionmaker[Session], personas: Personas
) -> None:
    ids = _estate(sessions, personas)
    sign_in("engineer")
    page.goto("/overview")
    expect(page.get_by_role("heading", name="Estate overview")).to_be_visible()
    page.get_by_role("link", name="shop", exact=True).click()
    expect(page.get_by_role("heading", name="shop")).to_be_visible()
    expect(page.locator("svg#uptime")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Incidents").click()
    row = page.locator(f"#incident-{ids['incident']}")
    response = row.locator("td.response .timer")
    expect(response).to_have_class("timer ok")
    expect(response).to_have_attribute("data-running", "true")
    row.get_by_role("button", name=f"Acknowledge incident {ids['incident']}").click()
    page.wait_for_url("**/incidents")
    expect(response).to_have_class("timer met")
    expect(response).to_have_text("met")
    expect(row.get_by_role("button")).to_have_count(0)


def test_a_running_timer_turns_to_warning_in_the_browser_as_its_warning_time_passes(
    page: Page, sign_in: Callable[[str], Page], sessions: sessionmaker[Session], personas: Personas
) -> None:
    ids = _estate(sessions, personas)
    sign_in("engineer")
    with sessions() as session:  # warning in six seconds: time to load the page, not much more
        incident = session.get_one(Incident, ids["incident"])
        incident.response_warn_at = utcnow() + timedelta(seconds=6)
        incident.response_due_at = utcnow() + timedelta(minutes=10)
        session.commit()
    page.goto(f"/incidents/{ids['incident']}")
    timer = page.locator("#response-timer .timer")
    expect(timer).to_have_class("timer ok")
    first = timer.inner_text()
    expect(timer).to_have_class("timer warning", timeout=15_000)
    assert timer.inner_text() != first  # it counted down meanwhile


def test_a_client_viewer_sees_no_actions_and_cannot_reach_another_clients_pages(
    page: Page, sign_in: Callable[[str], Page], sessions: sessionmaker[Session], personas: Personas
) -> None:
    ids = _estate(sessions, personas)
    sign_in("acme_viewer")
    page.goto("/overview")
    expect(page.get_by_role("heading", name="Acme service portal")).to_be_visible()
    expect(page.get_by_role("link", name="patient portal")).to_have_count(0)
    page.goto("/incidents")
    expect(page.locator(f"#incident-{ids['incident']}")).to_be_visible()
    expect(page.get_by_role("button", name="Acknowledge")).to_have_count(0)
    page.goto(f"/incidents/{ids['incident']}")
    expect(page.locator("form[action$='/acknowledge']")).to_have_count(0)
    for path in (f"/services/{ids['portal']}", f"/incidents/{ids['foreign']}"):
        answer = page.goto(path)
        assert answer is not None and answer.status == 404, path
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
