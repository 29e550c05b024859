"""`steward db import|update|status`: local and served sources, failures that keep what was stored."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pysteward.cli._progress import RichObserver
from pysteward.engine import advisories
from pysteward.engine.advisories import default_db_path
from pysteward.engine.datadir import data_dir
from tests.cli.conftest import OSV_RECORDS, Steward
from tests.httpserver import serve

RECORDS = sorted(OSV_RECORDS.glob("*.json"))


def osv_zip(records: list[Path] = RECORDS) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for record in records:
            archive.writestr(record.name, record.read_bytes())
    return buffer.getvalue()


def status_lines(steward: Steward, *args: object) -> dict[str, str]:
    result = steward("db", "status", *args)
    assert result.exit_code == 0, result.output
    return {
        key: value.strip() for key, _, value in (line.partition(":") for line in result.stdout.splitlines())
    }


def test_it_imports_a_zip_into_the_data_directory_and_reports_its_status(
    steward: Steward, tmp_path: Path
) -> None:
    archive = tmp_path / "all.zip"
    archive.write_bytes(osv_zip())
    result = steward("db", "import", archive)
    assert result.exit_code == 0, result.output
    assert (
        result.stdout == f"{archive}: {len(RECORDS)} added, 0 updated, 0 unchanged, 0 removed, 0 withdrawn\n"
    )
    assert default_db_path().is_file()
    status = status_lines(steward)
    assert status["database"] == str(default_db_path())
    assert status["source"] == str(archive)
    assert status["records"] == f"{len(RECORDS)} advisories for {len(RECORDS)} packages"
    assert status["newest record"] == "2099-01-01T00:00:00+00:00"
    assert status["imported"].endswith("(0 days ago)")
    assert status["release cycle"].startswith("CPython, as of ")
    assert status["popular names"].startswith("none, typosquats are not checked")
    assert "data age" in status


def test_it_imports_a_directory_and_a_second_import_changes_nothing(steward: Steward, tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    first = steward("db", "import", OSV_RECORDS, "--database", database)
    assert first.exit_code == 0, first.output
    assert f"{len(RECORDS)} added" in first.stdout
    again = steward("db", "import", OSV_RECORDS, "--database", database)
    assert f"0 added, 0 updated, {len(RECORDS)} unchanged" in again.stdout
    assert status_lines(steward, "--database", database)["source"] == str(OSV_RECORDS)


def test_a_failed_import_keeps_the_previous_database(steward: Steward, tmp_path: Path) -> None:
    assert steward("db", "import", OSV_RECORDS).exit_code == 0
    before = status_lines(steward)
    corrupt = tmp_path / "all.zip"
    corrupt.write_bytes(osv_zip()[:200])
    result = steward("db", "import", corrupt)
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr
    after = status_lines(steward)
    assert (after["source"], after["records"]) == (before["source"], before["records"])


def test_status_without_a_database_exits_3_naming_the_fix(steward: Steward) -> None:
    result = steward("db", "status")
    assert result.exit_code == 3
    assert "steward db update" in result.stderr


def test_status_says_one_day_and_copes_without_a_newest_record(
    steward: Steward, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert steward("db", "import", OSV_RECORDS).exit_code == 0
    real = advisories.db_status

    def tomorrow(path: Path | None = None) -> advisories.DatabaseStatus:
        status = real(path, now=datetime.now(UTC) + timedelta(days=1, hours=1))
        return replace(status, newest_modified=None)

    monkeypatch.setattr(advisories, "db_status", tomorrow)
    status = status_lines(steward)
    assert status["imported"].endswith("(1 day ago)")
    assert status["newest record"] == "unknown"
    assert "data age" not in status


def test_it_imports_from_a_url_with_a_progress_bar(steward: Steward, tmp_path: Path) -> None:
    with serve({"/osv/all.zip": osv_zip()}) as server:
        url = server.url("/osv/all.zip")
        result = steward("db", "import", url, env={"TTY_COMPATIBLE": "1"})
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{url}: {len(RECORDS)} added")
    assert "download advisories" in result.stderr
    assert status_lines(steward)["source"] == url


def test_update_downloads_every_data_set_and_a_second_update_reports_unchanged(
    steward: Steward, shared_data: Path
) -> None:
    files = {
        "/PyPI/all.zip": (shared_data / "osv-pypi-pypa.zip").read_bytes(),
        "/api/release-cycle.json": (shared_data / "cpython-release-cycle-peps-derived.json").read_bytes(),
        "/top.json": (shared_data / "top-pypi-packages.json").read_bytes(),
    }
    with serve(files) as server:
        env = {
            "STEWARD_OSV_URL": server.url("/PyPI/all.zip"),
            "STEWARD_RELEASE_CYCLE_URL": server.url("/api/release-cycle.json"),
            "STEWARD_POPULAR_URL": server.url("/top.json"),
        }
        first = steward("db", "update", env=env)
        assert first.exit_code == 0, first.output
        osv_line, cycle_line, popular_line = first.stdout.splitlines()
        assert "15000" in popular_line.replace(",", "")
        assert osv_line.startswith(f"{env['STEWARD_OSV_URL']}: 2661 added")
        assert cycle_line.startswith("CPython release cycle: ")
        assert cycle_line.endswith("(updated)")
        assert "warning:" in first.stderr  # the real data holds ranges PEP 440 cannot read

        second = steward("db", "update", env=env)
        assert second.exit_code == 0, second.output
        osv_again, cycle_again, popular_again = second.stdout.splitlines()
        assert osv_again == f"{env['STEWARD_OSV_URL']}: unchanged since the last update (2661 records)"
        assert cycle_again == cycle_line.replace("(updated)", "(unchanged)")
        assert popular_again != popular_line and "unchanged" in popular_again
        assert [request[2].get("If-None-Match") is not None for request in server.requests] == [
            False,
            False,
            False,
            True,
            True,
            True,
        ]
    status = status_lines(steward)
    assert status["source"] == env["STEWARD_OSV_URL"]
    assert status["release cycle"].endswith(f"({env['STEWARD_RELEASE_CYCLE_URL']})")
    assert status["popular names"] == f"15000, as of 2026-04-01 ({env['STEWARD_POPULAR_URL']})"


def test_an_http_error_during_update_exits_3_with_one_clear_line(steward: Steward) -> None:
    with serve({}) as server:
        server.status_overrides["/PyPI/all.zip"] = 500
        url = server.url("/PyPI/all.zip")
        result = steward("db", "update", env={"STEWARD_OSV_URL": url})
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == f"error: {url}: the server answered HTTP 500"
    assert "Traceback" not in result.stderr


def test_the_progress_observer_draws_on_a_terminal_and_stays_quiet_elsewhere(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    observer = RichObserver()
    observer.start("download advisories", 10)
    observer.start("import advisories", None)
    observer.advance("download advisories", 10)
    observer.advance("unknown task")
    observer.finish("download advisories")
    observer.finish("import advisories")
    observer.finish("import advisories")
    observer.warn("[bold]careful[/bold]")
    drawn = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", capsys.readouterr().err)
    assert "download advisories" in drawn
    assert "0/10 bytes" in drawn
    assert drawn.endswith("warning: [bold]careful[/bold]\n")

    quiet = RichObserver(quiet=True)
    quiet.start("download advisories", 10)
    quiet.advance("download advisories")
    quiet.finish("download advisories")
    assert capsys.readouterr().err == ""


def test_without_a_data_directory_setting_the_database_lives_in_the_users_data_directory(
    steward: Steward, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STEWARD_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "steward"
    assert steward("db", "import", OSV_RECORDS).exit_code == 0
    assert (tmp_path / "xdg" / "steward" / "advisories.sqlite3").is_file()
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("STEWARD_DATA_DIR", "~/steward-data")
    assert data_dir() == tmp_path / "steward-data"
