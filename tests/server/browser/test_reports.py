"""The SLA reports in a real browser: an admin generates a monthly report from the console and downloads
its PDF, which states the client, a service's availability and the accounting policy version."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker

from tests.server.conftest import Personas
from tests.server.reports.world import make_report_world


def test_an_admin_generates_a_monthly_report_and_downloads_its_pdf(
    page: Page, sign_in: Callable[[str], Page], personas: Personas, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        make_report_world(session, personas)
    sign_in("admin")
    page.goto("/reports")
    form = page.get_by_role("form", name="Generate a report")
    form.get_by_label("Client").select_option(label="Acme")
    form.get_by_label("Kind").select_option("monthly")
    form.get_by_label("Period").fill("2026-11")
    form.get_by_role("button", name="Generate").click()
    expect(page.get_by_role("heading", name="Monthly report 2026-11: Acme")).to_be_visible()
    sha256 = page.locator("dd code").inner_text()
    with page.expect_download() as started:
        page.get_by_role("link", name="Download PDF").click()
    download = started.value
    assert download.suggested_filename == "steward-report-acme-2026-11-v1.pdf"
    text = " ".join(p.extract_text() for p in PdfReader(Path(download.path())).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Acme: service report" in text
    assert "99.930 %" in text  # shop's availability in November
    assert "Counted under accounting policy v1." in text
    assert hashlib.sha256(Path(download.path()).read_bytes()).hexdigest() == sha256  # as the page says
