"""`steward reports …` on the local database (the in-process API), on both databases, with the fake PDF
renderer of the report tests."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from pysteward.cli import reports as cli
from pysteward.cli.reports import report_kind
from pysteward.errors import InputError
from tests.cli.conftest import Steward
from tests.server.reports.world import fake_pdf


@pytest.fixture
def local(steward: Steward, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Steward:
    """`steward` on this test's database, no server configured, wide tables, fake PDFs."""
    monkeypatch.setenv("STEWARD_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("STEWARD_SERVER", raising=False)
    monkeypatch.delenv("STEWARD_TOKEN", raising=False)
    fake_pdf(monkeypatch)
    return steward


def _json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def client(local: Steward) -> int:
    return int(_json(local("clients", "add", "Acme & Co", "--json"))["id"])


def test_a_report_is_generated_listed_and_downloaded_with_its_hash_checked(
    local: Steward, client: int, tmp_path: Path
) -> None:
    made = local("reports", "generate", "--client", client, "--period", "2026-11")
    assert made.exit_code == 0, made.output
    assert "generated report 1" in made.stdout and "steward reports download 1" in made.stderr
    again = _json(local("reports", "generate", "--client", client, "--period", "2026-11", "--json"))
    assert (again["version"], again["kind"], again["period"]) == (2, "monthly", "2026-11")
    listed = local("reports", "list", "--client", client)
    assert "v1 (v2 is newer)" in listed.stdout and listed.stderr == "2 reports\n"
    assert [
        r["version"] for r in _json(local("reports", "list", "--kind", "monthly", "--json"))["items"]
    ] == [1, 2]
    target = tmp_path / "november.pdf"
    fetched = local("reports", "download", 2, "--output", target)
    assert fetched.exit_code == 0, fetched.output
    assert fetched.stdout == f"{target}\n"
    assert hashlib.sha256(target.read_bytes()).hexdigest() == again["sha256"]
    assert f"SHA-256 {again['sha256']} matches the archive" in fetched.stderr
    page = local("reports", "download", 1, "--format", "html", "--output", "-")
    assert "<h1>Acme &amp; Co: service report</h1>" in page.stdout
    refused = local("reports", "generate", "--client", client, "--period", "2026-13")
    assert refused.exit_code == 2
    assert refused.stderr.endswith("local database: 422 body.period: '2026-13' is not a month (YYYY-MM)\n")


def test_the_default_file_name_names_the_client_period_and_version(
    local: Steward, client: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _json(local("reports", "generate", "--client", client, "--period", "2026-W47", "--json"))
    monkeypatch.chdir(tmp_path)
    fetched = local("reports", "download", 1)
    assert fetched.stdout == "steward-report-acme-co-2026-W47-v1.pdf\n"
    assert (tmp_path / "steward-report-acme-co-2026-W47-v1.pdf").read_bytes().startswith(b"%PDF-")


def test_a_damaged_download_is_refused_and_nothing_written(
    local: Steward, client: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _json(local("reports", "generate", "--client", client, "--period", "2026-11", "--json"))

    def damaged(self: object, path: str) -> tuple[bytes, str | None]:
        return b"%PDF-not what was archived", "x.pdf"

    monkeypatch.setattr(cli._ReportsApi, "download", damaged)
    result = local("reports", "download", 1, "--output", tmp_path / "x.pdf")
    assert result.exit_code == 3
    assert "report 1: the PDF received has SHA-256" in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_delivering_without_a_channel_says_so(local: Steward, client: int) -> None:
    _json(local("reports", "generate", "--client", client, "--period", "2026-11", "--json"))
    result = local("reports", "deliver", 1)
    assert result.exit_code == 0, result.output
    assert result.stderr == "report 1: no channel to deliver to\n"
    assert _json(local("reports", "deliver", 1, "--json"))["delivery_ids"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--period", "2026-W47", "--kind", "monthly"), "--kind: 2026-W47 is a week, not a month"),
        (("--period", "November"), "--period: 'November' is not a month (2026-11), a week (2026-W47)"),
        (("--kind", "daily"), "--kind: 'daily' is not one of monthly, weekly"),
    ],
)
def test_a_bad_period_or_kind_is_a_usage_error(steward: Steward, args: tuple[str, ...], message: str) -> None:
    result = steward("reports", "generate", "--client", 1, *args)  # refused before any database is opened
    assert result.exit_code == 2, result.output
    assert message in result.stderr


def test_the_kind_follows_the_period_when_it_names_one() -> None:
    assert report_kind("2026-11", None) == "monthly"
    assert report_kind("2026-W47", "weekly") == "weekly"
    assert report_kind("previous", "weekly") == "weekly"
    assert report_kind("current", None) == "monthly"
    with pytest.raises(InputError, match="2026-11 is a month, not a week"):
        report_kind("2026-11", "weekly")
