from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from packaging.version import Version

from pysteward.engine.index import (
    IndexLocation,
    LicenseFields,
    ProjectState,
    default_cache_dir,
    fetch_projects,
)
from pysteward.engine.index._cache import CacheEntry, HttpCache
from pysteward.engine.index._http import RetryPolicy, retry_after
from pysteward.engine.observer import Observer
from tests.engine.index.helpers import index_files, location, quick, typed
from tests.httpserver import serve

SAMPLE = [("sample-http", Version("1.2.0"))]


class Recorder(Observer):
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []

    def start(self, task: str, total: int | None = None) -> None:
        self.events.append(("start", total))

    def advance(self, task: str, steps: int = 1) -> None:
        self.events.append(("advance", steps))

    def finish(self, task: str) -> None:
        self.events.append(("finish", None))


def test_it_fetches_a_project_from_the_simple_page_and_the_json_api(tmp_path: Path) -> None:
    with serve(index_files()) as server:
        typed(server)
        observer = Recorder()
        lookup = fetch_projects(
            [*SAMPLE, ("Sample_HTTP", Version("2.0.0")), ("org-tool", None)],
            index=location(server),
            cache_dir=tmp_path,
            observer=observer,
            options=quick(),
        )
        accepts = {path: headers.get("Accept") for _, path, headers in server.requests}
    assert sorted(lookup.found) == ["org-tool", "sample-http"]
    assert (lookup.missing, lookup.not_found, lookup.errors) == ((), (), ())
    info = lookup.found["sample-http"]
    assert info.latest_version == Version("2.0.0")
    assert [str(r.version) for r in info.releases] == [
        "0.9.0",
        "1.0.0",
        "1.1.0",
        "1.2.0",
        "2.0.0rc1",
        "2.0.0",
    ]
    assert info.owners == ("alice",)
    assert info.maintainers == ("bob",)
    assert info.organization is None
    assert info.ownership_known
    assert info.license_for(Version("1.2.0")) == LicenseFields(
        None,
        "Apache License 2.0",
        (
            "Development Status :: 5 - Production/Stable",
            "License :: OSI Approved :: Apache Software License",
            "Programming Language :: Python :: 3",
        ),
    )
    latest = info.license_for(None)
    assert latest is not None
    assert latest.license_expression == "Apache-2.0"
    assert info.license_for(Version("0.9.0")) is None
    assert accepts["/simple/sample-http/"] == "application/vnd.pypi.simple.v1+json"
    assert accepts["/pypi/sample-http/json"] == "application/json"
    # The pinned 2.0.0 is the latest: no per-version page for it.
    assert "/pypi/sample-http/2.0.0/json" not in accepts
    assert observer.events == [("start", 2), ("advance", 1), ("advance", 1), ("finish", None)]
    assert lookup.found["org-tool"].organization == "example-org"


def test_it_answers_from_a_fresh_cache_without_asking_the_index(tmp_path: Path) -> None:
    with serve(index_files()) as server:
        typed(server)
        first = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=quick())
        count = len(server.requests)
        second = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=quick())
        assert len(server.requests) == count == 3
    assert second.found == first.found


def test_it_revalidates_an_expired_entry_with_its_etag(tmp_path: Path) -> None:
    clock = [1_000_000.0]
    options = quick(clock=lambda: clock[0], ttl=60.0)
    with serve(index_files()) as server:
        typed(server)
        first = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=options)
        clock[0] += 61
        second = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=options)
        revalidations = [h for _, _, h in server.requests[3:]]
    assert len(revalidations) == 3
    assert all(h.get("If-None-Match", "").startswith('"') for h in revalidations)
    assert second.found["sample-http"].releases == first.found["sample-http"].releases
    assert second.found["sample-http"].fetched_at == datetime.fromtimestamp(clock[0], UTC)
    entry = HttpCache(tmp_path).load(location(server).project_url("sample-http"))
    assert entry is not None
    assert entry.fetched_at == clock[0]


