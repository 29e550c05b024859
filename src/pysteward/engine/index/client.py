"""Batch look-ups of projects on the package index, with bounded concurrency and an on-disk cache.

For each project: the PEP 691 simple page (`<index>/<name>/`, JSON), then, where the index offers
it, the JSON API (`<base>/pypi/<name>/json`) and, for each pinned version that is not the latest,
that version's JSON (`<base>/pypi/<name>/<version>/json`) for its license fields. A look-up whose
documents are all cached, unchanged and fresh is answered from its summary (`_summary.py`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from pysteward.engine.datadir import data_dir
from pysteward.engine.index._cache import CacheEntry, HttpCache
from pysteward.engine.index._http import (
    MISSING,
    NOT_FOUND,
    NOT_JSON,
    Connection,
    Doc,
    Failure,
    Fetcher,
    Outcome,
    RetryPolicy,
    utc,
)
from pysteward.engine.index._parse import MalformedError, project_info, trim
from pysteward.engine.index._summary import Summaries, summary_key
from pysteward.engine.index.location import IndexLocation
from pysteward.engine.index.values import IndexFailure, IndexLookup, ProjectInfo
from pysteward.engine.observer import NullObserver, Observer

__all__ = [
    "DEFAULT_TTL_SECONDS",
    "FetchOptions",
    "RetryPolicy",
    "default_cache_dir",
    "fetch_projects",
]

DEFAULT_TTL_SECONDS = 24 * 3600.0
SIMPLE_ACCEPT = "application/vnd.pypi.simple.v1+json"
JSON_ACCEPT = "application/json"
TASK = "package index"


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchOptions:
    """Tuning for a batch look-up; the defaults suit the command line, tests shrink the waits."""

    max_workers: int = 8
    timeout: float = 20.0
    ttl: float = DEFAULT_TTL_SECONDS
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time


def default_cache_dir() -> Path:
    """`data_dir()/index-cache`."""
    return data_dir() / "index-cache"


_Result = ProjectInfo | IndexFailure | str
"""A project's look-up: its info, a failure, or "missing" / "not-found"."""


def fetch_projects(
    pins: Iterable[tuple[str, Version | None]],
    *,
    index: IndexLocation,
    cache_dir: Path | None = None,
    offline: bool = False,
    observer: Observer | None = None,
    options: FetchOptions | None = None,
) -> IndexLookup:
    """Look up every project named in `pins` (name, pinned version or None), once per name.

    Offline, only the cache answers, and names it has no answer for come back in `missing`.
    """
    observer = observer or NullObserver()
    options = options or FetchOptions()
    wanted: dict[NormalizedName, set[Version]] = defaultdict(set)
    for name, version in pins:
        versions = wanted[canonicalize_name(name)]
        if version is not None:
            versions.add(version)
    cache = HttpCache(cache_dir or default_cache_dir())
    observer.start(TASK, len(wanted))
    connection = None if offline else Connection(timeout=options.timeout, max_connections=options.max_workers)
    fetcher = Fetcher(
        connection,
        cache,
        ttl=options.ttl,
        retry=options.retry,
        trim=trim,
        sleep=options.sleep,
        clock=options.clock,
    )
    try:
        results = _run(fetcher, index, wanted, 1 if offline else options.max_workers, observer)
    finally:
        if connection is not None:
            connection.close()
    observer.finish(TASK)
    return _lookup(results)


def _run(
    fetcher: Fetcher,
    index: IndexLocation,
    wanted: dict[NormalizedName, set[Version]],
    workers: int,
    observer: Observer,
) -> dict[NormalizedName, _Result]:
    results: dict[NormalizedName, _Result] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="steward-index") as pool:
        futures = {pool.submit(_look_up, fetcher, index, n, v): n for n, v in wanted.items()}
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            observer.advance(TASK)
    return results


