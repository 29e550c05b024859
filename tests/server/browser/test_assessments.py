"""Running an assessment from the console in a real browser, then seeing what changed after a second
run on an edited requirements file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session, sessionmaker

from pysteward.server.estate.models import Service
from tests.server.conftest import Personas
from tests.server.estate.assessment_files import build_database, install_database, write_project


@pytest.fixture
def shop(tmp_path: Path, sessions: sessionmaker[Session], personas: Personas) -> Path:
    """A checkout of Acme's shop, registered as its repository path, and an advisory database."""
    install_database(build_database(tmp_path))
    project = write_project(tmp_path / "shop")
    with sessions() as session:
        session.add(Service(client_id=personas.acme, name="shop", repository_paths=[str(project)]))
        session.commit()
    return project


def test_an_engineer_runs_an_assessment_and_sees_the_difference_after_a_second_run(
    page: Page, sign_in: Callable[[str], Page], shop: Path
) -> None:
    sign_in("engineer")
    page.get_by_role("link", name="Assessments").click()
    row = page.locator("tr", has_text="shop")
    expect(row).to_contain_text("never assessed")
    expect(row.get_by_label("Repository path of shop")).to_have_value(str(shop))
    row.get_by_role("button", name="Run assessment").click()
    expect(page.get_by_role("heading", name="Vulnerabilities")).to_contain_text("1 critical, 1 high")
    expect(page.get_by_text("PyYAML 6.0: PYSEC-2099-2; no fix released")).to_be_visible()
    expect(page.get_by_text("nothing to compare with yet")).to_be_visible()

    (shop / "requirements.txt").write_text("Django==4.2.12\nPyYAML==6.0\nsix==1.16.0\n", encoding="utf-8")
    page.get_by_role("button", name="Run again").click()
    new = page.locator("section", has=page.get_by_role("heading", name="New since previous run"))
    resolved = page.locator("section", has=page.get_by_role("heading", name="Resolved since previous run"))
    expect(new).to_contain_text("1 new, 1 resolved, 2 unchanged")
    expect(new).to_contain_text("six 1.16.0: PYSEC-2099-4")
    expect(resolved).to_contain_text("Django 4.2.11: PYSEC-2099-1; fixed in 4.2.12")

    page.get_by_role("link", name="All assessments").click()
    expect(page.locator("tr", has_text="shop")).to_contain_text("run 2")