def test_it_revalidates_with_last_modified_when_the_index_sends_no_etag(tmp_path: Path) -> None:
    stamp = format_datetime(datetime(2026, 11, 1, tzinfo=UTC), usegmt=True)
    clock = [5_000.0]
    options = quick(clock=lambda: clock[0], ttl=10.0)
    with serve(index_files()) as server:
        typed(server)
        server.use_etag = False
        server.default_headers["Last-Modified"] = stamp
        fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=options)
        clock[0] += 11
        again = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=options)
        second_round = server.requests[3:]
    assert [h.get("If-Modified-Since") for _, _, h in second_round] == [stamp] * 3
    assert "sample-http" in again.found


def test_it_refetches_an_expired_entry_that_changed(tmp_path: Path) -> None:
    clock = [0.0]
    options = quick(clock=lambda: clock[0], ttl=1.0)
    files = index_files()
    with serve(files) as server:
        typed(server)
        fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=options)
        changed = json.loads(files["/pypi/sample-http/json"])
        changed["ownership"]["organization"] = "new-home"
        server.files["/pypi/sample-http/json"] = json.dumps(changed).encode()
        clock[0] = 2.0
        lookup = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=options)
    assert lookup.found["sample-http"].organization == "new-home"


def test_it_lists_projects_missing_from_the_cache_when_offline(tmp_path: Path) -> None:
    with serve(index_files()) as server:
        typed(server)
        index = location(server)
        fetch_projects([("org-tool", None)], index=index, cache_dir=tmp_path, options=quick())
    lookup = fetch_projects(
        [("org-tool", None), ("sample-http", Version("1.2.0")), ("never-seen", None)],
        index=index,
        cache_dir=tmp_path,
        offline=True,
    )
    assert list(lookup.found) == ["org-tool"]
    assert lookup.missing == ("never-seen", "sample-http")


def test_it_counts_a_project_missing_offline_when_only_its_json_api_page_is_absent(tmp_path: Path) -> None:
    index = IndexLocation("http://127.0.0.1:9/simple", "test")
    document = json.loads((Path(__file__).parent / "assets" / "simple-org-tool.json").read_text())
    HttpCache(tmp_path).store(CacheEntry(index.project_url("org-tool"), "json", 1.0, document))
    lookup = fetch_projects([("org-tool", None)], index=index, cache_dir=tmp_path, offline=True)
    assert lookup.missing == ("org-tool",)


def test_it_reports_a_404_as_not_on_the_index_and_caches_that(tmp_path: Path) -> None:
    with serve(index_files()) as server:
        typed(server)
        lookup = fetch_projects([("no-such-thing", None)], index=location(server), cache_dir=tmp_path)
        again = fetch_projects([("no-such-thing", None)], index=location(server), cache_dir=tmp_path)
        assert server.paths() == ["/simple/no-such-thing/"]
    assert lookup.not_found == again.not_found == ("no-such-thing",)
    assert lookup.found == {}


def test_it_retries_server_errors_with_backoff_then_succeeds(tmp_path: Path) -> None:
    sleeps: list[float] = []
    with serve(index_files()) as server:
        typed(server)
        server.status_sequences["/simple/sample-http/"] = [503, 502]
        lookup = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=quick(sleeps))
        assert server.paths().count("/simple/sample-http/") == 3
    assert "sample-http" in lookup.found
    assert sleeps == [0.001, 0.002]


def test_it_honours_retry_after_on_429_within_the_cap(tmp_path: Path) -> None:
    sleeps: list[float] = []
    options = quick(sleeps, retry=RetryPolicy(attempts=3, backoff=0.001, max_wait=5.0))
    with serve(index_files()) as server:
        typed(server)
        server.status_sequences["/simple/sample-http/"] = [429, 429]
        server.headers["/simple/sample-http/"]["Retry-After"] = "2"
        lookup = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=options)
    assert "sample-http" in lookup.found
    assert sleeps == [2.0, 2.0]


def test_it_gives_up_after_the_last_attempt_with_a_transient_error_value(tmp_path: Path) -> None:
    sleeps: list[float] = []
    with serve(index_files()) as server:
        typed(server)
        server.status_sequences["/simple/sample-http/"] = [500, 500, 500]
        index = IndexLocation(server.url("/simple").replace("http://", "http://bot:t0ken@"), "test")
        lookup = fetch_projects(SAMPLE, index=index, cache_dir=tmp_path, options=quick(sleeps))
    assert lookup.found == {}
    (error,) = lookup.errors
    assert error.name == "sample-http"
    assert not error.permanent
    assert "HTTP 500 after 3 attempts" in error.message
    assert "t0ken" not in error.message
    assert len(sleeps) == 2


