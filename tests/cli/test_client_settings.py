"""`steward clients update` (status page, report cadences and time zone) and `clients status-link`,
on the local database (both databases)."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Steward
from tests.cli.test_resources_cli import as_json


@pytest.fixture
def local(steward: Steward, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Steward:
    monkeypatch.setenv("STEWARD_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("STEWARD_SERVER", raising=False)
    monkeypatch.delenv("STEWARD_TOKEN", raising=False)
    return steward


def test_update_sets_the_status_page_and_report_settings(local: Steward) -> None:
    acme = as_json(local("clients", "add", "Acme", "--json"))["id"]
    updated = as_json(
        local(
            "clients", "update", acme, "--status-page", "PUBLIC", "--report-cadence", "monthly",
            "--report-cadence", "weekly", "--report-timezone", "Europe/Paris", "--json",
        )
    )  # fmt: skip
    assert (updated["status_page"], updated["report_cadences"], updated["report_timezone"]) == (
        "public", ["weekly", "monthly"], "Europe/Paris"
    )  # fmt: skip
    none = as_json(local("clients", "update", acme, "--report-cadence", "none", "--json"))
    assert none["report_cadences"] == []
    table = local("clients", "update", acme, "--name", "Acme Ltd")
    assert table.exit_code == 0 and "Acme Ltd" in table.stdout


def test_update_refuses_bad_input_with_exit_code_2(local: Steward) -> None:
    acme = as_json(local("clients", "add", "Acme", "--json"))["id"]
    for args, message in (
        ((), "give at least one of --name, --status-page"),
        (("--status-page", "secret"), "--status-page: 'secret' is not one of off, public, link"),
        (("--report-cadence", "daily"), "--report-cadence: 'daily' is not one of weekly, monthly"),
        (("--report-timezone", "Mars/Olympus"), "body.report_timezone: unknown time zone 'Mars/Olympus'"),
    ):
        result = local("clients", "update", acme, *args)
        assert result.exit_code == 2, args
        assert message in result.stderr


def test_status_link_prints_a_new_url_each_time_and_notes_a_page_that_is_not_a_link(local: Steward) -> None:
    acme = as_json(local("clients", "add", "Acme", "--json"))["id"]
    off = local("clients", "status-link", acme)
    assert off.exit_code == 0
    assert off.stdout.startswith(f"http://127.0.0.1:8000/status/{acme}?key=")
    assert f"steward clients update {acme} --status-page link" in off.stderr
    local("clients", "update", acme, "--status-page", "link")
    on = local("clients", "status-link", acme)
    assert on.exit_code == 0 and on.stderr == ""
    assert on.stdout.strip() != off.stdout.strip()
    assert local("clients", "status-link", 999).exit_code == 2
