"""The assessment pages of the console: the list with its run forms, a run's findings and its
difference from the previous run; staff only (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.server.conftest import Personas
from tests.server.estate.assessment_world import (
    assessable_service,
    build_database,
    install_database,
    run,
    write_project,
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_database(tmp_path_factory.mktemp("advisories"))


@pytest.fixture
def advisories(built: Path) -> Path:
    return install_database(built)


def sign_in(client: TestClient, personas: Personas, name: str) -> str:
    """Sign `client` in as persona `name` with a session cookie; the session's CSRF token."""
    person = personas[name]
    login = client.post("/api/v1/auth/login", json={"email": person.email, "password": person.password})
    assert login.status_code == 200, login.text
    token: str = login.json()["csrf_token"]
    return token


def run_from_form(client: TestClient, csrf: str, service_id: int, path: Path) -> int:
    answer = client.post(
        f"/assessments/services/{service_id}/run",
        data={"csrf_token": csrf, "repository_path": str(path)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    match = re.fullmatch(r"/assessments/(\d+)", answer.headers["location"])
    assert match is not None
    return int(match.group(1))


def test_the_list_shows_each_service_with_its_latest_run_and_a_form(
    client: TestClient, personas: Personas, advisories: Path, tmp_path: Path
) -> None:
    project = write_project(tmp_path / "shop")
    shop = assessable_service(client, personas, personas.acme, project, tmp_path / "other")
    assessable_service(client, personas, personas.globex, name="etl")
    made = run(client, personas, shop)
    shutil.rmtree(project)
    failed = run(client, personas, shop)
    sign_in(client, personas, "engineer")
    html = client.get("/assessments").text
    assert f'<a href="/assessments/{made["id"]}">run {made["id"]}</a>' in html
    assert f"run {failed['id']} failed</a>" in html
    assert '<span class="grade grade-D">D</span> 56.8' in html
    assert f'action="/assessments/services/{shop}/run"' in html
    assert f'<option value="{tmp_path / "other"}">' in html
    assert "no repository path registered" in html  # etl
    assert "never assessed" in html


def test_running_from_the_console_shows_findings_then_the_difference(
    client: TestClient, personas: Personas, advisories: Path, tmp_path: Path
) -> None:
    project = write_project(tmp_path / "shop")
    service_id = assessable_service(client, personas, personas.acme, project)
    csrf = sign_in(client, personas, "engineer")
    first = run_from_form(client, csrf, service_id, project)
    html = client.get(f"/assessments/{first}").text
    assert "The first succeeded run of this service: nothing to compare with yet." in html
    assert 'Vulnerabilities <span class="muted">(1 critical, 1 high)</span>' in html
    assert 'Python runtimes <span class="muted">(1 high)</span>' in html
    assert "PyYAML 6.0: PYSEC-2099-2; no fix released" in html
    assert "upgrade django to 4.2.12 or later" in html
    assert "by engineer@example.invalid" in html
    (project / "requirements.txt").write_text("Django==4.2.12\nPyYAML==6.0\nsix==1.16.0\n", encoding="utf-8")
    second = run_from_form(client, csrf, service_id, project)
    html = client.get(f"/assessments/{second}").text
    new, resolved = html.split("New since previous run")[1].split("Resolved since previous run")
    assert "1 new, 1 resolved, 2 unchanged" in new
    assert 'data-key="vulnerabilities:.:six:PYSEC-2099-4"' in new
    assert "PYSEC-2099-1" not in new
    assert 'data-key="vulnerabilities:.:django:PYSEC-2099-1"' in resolved.split("<h2>Findings</h2>")[0]


def test_a_failed_run_page_says_why(
    client: TestClient, personas: Personas, advisories: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "gone"
    service_id = assessable_service(client, personas, personas.acme, missing)
    failed = run(client, personas, service_id)
    sign_in(client, personas, "admin")
    html = client.get(f"/assessments/{failed['id']}").text
    assert f"The assessment failed: {missing}: not a directory on the server" in html
    assert '<span class="run-failed">failed</span>' in html


def test_client_viewers_may_not_open_the_assessment_pages(
    client: TestClient, personas: Personas, advisories: Path, tmp_path: Path
) -> None:
    service_id = assessable_service(client, personas, personas.acme, write_project(tmp_path / "shop"))
    made = run(client, personas, service_id)
    csrf = sign_in(client, personas, "acme_viewer")
    assert client.get("/assessments").status_code == 403
    assert client.get(f"/assessments/{made['id']}").status_code == 403
    answer = client.post(
        f"/assessments/services/{service_id}/run", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert answer.status_code == 403
    assert "<p>This role can only read</p>" in answer.text