def test_it_retries_connection_errors(tmp_path: Path) -> None:
    sleeps: list[float] = []
    index = IndexLocation("http://127.0.0.1:9/simple", "test")
    lookup = fetch_projects(SAMPLE, index=index, cache_dir=tmp_path, options=quick(sleeps))
    (error,) = lookup.errors
    assert "ConnectError" in error.message
    assert "after 3 attempts" in error.message
    assert len(sleeps) == 2


def test_it_treats_other_client_errors_as_permanent(tmp_path: Path) -> None:
    with serve(index_files()) as server:
        typed(server)
        server.status_overrides["/pypi/sample-http/json"] = 403
        lookup = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=quick())
    (error,) = lookup.errors
    assert error.permanent
    assert "HTTP 403" in error.message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "malformed JSON"),
        (b"[1, 2, 3]", "not an object"),
        (b'{"versions": "nope"}', "unexpected JSON for sample-http: versions is not a list"),
        (b'{"files": [{"filename": "sample_http-1.0.tar.gz"}], "project-status": 3}', "project-status"),
    ],
)
def test_it_turns_malformed_json_into_an_error_value(tmp_path: Path, body: bytes, message: str) -> None:
    files = index_files()
    files["/simple/sample-http/"] = body
    with serve(files) as server:
        typed(server)
        lookup = fetch_projects(
            [*SAMPLE, ("org-tool", None)], index=location(server), cache_dir=tmp_path, options=quick()
        )
    assert list(lookup.found) == ["org-tool"]
    (error,) = lookup.errors
    assert message in error.message
    assert error.permanent


def test_it_does_not_cache_malformed_answers(tmp_path: Path) -> None:
    files = index_files()
    files["/simple/sample-http/"] = b"{broken"
    with serve(files) as server:
        typed(server)
        fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=quick())
        server.files["/simple/sample-http/"] = index_files()["/simple/sample-http/"]
        lookup = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=quick())
    assert "sample-http" in lookup.found


def test_it_uses_the_json_api_alone_when_the_simple_page_is_html(tmp_path: Path) -> None:
    files = index_files()
    files["/simple/org-tool/"] = (
        b"<!DOCTYPE html><html><body><a href='#'>org_tool-3.1.0.whl</a></body></html>"
    )
    with serve(files) as server:
        typed(server)
        server.headers["/simple/org-tool/"] = {"Content-Type": "text/html; charset=utf-8"}
        lookup = fetch_projects([("org-tool", None)], index=location(server), cache_dir=tmp_path)
    info = lookup.found["org-tool"]
    assert info.latest_version == Version("3.1.0")
    assert info.status.state is ProjectState.ACTIVE


def test_it_uses_the_simple_page_alone_when_the_index_has_no_json_api(tmp_path: Path) -> None:
    files = {"/repo/+simple/sample-http/": index_files()["/simple/sample-http/"]}
    with serve(files) as server:
        typed(server)
        lookup = fetch_projects(SAMPLE, index=location(server, "/repo/+simple"), cache_dir=tmp_path)
        assert server.paths() == ["/repo/+simple/sample-http/"]
    info = lookup.found["sample-http"]
    assert not info.ownership_known
    assert info.latest_version == Version("2.0.0")
    assert info.license_for(Version("1.2.0")) is None


def test_it_reports_an_index_that_offers_no_json_at_all(tmp_path: Path) -> None:
    files = {"/simple/sample-http/": b"<html></html>"}
    with serve(files) as server:
        server.default_headers["Content-Type"] = "text/html"
        lookup = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path)
    (error,) = lookup.errors
    assert "offers no JSON for sample-http" in error.message


