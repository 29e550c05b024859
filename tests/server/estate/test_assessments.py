"""Assessment runs through the API: the real engine on small projects, history, differences, failures
and who may see what (on SQLite and PostgreSQL)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from pysteward.server.estate import assessments
from tests.server.conftest import Personas
from tests.server.estate.assessment_world import (
    assessable_service,
    build_database,
    install_database,
    run,
    write_project,
)
from tests.server.estate.world import API


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_database(tmp_path_factory.mktemp("advisories"))


@pytest.fixture
def advisories(built: Path) -> Path:
    return install_database(built)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "shop")


def keys(findings: list[dict[str, Any]]) -> list[str]:
    return [f["key"] for f in findings]


def test_an_engineer_runs_an_assessment_and_gets_findings_risk_and_summary(
    client: TestClient, personas: Personas, advisories: Path, project: Path
) -> None:
    service_id = assessable_service(client, personas, personas.acme, project)
    made = run(client, personas, service_id)
    assert (made["status"], made["error"], made["repository_path"]) == ("succeeded", "", str(project))
    assert made["requested_by"] == personas["engineer"].user_id
    assert made["finished_at"] >= made["started_at"]
    assert (made["risk_grade"], made["risk_score"]) == ("D", 56.8)
    summary = made["summary"]
    assert summary["findings"] == 3
    assert summary["critical_vulnerabilities"] == 1
    assert summary["vulnerabilities"] == 2
    assert summary["license_issues"] == 0
    assert summary["by_severity"] == {
        "malicious": 0, "critical": 1, "high": 2, "medium": 0, "low": 0, "unknown": 0, "info": 0,
    }  # fmt: skip
    assert summary["by_kind"]["vulnerabilities"] == 2
    assert summary["by_kind"]["runtime"] == 1
    assert summary["eol_runtimes"] == [{"version": "3.8", "eol": "2024-10-07"}]
    assert {"version": "3.8", "eol": "2024-10-07", "supported": False} in summary["runtimes"]
    assert summary["components"] == [
        {"project": ".", "name": "Django", "version": "4.2.11", "license": None},
        {"project": ".", "name": "PyYAML", "version": "6.0", "license": None},
    ]
    assert summary["advisory_database"]["records"] == 10
    assert keys(made["findings"]) == [
        "vulnerabilities:.:pyyaml:PYSEC-2099-2",
        "vulnerabilities:.:django:PYSEC-2099-1",
        "runtime:.:steward/runtime-eol:3.8:.python-version",
    ]
    django = made["findings"][1]
    assert django["fix"] == "upgrade django to 4.2.12 or later"
    assert django["title"] == "Django 4.2.11: PYSEC-2099-1; fixed in 4.2.12"
    assert "pinned in requirements.txt:1" in django["detail"]
    shown = client.get(f"{API}/assessments/{made['id']}", headers=personas.headers("acme_viewer")).json()
    assert shown == made


def test_a_second_run_shows_what_is_new_resolved_and_unchanged(
    client: TestClient, personas: Personas, advisories: Path, project: Path
) -> None:
    service_id = assessable_service(client, personas, personas.acme, project)
    first = run(client, personas, service_id)
    # Django upgraded past its fix; six added at a version with a low advisory; a blank line moved
    # every pin down, which must not change the keys.
    (project / "requirements.txt").write_text(
        "\nDjango==4.2.12\nPyYAML==6.0\nsix==1.16.0\n", encoding="utf-8"
    )
    second = run(client, personas, service_id, repository_path=str(project))
    diff = client.get(f"{API}/assessments/{second['id']}/diff", headers=personas.headers("engineer")).json()
    assert diff["run_id"] == second["id"]
    assert diff["previous_run_id"] == first["id"]
    assert keys(diff["new"]) == ["vulnerabilities:.:six:PYSEC-2099-4"]
    assert keys(diff["resolved"]) == ["vulnerabilities:.:django:PYSEC-2099-1"]
    assert keys(diff["unchanged"]) == [
        "vulnerabilities:.:pyyaml:PYSEC-2099-2",
        "runtime:.:steward/runtime-eol:3.8:.python-version",
    ]
    assert diff["resolved"][0]["title"] == "Django 4.2.11: PYSEC-2099-1; fixed in 4.2.12"


def test_the_first_run_has_everything_new(
    client: TestClient, personas: Personas, advisories: Path, project: Path
) -> None:
    made = run(client, personas, assessable_service(client, personas, personas.acme, project))
    diff = client.get(f"{API}/assessments/{made['id']}/diff", headers=personas.headers("engineer")).json()
    assert diff["previous_run_id"] is None
    assert (len(diff["new"]), diff["resolved"], diff["unchanged"]) == (3, [], [])


def test_a_missing_checkout_is_a_failed_run_and_earlier_runs_stay(
    client: TestClient, personas: Personas, advisories: Path, project: Path, sessions: sessionmaker[Session]
) -> None:
    service_id = assessable_service(client, personas, personas.acme, project)
    first = run(client, personas, service_id)
    shutil.rmtree(project)
    failed = run(client, personas, service_id)
    assert failed["status"] == "failed"
    assert failed["error"] == f"{project}: not a directory on the server (assessments need a checkout)"
    assert (failed["summary"], failed["findings"], failed["risk_grade"]) == (None, [], None)
    assert failed["finished_at"] is not None
    listed = client.get(f"{API}/services/{service_id}/assessments", headers=personas.headers("admin")).json()
    assert [(r["id"], r["status"]) for r in listed["items"]] == [
        (first["id"], "succeeded"),
        (failed["id"], "failed"),
    ]
    assert listed["items"][0]["summary"]["critical_vulnerabilities"] == 1
    conflict = client.get(f"{API}/assessments/{failed['id']}/diff", headers=personas.headers("admin"))
    assert conflict.status_code == 409
    assert conflict.json()["error"]["message"] == (
        f"assessment run {failed['id']} failed: it has no findings to compare"
    )
    with sessions() as session:
        assert assessments.latest_runs(session, [service_id])[service_id].id == first["id"]
        any_status = assessments.latest_runs(session, [service_id], succeeded_only=False)
        assert any_status[service_id].id == failed["id"]


def test_without_an_advisory_database_the_run_fails_and_names_the_fix(
    client: TestClient, personas: Personas, project: Path
) -> None:
    failed = run(client, personas, assessable_service(client, personas, personas.acme, project))
    assert failed["status"] == "failed"
    assert failed["error"].startswith("no advisory database at ")
    assert failed["error"].endswith("; run `steward db update` (or `steward db import FILE` offline)")


def test_unreadable_manifests_are_all_named_in_the_error(
    client: TestClient, personas: Personas, advisories: Path, project: Path
) -> None:
    (project / "pyproject.toml").write_text("[project\n", encoding="utf-8")
    (project / "requirements.txt").write_text("Django==4.2.11 ; python_version >\n", encoding="utf-8")
    failed = run(client, personas, assessable_service(client, personas, personas.acme, project))
    assert failed["status"] == "failed"
    assert "pyproject.toml" in failed["error"]
    assert "requirements.txt:1" in failed["error"]
    assert "; " in failed["error"]


@pytest.mark.usefixtures("advisories")
def test_an_engine_bug_is_a_failed_run_not_a_run_left_running(
    client: TestClient,
    personas: Personas,
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(assessments, "record_of", broken)
    failed = run(client, personas, assessable_service(client, personas, personas.acme, project))
    assert failed["status"] == "failed"
    assert failed["error"] == "internal error while assessing; the server log has the details"
    assert "RuntimeError: boom" in caplog.text


def test_a_path_the_service_has_not_registered_is_refused(
    client: TestClient, personas: Personas, advisories: Path, project: Path
) -> None:
    service_id = assessable_service(client, personas, personas.acme, project)
    response = client.post(
        f"{API}/services/{service_id}/assessments",
        json={"repository_path": "/etc"},
        headers=personas.headers("admin"),
    )
    assert response.status_code == 422
    assert response.json()["error"]["message"] == f"'/etc' is not a repository path of service {service_id}"
    bare = assessable_service(client, personas, personas.acme, name="bare")
    response = client.post(f"{API}/services/{bare}/assessments", headers=personas.headers("admin"))
    assert response.status_code == 422
    assert "has no repository path to assess" in response.json()["error"]["message"]
    extra = client.post(
        f"{API}/services/{service_id}/assessments", json={"path": "x"}, headers=personas.headers("admin")
    )
    assert extra.status_code == 422
    listed = client.get(f"{API}/services/{service_id}/assessments", headers=personas.headers("admin"))
    assert listed.json()["items"] == []


def test_the_chosen_path_is_assessed_not_the_first(
    client: TestClient, personas: Personas, advisories: Path, tmp_path: Path
) -> None:
    first = write_project(tmp_path / "a", "Django==4.2.12\n", python="3.12")
    second = write_project(tmp_path / "b", "six==1.16.0\n", python="3.12")
    service_id = assessable_service(client, personas, personas.acme, first, second)
    made = run(client, personas, service_id, repository_path=str(second))
    assert made["repository_path"] == str(second)
    assert keys(made["findings"]) == ["vulnerabilities:.:six:PYSEC-2099-4"]
    assert made["summary"]["eol_runtimes"] == []
    default = run(client, personas, service_id)
    assert (default["repository_path"], default["findings"], default["risk_grade"]) == (
        str(first),
        [],
        "A",
    )


def test_viewers_read_their_own_runs_only_and_never_run_one(
    client: TestClient, personas: Personas, advisories: Path, project: Path
) -> None:
    acme = assessable_service(client, personas, personas.acme, project)
    globex = assessable_service(client, personas, personas.globex, project)
    ours, theirs = run(client, personas, acme), run(client, personas, globex, who="admin")
    viewer = personas.headers("acme_viewer")
    assert client.get(f"{API}/assessments/{ours['id']}", headers=viewer).status_code == 200
    assert client.get(f"{API}/assessments/{ours['id']}/diff", headers=viewer).status_code == 200
    assert client.get(f"{API}/services/{acme}/assessments", headers=viewer).status_code == 200
    for path in (
        f"/assessments/{theirs['id']}",
        f"/assessments/{theirs['id']}/diff",
        f"/services/{globex}/assessments",
        "/assessments/999999",
    ):
        answer = client.get(f"{API}{path}", headers=viewer)
        assert answer.status_code == 404, path
    missing = client.get(f"{API}/assessments/999999", headers=viewer).json()["error"]["message"]
    hidden = client.get(f"{API}/assessments/{theirs['id']}", headers=viewer).json()["error"]["message"]
    assert (missing, hidden) == (
        "assessment run 999999 not found",
        f"assessment run {theirs['id']} not found",
    )
    assert client.post(f"{API}/services/{acme}/assessments", headers=viewer).status_code == 403
    assert client.post(f"{API}/services/{globex}/assessments", headers=viewer).status_code == 404


def test_runs_are_listed_a_page_at_a_time_without_findings(
    client: TestClient, personas: Personas, advisories: Path, project: Path
) -> None:
    service_id = assessable_service(client, personas, personas.acme, project)
    made = [run(client, personas, service_id)["id"] for _ in range(3)]
    headers = personas.headers("engineer")
    page = client.get(f"{API}/services/{service_id}/assessments?limit=2", headers=headers).json()
    assert [r["id"] for r in page["items"]] == made[:2]
    assert page["next_after"] == made[1]
    assert "findings" not in page["items"][0]
    assert "components" not in page["items"][0]["summary"]
    rest = client.get(
        f"{API}/services/{service_id}/assessments?limit=2&after={page['next_after']}", headers=headers
    ).json()
    assert ([r["id"] for r in rest["items"]], rest["next_after"]) == ([made[2]], None)
