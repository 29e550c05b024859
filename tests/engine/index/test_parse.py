from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from packaging.version import Version

from pysteward.engine.index import ProjectState, ProjectStatus, Release
from pysteward.engine.index._parse import MalformedError, project_info, trim
from tests.engine.index.helpers import ASSETS

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def load(name: str) -> dict[str, object]:
    document: dict[str, object] = json.loads((ASSETS / name).read_text(encoding="utf-8"))
    return document


def test_it_reads_upload_times_and_yanked_files_from_the_simple_page_alone() -> None:
    info = project_info("sample-http", load("simple-sample-http.json"), None, {}, NOW)
    yanked = info.release(Version("1.1.0"))
    assert yanked == Release(
        Version("1.1.0"),
        datetime(2024, 3, 20, 11, 5, 29, 640011, tzinfo=UTC),
        yanked=True,
        yanked_reason="breaks redirects with proxies; use 1.2.0",
    )
    # The earliest file of a release dates it; the .exe installer is not a file we can date by version.
    assert info.release(Version("1.0.0")) == Release(
        Version("1.0.0"), datetime(2023, 9, 1, 16, 39, 58, 771120, tzinfo=UTC)
    )
    assert info.latest_version == Version("2.0.0")
    assert not info.ownership_known
    assert info.licenses == ()
    assert info.release(Version("9.9")) is None


def test_it_reads_the_project_status_marker() -> None:
    info = project_info("old-parser", load("simple-old-parser.json"), load("api-old-parser.json"), {}, NOW)
    assert info.status == ProjectStatus(ProjectState.ARCHIVED, "no longer maintained; use new-parser")
    assert info.inactive
    assert info.owners == ("carol",)
    assert info.maintainers == ("carol",)
    assert info.license_text == "MIT"


def test_it_treats_an_unknown_status_marker_as_active() -> None:
    simple = {"name": "x", "files": [], "project-status": {"status": "sunsetting", "reason": "  "}}
    assert project_info("x", simple, None, {}, NOW).status == ProjectStatus()


def test_it_takes_the_latest_final_release_when_the_index_names_none() -> None:
    simple = {
        "versions": ["1.0", "1.1", "2.0b1", "not a version"],
        "files": [
            {"filename": "x-1.1.tar.gz", "yanked": True, "upload-time": "2024-01-01T00:00:00"},
            {"filename": "x-1.0.tar.gz", "upload-time": "garbage"},
            {"filename": "x-1.0-py3-none-any.whl", "upload-time": None},
        ],
    }
    info = project_info("x", simple, None, {}, NOW)
    assert info.latest_version == Version("1.0")
    one_one = info.release(Version("1.1"))
    assert one_one is not None
    assert one_one.yanked
    assert one_one.yanked_reason is None
    assert one_one.uploaded == datetime(2024, 1, 1, tzinfo=UTC)
    assert info.release(Version("1.0")) == Release(Version("1.0"), None)


def test_it_falls_back_to_prereleases_when_there_is_nothing_else() -> None:
    only_pre = project_info("x", {"versions": ["2.0b1"]}, None, {}, NOW)
    assert only_pre.latest_version == Version("2.0b1")
    assert project_info("x", {"versions": []}, None, {}, NOW).latest_version is None


def test_it_reads_releases_from_the_json_api_when_there_is_no_simple_page() -> None:
    api = {
        "info": {"version": "not pep 440", "classifiers": None, "license": "BSD"},
        "releases": {
            "0.5": [{"upload_time": "2020-01-02T03:04:05", "yanked": True, "yanked_reason": "oops"}],
            "0.6": [],
        },
        "ownership": {"roles": [{"role": "Owner", "user": None}, {"role": "Maintainer", "user": "m"}]},
    }
    info = project_info("x", None, api, {}, NOW)
    assert info.latest_version == Version("0.6")
    assert info.release(Version("0.5")) == Release(
        Version("0.5"), datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC), yanked=True, yanked_reason="oops"
    )
    assert info.release(Version("0.6")) == Release(Version("0.6"), None)
    assert (info.owners, info.maintainers, info.organization) == ((), ("m",), None)
    assert info.license_for(Version("0.6")) is not None


def test_it_keeps_license_fields_per_pinned_version() -> None:
    per_version = {Version("1.2.0"): load("api-sample-http-1.2.0.json")}
    info = project_info(
        "sample-http", load("simple-sample-http.json"), load("api-sample-http.json"), per_version, NOW
    )
    assert [str(v) for v, _ in info.licenses] == ["1.2.0", "2.0.0"]
    fields = info.license_for(Version("1.2.0"))
    assert fields is not None
    assert fields.license == "Apache License 2.0"
    assert info.license_expression == "Apache-2.0"
    assert info.license_text is None


@pytest.mark.parametrize(
    ("api", "message"),
    [
        ({"info": []}, "info is not an object"),
        ({"info": {}, "releases": ["1.0"]}, "releases is not an object"),
        ({"info": {}, "releases": {"1.0": {}}}, "releases['1.0'] is not a list"),
        ({"info": {}, "releases": {"1.0": ["x"]}}, "releases['1.0'][0] is not an object"),
        ({"info": {}, "ownership": {"roles": [1]}}, "ownership.roles[0] is not an object"),
        ({"info": {"classifiers": "MIT"}}, "info.classifiers is not a list"),
    ],
)
def test_it_rejects_json_of_the_wrong_shape(api: dict[str, object], message: str) -> None:
    with pytest.raises(MalformedError, match=message.replace("[", r"\[").replace("]", r"\]")):
        project_info("x", None, api, {}, NOW)


def test_it_trims_what_it_never_reads_before_caching() -> None:
    api = load("api-sample-http.json")
    trimmed = trim(api)
    assert "description" not in trimmed["info"]  # type: ignore[operator]
    assert "urls" not in trimmed
    assert trimmed["ownership"] == api["ownership"]
    assert trimmed["releases"]["1.1.0"][0] == {  # type: ignore[index]
        "filename": "sample_http-1.1.0-py3-none-any.whl",
        "upload_time": "2024-03-20T11:05:31",
        "upload_time_iso_8601": "2024-03-20T11:05:31.118204Z",
        "yanked": True,
        "yanked_reason": "breaks redirects with proxies; use 1.2.0",
    }
    simple = load("simple-sample-http.json")
    assert project_info("s", trim(simple), trim(api), {}, NOW) == project_info("s", simple, api, {}, NOW)


def test_it_leaves_unexpected_shapes_for_the_parser_to_judge() -> None:
    odd: dict[str, object] = {"info": "text", "files": [1, {"filename": "a", "url": "u"}], "releases": ["x"]}
    assert trim(odd) == {"info": "text", "files": [1, {"filename": "a"}], "releases": ["x"]}
    assert trim({"files": "nope"}) == {"files": "nope"}
