"""A client's status page in a real browser: standalone, from 127.0.0.1 alone, nothing internal.

With STEWARD_SCREENSHOTS=DIR the public page's screenshot is also saved as DIR/status-page.png (the one
in docs/screenshots is made so).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.status import views
from pysteward.server.tenancy.models import Client, StatusPageAccess
from tests.server.conftest import Personas
from tests.server.status.world import INTERNAL_NOTE, NOW, showcase


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "utcnow", lambda: NOW)


def test_a_public_page_loads_from_this_server_alone_with_services_and_public_updates(
    page: Page, sessions: sessionmaker[Session], personas: Personas, tmp_path: Path
) -> None:
    with sessions() as session:
        client_id = showcase(session, personas)
    page.set_viewport_size({"width": 1000, "height": 900})
    response = page.goto(f"/status/{client_id}")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", name="Acme Retail status")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Degraded performance")
    services = page.locator("li.service .name")
    expect(services).to_have_text(["Back office", "Checkout API", "Search", "Web shop"])
    expect(page.locator("li.service").nth(1).locator(".state")).to_have_text("Degraded performance")
    expect(page.locator("svg.strip").first.locator("rect")).to_have_count(90)
    expect(page.get_by_text("Our payment provider confirmed a fault")).to_be_visible()
    expect(page.get_by_text("Database upgrade")).to_have_count(0)  # over 80 days ago: not ahead
    expect(page.get_by_text("Weekly patching").first).to_be_visible()
    assert INTERNAL_NOTE not in page.content()
    shot = page.screenshot(path=str(tmp_path / "status-page.png"), full_page=True)
    assert shot.startswith(b"\x89PNG")
    if target := os.environ.get("STEWARD_SCREENSHOTS"):
        shutil.copyfile(tmp_path / "status-page.png", Path(target) / "status-page.png")


def test_a_link_page_without_its_key_is_not_found(
    page: Page, sessions: sessionmaker[Session], personas: Personas
) -> None:
    with sessions() as session:
        session.get_one(Client, personas.acme).status_page = StatusPageAccess.LINK
        session.commit()
    response = page.goto(f"/status/{personas.acme}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
