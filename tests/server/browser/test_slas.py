"""The SLA page in a real browser: plan a maintenance window and see it listed with its next occurrence."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.slas import service as slas
from pysteward.server.slas.schemas import SlaCreate
from tests.server.conftest import Personas
from tests.server.slas.matrix import add_service, staff


def test_an_engineer_plans_a_maintenance_window_and_sees_it_listed(
    page: Page, sign_in: Callable[[str], Page], personas: Personas, sessions: sessionmaker[Session]
) -> None:
    now = datetime.now(UTC)
    with sessions() as session:
        shop = add_service(session, personas.acme, "storefront")
        data = SlaCreate(
            client_id=personas.acme, service_id=shop.id, name="Storefront gold", target=Decimal("99.9")
        )
        sla_id = slas.create_sla(session, principal=staff(personas), data=data, now=now).id
    sign_in("engineer")
    page.get_by_role("link", name="SLAs").click()
    page.get_by_role("link", name="Storefront gold").click()
    expect(page.get_by_role("heading", name="Storefront gold")).to_be_visible()
    expect(page.get_by_text("No maintenance window.")).to_be_visible()
    page.get_by_text("Plan a maintenance window").click()  # opens the folded form
    start = (now + timedelta(days=2)).replace(hour=2, minute=0, second=0, microsecond=0)
    form = page.locator(f"form[action='/slas/{sla_id}/maintenance']")
    form.get_by_label("Title").fill("Database upgrade")
    form.get_by_label("Kind").select_option("once")
    form.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Ends").fill((start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Time zone").fill("UTC")
    form.get_by_role("button", name="Plan window").click()
    expect(page.get_by_role("status")).to_have_text("Maintenance window planned.")
    row = page.get_by_role("row").filter(has_text="Database upgrade")
    expect(row).to_contain_text(f"{start:%a %Y-%m-%d} 02:00–04:00")
    expect(row.get_by_role("button", name="Delete Database upgrade")).to_be_visible()
