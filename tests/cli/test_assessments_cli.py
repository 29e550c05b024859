"""`steward assessments run|list|show|diff` on the local database (in-process API), on both databases."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests.cli.conftest import Steward
from tests.server.estate.assessment_files import install_database, write_project


@pytest.fixture
def local(steward: Steward, database_url: str, advisory_db: Path, monkeypatch: pytest.MonkeyPatch) -> Steward:
    """`steward` on this test's database, the small advisory database installed, wide tables."""
    install_database(advisory_db)
    monkeypatch.setenv("STEWARD_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("STEWARD_SERVER", raising=False)
    monkeypatch.delenv("STEWARD_TOKEN", raising=False)
    return steward


def ok_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_runs_are_made_listed_shown_and_compared(local: Steward, tmp_path: Path) -> None:
    project = write_project(tmp_path / "shop")
    client = ok_json(local("clients", "add", "Acme", "--json"))["id"]
    service = ok_json(local("services", "add", "shop", "--client", client, "--repo", project, "--json"))["id"]
    first = local("assessments", "run", service)
    assert first.exit_code == 0, first.output
    assert "│ 1  │ " in first.stdout
    assert "│ D 56.8 │ 3        │ 1        │ 3.8 " in first.stdout
    assert "PyYAML 6.0: PYSEC-2099-2; no fix released" in first.stdout
    assert "note: 2 packages are not in the package-index cache (offline)" in first.stderr
    (project / "requirements.txt").write_text("Django==4.2.12\nPyYAML==6.0\n", encoding="utf-8")
    second = ok_json(local("assessments", "run", service, "--path", project, "--json"))
    assert (second["status"], second["summary"]["vulnerabilities"]) == ("succeeded", 1)
    diff = local("assessments", "diff", second["id"])
    assert diff.exit_code == 0, diff.output
    assert diff.stdout.startswith(f"run {second['id']} against run 1: 0 new, 1 resolved, 2 unchanged\n")
    assert "Django 4.2.11: PYSEC-2099-1; fixed in 4.2.12" in diff.stdout
    assert "against nothing (the first succeeded run): 3 new" in local("assessments", "diff", 1).stdout
    listing = local("assessments", "list", service)
    assert listing.stderr == "2 assessment runs\n"
    assert "succeeded" in listing.stdout
    shown = ok_json(local("assessments", "show", 1, "--json"))
    assert [f["severity"] for f in shown["findings"]] == ["critical", "high", "high"]


def test_a_failed_run_is_printed_and_exits_3(local: Steward, tmp_path: Path) -> None:
    project = write_project(tmp_path / "shop")
    client = ok_json(local("clients", "add", "Acme", "--json"))["id"]
    service = ok_json(local("services", "add", "shop", "--client", client, "--repo", project, "--json"))["id"]
    shutil.rmtree(project)
    failed = local("assessments", "run", service)
    assert failed.exit_code == 3, failed.output
    assert "failed" in failed.stdout
    assert f"error: assessment run 1 failed: {project}: not a directory on the server" in failed.stderr
    assert local("assessments", "show", 1).exit_code == 3
    refused = local("assessments", "run", service, "--path", "/elsewhere")
    assert refused.exit_code == 2
    assert "is not a repository path of service" in refused.stderr