def _lookup(results: dict[NormalizedName, _Result]) -> IndexLookup:
    found: dict[str, ProjectInfo] = {n: r for n, r in sorted(results.items()) if isinstance(r, ProjectInfo)}
    return IndexLookup(
        found=found,
        missing=tuple(sorted(n for n, r in results.items() if r == "missing")),
        not_found=tuple(sorted(n for n, r in results.items() if r == "not-found")),
        errors=tuple(r for _, r in sorted(results.items()) if isinstance(r, IndexFailure)),
    )


def _stop(name: NormalizedName, outcome: Outcome) -> _Result | None:
    """The result that ends a look-up early (missing offline, or failed), else None."""
    if outcome is MISSING:
        return "missing"
    if isinstance(outcome, Failure):
        return IndexFailure(name, outcome.message, outcome.permanent)
    return None


class _Recorder:
    """Fetches through `fetcher`, noting the cache entry behind each answer for the summary."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher
        self.entries: list[CacheEntry] = []
        self.complete = True
        """False once an answer came from no cache entry: a summary would then skip a request."""

    def get(self, url: str, accept: str) -> Outcome:
        """`Fetcher.get`, recorded."""
        outcome, entry = self.fetcher.fetch(url, accept)
        if entry is None:
            self.complete = False
        else:
            self.entries.append(entry)
        return outcome


def _look_up(fetcher: Fetcher, index: IndexLocation, name: NormalizedName, pinned: set[Version]) -> _Result:
    summaries = Summaries(fetcher.cache)
    key = summary_key((index.project_url(name), index.json_url(name)), pinned)
    now = None if fetcher.connection is None else fetcher.clock()
    info = summaries.load(key, now=now, ttl=fetcher.ttl)
    if info is not None:
        return info
    recorder = _Recorder(fetcher)
    result = _resolve(recorder, index, name, pinned)
    if isinstance(result, ProjectInfo) and recorder.complete:
        summaries.store(key, result, recorder.entries)
    return result


def _resolve(fetcher: _Recorder, index: IndexLocation, name: NormalizedName, pinned: set[Version]) -> _Result:
    simple = fetcher.get(index.project_url(name), SIMPLE_ACCEPT)
    if simple is NOT_FOUND:
        return "not-found"
    api: Outcome = NOT_FOUND
    stop = _stop(name, simple)
    if stop is None:
        api_url = index.json_url(name)
        api = fetcher.get(api_url, JSON_ACCEPT) if api_url else NOT_FOUND
        stop = _stop(name, api)
    if stop is not None:
        return stop
    if not isinstance(simple, Doc) and not isinstance(api, Doc):
        message = f"{index.display}: the index offers no JSON for {name} (PEP 691 or a JSON API)"
        return IndexFailure(name, message, permanent=True)
    try:
        return _build(fetcher, index, name, pinned, simple=simple, api=api)
    except (MalformedError, TypeError) as e:
        return IndexFailure(name, f"{index.display}: unexpected JSON for {name}: {e}", permanent=True)


def _build(
    fetcher: _Recorder,
    index: IndexLocation,
    name: NormalizedName,
    pinned: set[Version],
    *,
    simple: Outcome,
    api: Outcome,
) -> ProjectInfo:
    simple_data = simple.data if isinstance(simple, Doc) else None
    api_data = api.data if isinstance(api, Doc) else None
    fetched = min(d.fetched_at for d in (simple, api) if isinstance(d, Doc))
    first = project_info(name, simple_data, api_data, {}, utc(fetched))
    extra = {} if api_data is None else _per_version(fetcher, index, name, pinned - {first.latest_version})
    if not extra:
        return first
    return project_info(name, simple_data, api_data, extra, utc(fetched))


def _per_version(
    fetcher: _Recorder, index: IndexLocation, name: NormalizedName, versions: set[Version]
) -> dict[Version, dict[str, object]]:
    documents: dict[Version, dict[str, object]] = {}
    for version in sorted(versions):
        url = index.json_url(name, str(version))
        outcome = fetcher.get(url, JSON_ACCEPT) if url else NOT_JSON
        # A pinned version's own page only refines its license; without it the project still counts.
        if isinstance(outcome, Doc):
            documents[version] = outcome.data
    return documents
