from __future__ import annotations

import json
from pathlib import Path

import pytest
from packaging.version import Version

from pysteward.engine.index import fetch_projects
from pysteward.engine.index._cache import CacheEntry, HttpCache
from tests.engine.index.helpers import index_files, location, quick, typed
from tests.httpserver import serve

SAMPLE = [("sample-http", Version("1.2.0")), ("org-tool", None)]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The URLs whose cached documents are read."""
    seen: list[str] = []
    original = HttpCache.load

    def counting(self: HttpCache, url: str) -> CacheEntry | None:
        seen.append(url)
        return original(self, url)

    monkeypatch.setattr(HttpCache, "load", counting)
    return seen


def summaries(cache: Path) -> dict[str, dict[str, object]]:
    return {p.name: json.loads(p.read_text()) for p in sorted((cache / "summaries").glob("*.json"))}


def test_it_writes_one_summary_per_project_when_it_fetches(tmp_path: Path) -> None:
    with serve(index_files()) as server:
        typed(server)
        lookup = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=quick())
    written = summaries(tmp_path)
    assert len(written) == 2
    names = sorted(str(s["info"]["name"]) for s in written.values())  # type: ignore[index]
    assert names == ["org-tool", "sample-http"]
    sources = sorted(len(s["sources"]) for s in written.values())  # type: ignore[arg-type]
    assert sources == [2, 3]  # org-tool: simple + API; sample-http: also its pinned version
    assert len(lookup.found) == 2


def test_it_answers_a_warm_look_up_from_the_summary_without_reading_documents(
    tmp_path: Path, reads: list[str]
) -> None:
    with serve(index_files()) as server:
        typed(server)
        first = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=quick())
        count = len(server.requests)
        reads.clear()
        second = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=quick())
        assert len(server.requests) == count
    assert reads == []
    assert second == first
    assert second.found["sample-http"].license_for(Version("1.2.0")) is not None


def test_it_rebuilds_the_summary_after_the_ttl_with_conditional_requests(
    tmp_path: Path, reads: list[str]
) -> None:
    clock = [1_000_000.0]
    options = quick(clock=lambda: clock[0], ttl=60.0)
    with serve(index_files()) as server:
        typed(server)
        fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=options)
        before = summaries(tmp_path)
        clock[0] += 61
        reads.clear()
        second = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=options)
        revalidations = [h for _, _, h in server.requests[5:]]
        reads.clear()
        third = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=options)
    assert len(revalidations) == 5
    assert all(h.get("If-None-Match", "").startswith('"') for h in revalidations)
    after = summaries(tmp_path)
    assert after.keys() == before.keys()
    assert all(after[k]["sources"] != before[k]["sources"] for k in after)
    assert reads == []
    assert third == second
    assert second.found["org-tool"].fetched_at.timestamp() == clock[0]


def test_it_ignores_a_summary_whose_document_changed_within_the_ttl(tmp_path: Path) -> None:
    with serve(index_files()) as server:
        typed(server)
        index = location(server)
        fetch_projects(SAMPLE, index=index, cache_dir=tmp_path, options=quick())
        cache = HttpCache(tmp_path)
        entry = cache.load(index.json_url("org-tool") or "")
        assert entry is not None and isinstance(entry.data, dict)
        data = {**entry.data, "ownership": {"roles": [], "organization": "new-home"}}
        cache.store(CacheEntry(entry.url, "json", entry.fetched_at, data, entry.etag))
        lookup = fetch_projects(SAMPLE, index=index, cache_dir=tmp_path, options=quick())
    assert lookup.found["org-tool"].organization == "new-home"


def _corrupt(record: dict[str, object]) -> object:
    return {**record, "info": {**record["info"], "owners": ["someone", 3]}}  # type: ignore[dict-item]


@pytest.mark.parametrize(
    "damage",
    [
        lambda r: "{truncated",
        lambda r: json.dumps({**r, "format": 99}),
        lambda r: json.dumps({**r, "sources": [[s[0], s[1], None] for s in r["sources"]]}),
        lambda r: json.dumps({**r, "sources": [["0" * 64, 1.0, [1, 2, 3]]]}),
        lambda r: json.dumps(_corrupt(r)),
        lambda r: json.dumps({**r, "info": {**r["info"], "ownership_known": "yes"}}),
        lambda r: json.dumps({**r, "info": {**r["info"], "releases": 7}}),
        lambda r: json.dumps({**r, "info": {**r["info"], "latest": 3}}),
        lambda r: json.dumps(["not", "a", "record"]),
    ],
)
def test_it_falls_back_to_the_documents_when_a_summary_is_damaged(
    tmp_path: Path, reads: list[str], damage: object
) -> None:
    with serve(index_files()) as server:
        typed(server)
        first = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=quick())
        for path in (tmp_path / "summaries").glob("*.json"):
            path.write_text(damage(json.loads(path.read_text())), encoding="utf-8")  # type: ignore[operator]
        reads.clear()
        second = fetch_projects(SAMPLE, index=location(server), cache_dir=tmp_path, options=quick())
    assert len(reads) == 5
    assert second == first
    assert all(s["format"] == 1 for s in summaries(tmp_path).values())


def test_it_answers_offline_from_the_summary_even_after_the_ttl(tmp_path: Path, reads: list[str]) -> None:
    with serve(index_files()) as server:
        typed(server)
        index = location(server)
        first = fetch_projects(SAMPLE, index=index, cache_dir=tmp_path, options=quick())
    reads.clear()
    offline = fetch_projects(SAMPLE, index=index, cache_dir=tmp_path, offline=True, options=quick(ttl=0.0))
    assert reads == []
    assert offline == first


def test_it_keeps_offline_semantics_for_projects_without_a_summary(tmp_path: Path) -> None:
    with serve(index_files()) as server:
        typed(server)
        index = location(server)
        fetch_projects([("org-tool", None)], index=index, cache_dir=tmp_path, options=quick())
    lookup = fetch_projects(SAMPLE, index=index, cache_dir=tmp_path, offline=True)
    assert (lookup.missing, lookup.not_found, lookup.errors) == (("sample-http",), (), ())
    assert list(lookup.found) == ["org-tool"]


def test_it_writes_no_summary_while_a_pinned_version_page_is_unavailable(tmp_path: Path) -> None:
    with serve(index_files()) as server:
        typed(server)
        server.status_overrides["/pypi/sample-http/1.2.0/json"] = 503
        fetch_projects(SAMPLE[:1], index=location(server), cache_dir=tmp_path, options=quick())
        assert not (tmp_path / "summaries").exists()
        count = len(server.requests)
        del server.status_overrides["/pypi/sample-http/1.2.0/json"]
        lookup = fetch_projects(SAMPLE[:1], index=location(server), cache_dir=tmp_path, options=quick())
        asked = [path for _, path, _ in server.requests[count:]]
    assert asked == ["/pypi/sample-http/1.2.0/json"]
    assert lookup.found["sample-http"].license_for(Version("1.2.0")) is not None
    assert len(summaries(tmp_path)) == 1


def test_it_refetches_when_a_summarised_document_was_removed(tmp_path: Path) -> None:
    with serve(index_files()) as server:
        typed(server)
        index = location(server)
        first = fetch_projects(SAMPLE, index=index, cache_dir=tmp_path, options=quick())
        count = len(server.requests)
        (tmp_path / (HttpCache.key(index.project_url("org-tool")) + ".json")).unlink()
        second = fetch_projects(SAMPLE, index=index, cache_dir=tmp_path, options=quick())
        asked = [path for _, path, _ in server.requests[count:]]
    assert asked == ["/simple/org-tool/"]
    assert second.found["sample-http"] == first.found["sample-http"]
    assert second.found["org-tool"].releases == first.found["org-tool"].releases
