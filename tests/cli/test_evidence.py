"""`steward evidence` on the local database (in-process API), on both databases: the zip it writes, its
default name, stdout, and the errors that leave no file behind."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from pysteward.cli.evidence import check_period
from pysteward.errors import InputError
from tests.cli.conftest import Steward

WEEK = "2026-W40"
"""A week that has ended: no monthly report is generated for it, so no PDF is rendered."""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty directory to run in, with no server configured."""
    monkeypatch.delenv("STEWARD_SERVER", raising=False)
    monkeypatch.delenv("STEWARD_TOKEN", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def local(steward: Steward, database_url: str, monkeypatch: pytest.MonkeyPatch, here: Path) -> Steward:
    """`steward` on this test's database, run in `here`."""
    monkeypatch.setenv("STEWARD_DATABASE_URL", database_url)
    return steward


def refused(result: Result, message: str, here: Path) -> None:
    """The command failed with exit 2 and one line starting with `message`, and wrote nothing."""
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(message)
    assert list(here.iterdir()) == []


def _index(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith("/index.json")]
        data: dict[str, Any] = json.loads(archive.read(name))
        return data


def test_the_pack_goes_to_the_servers_file_name_by_default_or_to_stdout(local: Steward, here: Path) -> None:
    made = local("clients", "add", "Acme Corp", "--json")
    assert made.exit_code == 0, made.output
    client = json.loads(made.stdout)["id"]
    result = local("evidence", "--client", client, "--period", WEEK)
    assert result.exit_code == 0, result.output
    written = here / f"evidence-acme-corp-{WEEK}.zip"
    assert result.stdout.strip() == written.name
    index = _index(written)
    assert (index["client"]["name"], index["period"]["label"]) == ("Acme Corp", WEEK)
    assert {"CA-7", "SA-22", "CC7.5"} <= {c["id"] for c in index["controls"]}
    assert index["exported_by"].startswith("local operator")
    assert "sha256sum -c MANIFEST.sha256" in result.stderr
    to_stdout = local("evidence", "--client", client, "--period", WEEK, "-o", "-")
    assert to_stdout.exit_code == 0
    assert to_stdout.stdout_bytes[:2] == b"PK"
    nowhere = local("evidence", "--client", client, "--period", WEEK, "-o", here / "missing" / "pack.zip")
    assert nowhere.exit_code == 3
    assert nowhere.stderr.startswith(f"error: {here / 'missing' / 'pack.zip'}: cannot write the pack: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13"], "error: --period: '2026-13' is not a month (YYYY-MM), a week (YYYY-Www),"),
        (
            ["--period", "2026-W54"],
            "error: --period: '2026-W54' is not a month (YYYY-MM), a week (YYYY-Www),",
        ),
        (["--token", "secret"], "error: --token is only used with --server"),
    ],
)
def test_a_usage_error_is_one_line_and_writes_nothing(
    steward: Steward, here: Path, args: list[str], message: str
) -> None:
    refused(steward("evidence", "--client", 1, *args, "-o", "out.zip"), message, here)


def test_a_period_not_begun_or_an_unknown_client_is_one_line_and_writes_nothing(
    local: Steward, here: Path
) -> None:
    created = local("clients", "add", "Acme")
    assert created.exit_code == 0, created.output
    message = "error: local database: 422 query.period: 2099-01 has not begun yet"
    refused(local("evidence", "--client", 1, "--period", "2099-01", "-o", "out.zip"), message, here)
    message = "error: local database: 404 client 7 not found"
    refused(local("evidence", "--client", 7, "--period", WEEK), message, here)


@pytest.mark.parametrize("text", ["2026-11", "2026-W53", "previous", "current"])
def test_months_weeks_previous_and_current_are_periods(text: str) -> None:
    assert check_period(text) == text


@pytest.mark.parametrize("text", ["2025-W53", "november", "2026-00"])
def test_other_text_is_no_period(text: str) -> None:
    with pytest.raises(InputError, match=f"--period: '{text}' is not a month"):
        check_period(text)
