"""Refreshing the popular-names list from a (local) server."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from pysteward.engine.download import DownloadError
from pysteward.engine.typosquat import (
    DEFAULT_URL,
    FILE_NAME,
    URL_ENV,
    InvalidPopularNamesError,
    PopularNamesError,
    bundle_popular_names,
    load_popular_names,
    parse_top_packages,
    popular_names_url,
    update_popular_names,
)
from pysteward.engine.typosquat.update import RAW_NAME
from pysteward.errors import OperationalError
from tests.httpserver import serve


@pytest.fixture(scope="module")
def top_json(shared_data: Path) -> bytes:
    return (shared_data / "top-pypi-packages.json").read_bytes()


def test_it_downloads_converts_and_stores_the_list(tmp_path: Path, top_json: bytes) -> None:
    with serve({"/top.json": top_json}) as server:
        result = update_popular_names(tmp_path, server.url("/top.json"))
    rows = json.loads(top_json)["rows"]
    assert result.changed
    assert result.path == tmp_path / FILE_NAME
    assert result.names == len(rows) == 15_000
    assert result.as_of == date(2026, 4, 1)
    assert result.describe() == "popular package names: 15000 as of 2026-04-01 (updated)"
    popular = load_popular_names(tmp_path)
    assert popular is not None
    assert popular.source.endswith("/top.json")
    assert popular.names[0] == (rows[0]["project"], rows[0]["download_count"])
    assert [count for _, count in popular.names] == sorted((r["download_count"] for r in rows), reverse=True)


def test_bundling_writes_the_list_a_wheel_carries_and_nothing_else(tmp_path: Path, top_json: bytes) -> None:
    target = tmp_path / "package" / FILE_NAME
    target.parent.mkdir()
    with serve({"/top.json": top_json}) as server:
        result = bundle_popular_names(target, server.url("/top.json"))
    assert result.path == target
    assert result.describe() == "popular package names: 15000 as of 2026-04-01 (updated)"
    assert list(target.parent.iterdir()) == [target]  # no raw download or validators beside it
    popular = load_popular_names(tmp_path / "empty-data-dir", bundled=target)
    assert popular is not None
    assert len(popular) == 15_000


def test_an_unchanged_file_is_not_converted_again(tmp_path: Path, top_json: bytes) -> None:
    with serve({"/top.json": top_json}) as server:
        update_popular_names(tmp_path, server.url("/top.json"))
        second = update_popular_names(tmp_path, server.url("/top.json"))
        assert "If-None-Match" in server.requests[-1][2]
    assert not second.changed
    assert second.describe() == "popular package names: 15000 as of 2026-04-01 (unchanged)"


def test_an_unchanged_download_is_converted_again_when_the_list_is_gone(
    tmp_path: Path, top_json: bytes
) -> None:
    with serve({"/top.json": top_json}) as server:
        update_popular_names(tmp_path, server.url("/top.json"))
        (tmp_path / FILE_NAME).unlink()
        again = update_popular_names(tmp_path, server.url("/top.json"))
        assert "If-None-Match" in server.requests[-1][2]
    assert again.changed
    assert load_popular_names(tmp_path) is not None


def test_an_invalid_download_keeps_the_old_list(tmp_path: Path, top_json: bytes) -> None:
    with serve({"/top.json": top_json}) as server:
        update_popular_names(tmp_path, server.url("/top.json"))
        before = (tmp_path / FILE_NAME).read_bytes()
        server.files["/top.json"] = b"<html>maintenance</html>"
        with pytest.raises(InvalidPopularNamesError, match="not a top-packages list: invalid JSON") as caught:
            update_popular_names(tmp_path, server.url("/top.json"))
    assert isinstance(caught.value, OperationalError)
    assert (tmp_path / FILE_NAME).read_bytes() == before
    # The bad download and its validators are gone, so the next refresh downloads in full.
    assert not (tmp_path / RAW_NAME).exists()
    assert not (tmp_path / (RAW_NAME + ".http.json")).exists()


def test_a_server_error_keeps_the_old_list(tmp_path: Path, top_json: bytes) -> None:
    with serve({"/top.json": top_json}) as server:
        update_popular_names(tmp_path, server.url("/top.json"))
        before = (tmp_path / FILE_NAME).read_bytes()
        server.status_overrides["/top.json"] = 500
        with pytest.raises(DownloadError, match="HTTP 500"):
            update_popular_names(tmp_path, server.url("/top.json"))
    assert (tmp_path / FILE_NAME).read_bytes() == before


def test_the_url_comes_from_the_environment_or_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(URL_ENV, raising=False)
    assert popular_names_url() == DEFAULT_URL
    monkeypatch.setenv(URL_ENV, "http://127.0.0.1:9/top.json")
    assert popular_names_url() == "http://127.0.0.1:9/top.json"


def test_the_environment_url_is_used_when_none_is_given(
    tmp_path: Path, top_json: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    with serve({"/mirror.json": top_json}) as server:
        monkeypatch.setenv(URL_ENV, server.url("/mirror.json"))
        update_popular_names(tmp_path)
        assert server.paths() == ["/mirror.json"]


def _top(rows: object, last_update: object = "2026-04-01 06:34:06") -> bytes:
    return json.dumps({"last_update": last_update, "rows": rows}).encode()


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"\xff\xfe{", "invalid JSON"),
        (b"[]", "expected an object with a non-empty `rows` list"),
        (_top([]), "expected an object with a non-empty `rows` list"),
        (_top({"project": "a"}), "expected an object with a non-empty `rows` list"),
        (_top([{"project": "a", "download_count": 1}], None), "last_update None is not a date"),
        (_top([{"project": "a", "download_count": 1}], "yesterday"), "last_update 'yesterday' is not a date"),
        (_top(["a"]), "rows[0]: expected project and a download_count of 0 or more"),
        (_top([{"project": "a", "download_count": 1}, {"project": ""}]), "rows[1]: expected project"),
        (_top([{"project": 3, "download_count": 1}]), "rows[0]: expected project"),
        (_top([{"project": "a", "download_count": "1"}]), "rows[0]: expected project"),
        (_top([{"project": "a", "download_count": False}]), "rows[0]: expected project"),
        (_top([{"project": "a", "download_count": -5}]), "rows[0]: expected project"),
    ],
)
def test_it_rejects_files_that_are_not_top_package_lists(body: bytes, problem: str) -> None:
    with pytest.raises(InvalidPopularNamesError) as caught:
        parse_top_packages(body, source="https://example.invalid/top.json")
    assert str(caught.value).startswith("https://example.invalid/top.json: not a top-packages list: ")
    assert problem in str(caught.value)
    assert isinstance(caught.value, PopularNamesError)


def test_a_bare_date_is_accepted_as_last_update() -> None:
    popular = parse_top_packages(_top([{"project": "A_B", "download_count": 0}], "2026-05-01"), source="s")
    assert popular.as_of == date(2026, 5, 1)
    assert popular.names == (("a-b", 0),)
