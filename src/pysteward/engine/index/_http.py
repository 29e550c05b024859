"""Fetch JSON documents from the index through the cache, with retries and conditional requests.

Every outcome is a value (`Doc`, `NOT_FOUND`, `NOT_JSON`, `MISSING` or `Failure`), so one bad
project never stops a batch. Connection errors, 5xx and 429 are retried with exponential backoff
(`Retry-After` honoured, every wait capped); each request has a timeout (set on the client).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import TYPE_CHECKING

from pysteward.engine.index._cache import CacheEntry, HttpCache
from pysteward.engine.index.location import redact

if TYPE_CHECKING:
    import httpx

__all__ = [
    "MISSING",
    "NOT_FOUND",
    "NOT_JSON",
    "Connection",
    "Doc",
    "Failure",
    "Fetcher",
    "Outcome",
    "RetryPolicy",
]


class Marker(Enum):
    """Outcomes that carry no data."""

    NOT_FOUND = "not-found"
    NOT_JSON = "not-json"
    MISSING = "missing"


NOT_FOUND = Marker.NOT_FOUND
"""The index answered 404 or 410."""
NOT_JSON = Marker.NOT_JSON
"""The index answered with something other than JSON (an HTML-only simple index)."""
MISSING = Marker.MISSING
"""Offline, and the cache has no answer for the URL."""


@dataclass(frozen=True, slots=True)
class Doc:
    """A JSON object from the index; `fetched_at` is when it was fetched or last confirmed current."""

    data: dict[str, object]
    fetched_at: float


@dataclass(frozen=True, slots=True)
class Failure:
    """The URL could not be fetched or read; the message has no credentials in it."""

    message: str
    permanent: bool


Outcome = Doc | Marker | Failure


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try: `attempts` in all, waits of `backoff * 2**n` seconds, none above `max_wait`."""

    attempts: int = 4
    backoff: float = 0.5
    max_wait: float = 30.0

    def wait(self, attempt: int, retry_after: float | None) -> float:
        """Seconds to wait after failed attempt number `attempt` (0-based)."""
        seconds = self.backoff * 2**attempt if retry_after is None else retry_after
        return max(0.0, min(seconds, self.max_wait))


def retry_after(value: str | None, now: float) -> float | None:
    """`Retry-After` in seconds: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp() - now


class Connection:
    """One HTTP client shared by every thread, opened on first use: a warm cache needs none."""

    def __init__(self, *, timeout: float, max_connections: int) -> None:
        self.timeout = timeout
        self.max_connections = max_connections
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def client(self) -> httpx.Client:
        """The client, opened now if it is not yet."""
        with self._lock:
            if self._client is None:
                import httpx

                limits = httpx.Limits(max_connections=self.max_connections)
                self._client = httpx.Client(timeout=self.timeout, limits=limits, follow_redirects=True)
            return self._client

    def close(self) -> None:
        """Close the client if it was opened."""
        if self._client is not None:
            self._client.close()


class Fetcher:
    """Fetches JSON through `cache`; `connection` is None when offline (the cache alone answers).

    `trim` reduces each document to what the caller reads before it is cached and returned.
    """

    def __init__(
        self,
        connection: Connection | None,
        cache: HttpCache,
        *,
        ttl: float,
        retry: RetryPolicy,
        trim: Callable[[dict[str, object]], dict[str, object]] = dict,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.connection = connection
        self.cache = cache
        self.ttl = ttl
        self.retry = retry
        self.trim = trim
        self.sleep = sleep
        self.clock = clock

    def fetch(self, url: str, accept: str) -> tuple[Outcome, CacheEntry | None]:
        """The document at `url` (fresh from the cache, revalidated, or fetched) and the cache entry
        that gave the answer (None when none did)."""
        entry = self.cache.load(url)
        if self.connection is None:
            return (MISSING, None) if entry is None else _answered(entry)
        if entry is not None and self.clock() - entry.fetched_at < self.ttl:
            return _answered(entry)
        response = self._request(self.connection.client(), url, accept, entry)
        if isinstance(response, Failure):
            return response, None
        return self._answer(url, response, entry)

    def _answer(
        self, url: str, response: httpx.Response, entry: CacheEntry | None
    ) -> tuple[Outcome, CacheEntry | None]:
        now = self.clock()
        status = response.status_code
        if status == 304 and entry is not None:
            entry = entry.refreshed(now)
        elif status in (404, 410):
            entry = CacheEntry(url, "not-found", now)
        elif status != 200:
            return Failure(f"{redact(url)}: the index answered HTTP {status}", permanent=True), None
        elif "html" in response.headers.get("Content-Type", ""):
            entry = CacheEntry(url, "not-json", now)
        else:
            try:
                data = json.loads(response.content)
            except ValueError as e:
                return Failure(f"{redact(url)}: the index answered with malformed JSON: {e}", True), None
            if not isinstance(data, dict):
                return Failure(f"{redact(url)}: the index answered JSON that is not an object", True), None
            validators = response.headers.get("ETag"), response.headers.get("Last-Modified")
            entry = CacheEntry(url, "json", now, self.trim(data), *validators)
        self.cache.store(entry)
        return _answered(entry)

    def _request(
        self, client: httpx.Client, url: str, accept: str, entry: CacheEntry | None
    ) -> httpx.Response | Failure:
        import httpx

        headers = {"Accept": accept}
        if entry is not None and entry.etag:
            headers["If-None-Match"] = entry.etag
        if entry is not None and entry.last_modified:
            headers["If-Modified-Since"] = entry.last_modified
        problem = ""
        for attempt in range(self.retry.attempts):
            hint: float | None = None
            try:
                response = client.get(url, headers=headers)
            except httpx.TransportError as e:
                problem = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
            else:
                if response.status_code < 500 and response.status_code != 429:
                    return response
                problem = f"HTTP {response.status_code}"
                hint = retry_after(response.headers.get("Retry-After"), self.clock())
            if attempt + 1 < self.retry.attempts:
                self.sleep(self.retry.wait(attempt, hint))
        message = f"{url}: {problem} after {self.retry.attempts} attempts"
        return Failure(redact(message), permanent=False)


def _answered(entry: CacheEntry) -> tuple[Outcome, CacheEntry | None]:
    outcome = _outcome(entry)
    return outcome, None if isinstance(outcome, Failure) else entry


def _outcome(entry: CacheEntry) -> Outcome:
    if entry.kind == "not-found":
        return NOT_FOUND
    if entry.kind == "not-json":
        return NOT_JSON
    if isinstance(entry.data, dict):
        return Doc(entry.data, entry.fetched_at)
    return Failure(f"{redact(entry.url)}: the cached answer is not a JSON object", permanent=True)


def utc(timestamp: float) -> datetime:
    """An epoch timestamp as an aware UTC datetime."""
    return datetime.fromtimestamp(timestamp, UTC)