def test_it_keeps_a_project_whose_pinned_version_page_is_missing(tmp_path: Path) -> None:
    files = index_files()
    del files["/pypi/sample-http/1.2.0/json"]
    with serve(files) as server:
        typed(server)
        lookup = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path)
    assert lookup.found["sample-http"].license_for(Version("1.2.0")) is None


def test_it_bounds_the_number_of_requests_in_flight(tmp_path: Path) -> None:
    names = [f"proj-{i}" for i in range(12)]
    files = {f"/simple/{n}/": b'{"name": "x", "versions": ["1.0"], "files": []}' for n in names}
    with serve(files) as server:
        typed(server)
        server.delay = 0.03
        lookup = fetch_projects(
            [(n, None) for n in names],
            index=location(server, "/other"),
            cache_dir=tmp_path,
            options=quick(max_workers=3),
        )
        assert server.max_in_flight <= 3
        assert server.max_in_flight >= 2
    assert lookup.not_found == tuple(sorted(names))


def test_it_caches_under_the_data_directory_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEWARD_DATA_DIR", str(tmp_path))
    with serve(index_files()) as server:
        typed(server)
        fetch_projects([("org-tool", None)], index=location(server))
    assert default_cache_dir() == tmp_path / "index-cache"
    assert len(list(default_cache_dir().glob("*.json"))) == 2


def test_it_ignores_unreadable_cache_files(tmp_path: Path) -> None:
    cache = HttpCache(tmp_path)
    url = "http://127.0.0.1:9/simple/x/"
    cache.store(CacheEntry(url, "json", 1.0, {"name": "x"}, '"e"'))
    path = next(tmp_path.glob("*.json"))
    assert cache.load(url) == CacheEntry(url, "json", 1.0, {"name": "x"}, '"e"')
    path.write_text("{truncated", encoding="utf-8")
    assert cache.load(url) is None
    path.write_text('{"kind": "other", "fetched_at": 1}', encoding="utf-8")
    assert cache.load(url) is None


def test_it_reports_a_cached_answer_that_is_not_an_object(tmp_path: Path) -> None:
    index = IndexLocation("http://127.0.0.1:9/simple", "test")
    HttpCache(tmp_path).store(CacheEntry(index.project_url("x"), "json", 1.0, [1, 2]))
    lookup = fetch_projects([("x", None)], index=index, cache_dir=tmp_path, offline=True)
    (error,) = lookup.errors
    assert "cached answer is not a JSON object" in error.message


def test_it_remembers_an_html_answer(tmp_path: Path) -> None:
    index = IndexLocation("http://127.0.0.1:9/simple", "test")
    cache = HttpCache(tmp_path)
    cache.store(CacheEntry(index.project_url("x"), "not-json", 1.0))
    cache.store(CacheEntry(index.json_url("x") or "", "not-found", 1.0))
    lookup = fetch_projects([("x", None)], index=index, cache_dir=tmp_path, offline=True)
    assert "offers no JSON" in lookup.errors[0].message


def test_it_leaves_no_partial_file_when_a_cache_write_fails(tmp_path: Path) -> None:
    cache = HttpCache(tmp_path)
    with pytest.raises(TypeError):
        cache.store(CacheEntry("http://x.invalid/", "json", 1.0, {"bad": object()}))
    assert list(tmp_path.iterdir()) == []


def test_it_treats_a_304_without_a_cached_copy_as_an_error(tmp_path: Path) -> None:
    with serve({}) as server:
        server.status_overrides["/simple/x/"] = 304
        lookup = fetch_projects([("x", None)], index=location(server), cache_dir=tmp_path)
    assert "HTTP 304" in lookup.errors[0].message


def test_it_reads_retry_after_as_seconds_or_a_date() -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC).timestamp()
    assert retry_after("7", now) == 7.0
    assert retry_after("Sun, 22 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after("Sun, 22 Nov 2026 12:00:10 -0000", now) == 10.0
    assert retry_after("2026-11-22T12:00:30", now) is None
    assert retry_after("", now) is None
    assert retry_after(None, now) is None
    policy = RetryPolicy(attempts=3, backoff=1.0, max_wait=3.0)
    assert [policy.wait(n, None) for n in range(3)] == [1.0, 2.0, 3.0]
    assert policy.wait(0, -5.0) == 0.0
