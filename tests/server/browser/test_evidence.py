"""The evidence pack's console button in a real browser: the download is the zip with its index."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.reports.evidence import evidence_period
from pysteward.server.reports.models import ReportKind
from tests.server.conftest import Personas
from tests.server.evidence.world import archive_report


def test_the_button_downloads_a_pack_whose_index_names_the_controls(
    page: Page, sign_in: Callable[[str], Page], personas: Personas, sessions: sessionmaker[Session]
) -> None:
    month = evidence_period("previous", timezone="UTC", now=datetime.now(UTC))
    with sessions() as session:  # archived already, so the pack renders no PDF
        archive_report(session, personas.acme, ReportKind.MONTHLY, month.start, month.end)
    sign_in("admin")
    page.goto("/evidence")
    expect(page.get_by_role("heading", name="Compliance evidence pack")).to_be_visible()
    page.get_by_label("Client").select_option(label="Acme")
    expect(page.get_by_label("Period")).to_have_value(month.label)
    with page.expect_download() as started:
        page.get_by_role("button", name="Download evidence pack").click()
    download = started.value
    assert download.suggested_filename == f"evidence-acme-{month.label}.zip"
    with zipfile.ZipFile(download.path()) as archive:
        index = json.loads(archive.read(f"evidence-acme-{month.label}/index.json"))
        assert f"evidence-acme-{month.label}/reports/monthly-{month.label}-v1.pdf" in archive.namelist()
    controls = {entry["id"]: entry for entry in index["controls"]}
    assert controls["CA-7"]["title"] == "Continuous Monitoring"
    assert controls["SA-22"]["title"] == "Unsupported System Components"
