"""Updating from a URL: conditional download, atomic replace, errors keep the old data."""

from __future__ import annotations

from pathlib import Path

import pytest

from pysteward.engine.advisories import (
    AdvisoryError,
    SourceError,
    db_status,
    default_db_path,
    import_advisories,
    update_advisories,
)
from pysteward.engine.download import DownloadError
from pysteward.engine.observer import Observer
from pysteward.errors import OperationalError
from tests.engine.advisories.helpers import raw, zip_bytes
from tests.httpserver import serve

RECORDS = [raw("PYSEC-1", versions=["1.0"]), raw("PYSEC-2", "other", versions=["2.0"])]


class Progress(Observer):
    def __init__(self) -> None:
        self.tasks: list[tuple[str, int | None]] = []

    def start(self, task: str, total: int | None = None) -> None:
        self.tasks.append((task, total))


def test_a_second_update_is_a_conditional_request_that_reports_unchanged(tmp_path: Path) -> None:
    db_path = tmp_path / "data" / "advisories.sqlite3"
    body = zip_bytes(RECORDS)
    with serve({"/PyPI/all.zip": body}) as server:
        progress = Progress()
        first = update_advisories(db_path, server.url("/PyPI/all.zip"), progress)
        second = update_advisories(db_path, server.url("/PyPI/all.zip"))
        statuses = [r[2].get("If-None-Match") for r in server.requests]
    assert (first.added, first.not_modified) == (2, False)
    assert ("download advisories", len(body)) in progress.tasks
    assert (tmp_path / "data" / "osv-PyPI-all.zip").read_bytes() == body
    assert statuses[0] is None and statuses[1] is not None
    assert second.not_modified and second.unchanged == 2
    assert "unchanged" in second.summary()
    assert db_status(db_path).source == server.url("/PyPI/all.zip")


def test_a_changed_export_is_downloaded_and_imported_again(tmp_path: Path) -> None:
    db_path = tmp_path / "advisories.sqlite3"
    with serve({"/all.zip": zip_bytes(RECORDS)}) as server:
        update_advisories(db_path, server.url("/all.zip"))
        server.files["/all.zip"] = zip_bytes([*RECORDS[:1], raw("PYSEC-3", versions=["3"])])
        report = update_advisories(db_path, server.url("/all.zip"))
    assert (report.added, report.unchanged, report.removed, report.not_modified) == (1, 1, 1, False)


def test_an_http_error_is_operational_and_keeps_the_old_data(tmp_path: Path) -> None:
    db_path = tmp_path / "advisories.sqlite3"
    with serve({"/all.zip": zip_bytes(RECORDS)}) as server:
        update_advisories(db_path, server.url("/all.zip"))
        server.status_overrides["/all.zip"] = 503
        with pytest.raises(DownloadError) as caught:
            update_advisories(db_path, server.url("/all.zip"))
    assert isinstance(caught.value, OperationalError)
    assert "503" in str(caught.value)
    assert db_status(db_path).records == 2


def test_a_corrupt_download_is_refused_and_fetched_again_next_time(tmp_path: Path) -> None:
    db_path = tmp_path / "advisories.sqlite3"
    with serve({"/all.zip": b"<html>captive portal</html>"}) as server:
        with pytest.raises(SourceError):
            update_advisories(db_path, server.url("/all.zip"))
        assert not (tmp_path / "osv-PyPI-all.zip").exists()
        server.files["/all.zip"] = zip_bytes(RECORDS)
        report = update_advisories(db_path, server.url("/all.zip"))
    assert report.added == 2


def test_the_url_comes_from_the_environment_when_not_given(monkeypatch: pytest.MonkeyPatch) -> None:
    with serve({"/mirror/all.zip": zip_bytes(RECORDS)}) as server:
        monkeypatch.setenv("STEWARD_OSV_URL", server.url("/mirror/all.zip"))
        report = update_advisories()
    assert report.source == server.url("/mirror/all.zip")
    assert db_status(default_db_path()).records == 2


def test_import_advisories_accepts_a_url(tmp_path: Path) -> None:
    with serve({"/all.zip": zip_bytes(RECORDS)}) as server:
        report = import_advisories(server.url("/all.zip"), tmp_path / "db.sqlite3")
    assert report.added == 2


def test_importing_into_a_damaged_database_file_is_an_operational_error(tmp_path: Path) -> None:
    db_path = tmp_path / "advisories.sqlite3"
    db_path.write_bytes(b"garbage" * 1000)
    source = tmp_path / "src"
    source.mkdir()
    (source / "PYSEC-1.json").write_text('{"id": "PYSEC-1", "affected": []}')
    with pytest.raises(AdvisoryError) as caught:
        import_advisories(source, db_path)
    assert caught.value.hint is not None and "steward db update" in caught.value.hint


def test_an_unchanged_export_is_imported_again_when_the_database_is_gone(tmp_path: Path) -> None:
    db_path = tmp_path / "advisories.sqlite3"
    with serve({"/all.zip": zip_bytes(RECORDS)}) as server:
        update_advisories(db_path, server.url("/all.zip"))
        db_path.unlink()
        report = update_advisories(db_path, server.url("/all.zip"))
        assert server.requests[-1][2].get("If-None-Match") is not None
    assert (report.added, report.not_modified) == (2, False)


def test_an_unchanged_export_is_imported_when_the_database_came_from_elsewhere(tmp_path: Path) -> None:
    db_path = tmp_path / "advisories.sqlite3"
    with serve({"/all.zip": zip_bytes(RECORDS)}) as server:
        update_advisories(db_path, server.url("/all.zip"))
        import_advisories(Path(__file__).parent / "assets" / "malicious", db_path)
        report = update_advisories(db_path, server.url("/all.zip"))
    assert (report.added, report.removed, report.not_modified) == (2, 2, False)
