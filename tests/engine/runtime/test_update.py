"""Refreshing the release-cycle table from a (local) server."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from pysteward.engine.download import DownloadError
from pysteward.engine.runtime import (
    DEFAULT_URL,
    InvalidReleaseCycleError,
    ReleaseCycle,
    ReleaseStatus,
    release_cycle_url,
    update_release_cycle,
)
from pysteward.engine.runtime.cycle import TABLE_NAME
from pysteward.errors import OperationalError
from tests.httpserver import serve

REFRESHED = date(2027, 2, 1)


@pytest.fixture(scope="module")
def peps_json(shared_data: Path) -> bytes:
    return (shared_data / "cpython-release-cycle-peps-derived.json").read_bytes()


@pytest.fixture(scope="module")
def devguide_json(shared_data: Path) -> bytes:
    return (shared_data / "cpython-release-cycle.json").read_bytes()


def test_it_downloads_converts_and_stores_the_published_table(tmp_path: Path, peps_json: bytes) -> None:
    with serve({"/release-cycle.json": peps_json}) as server:
        result = update_release_cycle(tmp_path, server.url("/release-cycle.json"), today=REFRESHED)
    assert result.changed
    assert result.describe() == "CPython release cycle: 19 versions as of 2027-02-01 (updated)"
    assert result.path == tmp_path / TABLE_NAME
    assert result.versions == len(json.loads(peps_json))
    cycle = ReleaseCycle.load(tmp_path)
    assert cycle.as_of == REFRESHED
    assert cycle.source.endswith("/release-cycle.json")
    entry = cycle.entries["3.14"]
    assert entry.end_of_life == date(2030, 10, 1)
    assert entry.approximate
    assert entry.published_status is ReleaseStatus.BUGFIX
    # The published file has no bugfix or feature-freeze dates: they come from the shipped table.
    assert entry.end_of_bugfix == ReleaseCycle.load().entries["3.14"].end_of_bugfix
    assert entry.feature_freeze == date(2025, 5, 7)
    assert cycle.entries["3.9"].end_of_life == date(2025, 10, 31)
    assert not cycle.entries["3.9"].approximate


def test_the_older_devguide_file_is_accepted_too(tmp_path: Path, devguide_json: bytes) -> None:
    with serve({"/rc.json": devguide_json}) as server:
        result = update_release_cycle(tmp_path, server.url("/rc.json"), today=REFRESHED)
    assert result.versions == len(json.loads(devguide_json))
    assert "3.16" not in ReleaseCycle.load(tmp_path).entries


def test_an_unchanged_file_is_not_converted_again(tmp_path: Path, peps_json: bytes) -> None:
    with serve({"/rc.json": peps_json}) as server:
        update_release_cycle(tmp_path, server.url("/rc.json"), today=REFRESHED)
        second = update_release_cycle(tmp_path, server.url("/rc.json"), today=date(2027, 3, 1))
        assert "If-None-Match" in server.requests[-1][2]
    assert not second.changed
    assert second.as_of == REFRESHED
    assert second.describe() == "CPython release cycle: 19 versions as of 2027-02-01 (unchanged)"
    assert ReleaseCycle.load(tmp_path).as_of == REFRESHED


def test_a_version_missing_from_the_shipped_table_keeps_its_published_status(tmp_path: Path) -> None:
    published = {
        "3.17": {
            "status": "prerelease",
            "first_release": "2028-10-02",
            "end_of_life": "2033-10",
            "pep": 999,
        },
        "3.12": {"status": "security", "first_release": "2023-10-02", "end_of_life": "2028-10"},
    }
    with serve({"/rc.json": json.dumps(published).encode()}) as server:
        update_release_cycle(tmp_path, server.url("/rc.json"), today=REFRESHED)
    cycle = ReleaseCycle.load(tmp_path)
    assert cycle.status("3.17", date(2028, 6, 1)).status is ReleaseStatus.PRERELEASE
    assert cycle.status("3.17", date(2029, 1, 1)).status is ReleaseStatus.BUGFIX
    assert cycle.entries["3.17"].pep == 999
    assert cycle.entries["3.12"].pep == 693


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>not json</html>", "invalid JSON"),
        (b"[]", "expected a non-empty object"),
        (b"{}", "expected a non-empty object"),
        (b'{"3.x": {}}', "not a minor version"),
        (b'{"3.12": "security"}', "expected an object"),
        (b'{"3.12": {"status": "retired"}}', "unknown status"),
        (
            b'{"3.12": {"status": "security", "first_release": "2023", "end_of_life": "2028-10"}}',
            "first_release",
        ),
        (
            b'{"3.12": {"status": "security", "first_release": "2023-10-02", "end_of_life": "soon"}}',
            "end_of_life",
        ),
        (
            b'{"3.12": {"status": "security", "first_release": "2023-10-02", "end_of_life": "2028-13"}}',
            "not a valid date",
        ),
    ],
)
def test_an_invalid_download_raises_and_keeps_the_old_table(
    tmp_path: Path, peps_json: bytes, body: bytes, message: str
) -> None:
    with serve({"/rc.json": peps_json}) as server:
        update_release_cycle(tmp_path, server.url("/rc.json"), today=REFRESHED)
        before = (tmp_path / TABLE_NAME).read_bytes()
        server.files["/rc.json"] = body
        with pytest.raises(InvalidReleaseCycleError, match=message) as raised:
            update_release_cycle(tmp_path, server.url("/rc.json"), today=date(2027, 3, 1))
    assert isinstance(raised.value, OperationalError)
    assert (tmp_path / TABLE_NAME).read_bytes() == before
    assert ReleaseCycle.load(tmp_path).as_of == REFRESHED


def test_after_an_invalid_download_the_next_refresh_downloads_again(tmp_path: Path, peps_json: bytes) -> None:
    with serve({"/rc.json": b"nonsense"}) as server:
        with pytest.raises(InvalidReleaseCycleError):
            update_release_cycle(tmp_path, server.url("/rc.json"), today=REFRESHED)
        assert not (tmp_path / TABLE_NAME).exists()
        server.files["/rc.json"] = peps_json
        result = update_release_cycle(tmp_path, server.url("/rc.json"), today=REFRESHED)
        assert "If-None-Match" not in server.requests[-1][2]
    assert result.changed


def test_an_http_error_raises_and_keeps_the_old_table(tmp_path: Path, peps_json: bytes) -> None:
    with serve({"/rc.json": peps_json}) as server:
        update_release_cycle(tmp_path, server.url("/rc.json"), today=REFRESHED)
        before = (tmp_path / TABLE_NAME).read_bytes()
        server.status_overrides["/rc.json"] = 500
        with pytest.raises(DownloadError, match="500"):
            update_release_cycle(tmp_path, server.url("/rc.json"), today=date(2027, 3, 1))
    assert (tmp_path / TABLE_NAME).read_bytes() == before


def test_a_table_lost_after_a_download_is_rebuilt_from_the_kept_file(
    tmp_path: Path, peps_json: bytes
) -> None:
    with serve({"/rc.json": peps_json}) as server:
        update_release_cycle(tmp_path, server.url("/rc.json"), today=REFRESHED)
        (tmp_path / TABLE_NAME).unlink()
        result = update_release_cycle(tmp_path, server.url("/rc.json"), today=REFRESHED)
    assert result.changed
    assert ReleaseCycle.load(tmp_path).as_of == REFRESHED


def test_the_url_comes_from_the_environment_when_set(
    tmp_path: Path, peps_json: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("STEWARD_RELEASE_CYCLE_URL")
    assert release_cycle_url() == DEFAULT_URL
    with serve({"/mirror.json": peps_json}) as server:
        monkeypatch.setenv("STEWARD_RELEASE_CYCLE_URL", server.url("/mirror.json"))
        result = update_release_cycle(tmp_path, today=REFRESHED)
        assert server.requests[-1][1] == "/mirror.json"
    assert result.changed
