"""A sliding-window counter of failed logins, per e-mail address and per client IP.

The window lives in the memory of one process: with several server processes each keeps its own
count, so the effective limit is the setting times the number of processes (see docs/server-access.md).
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Iterable
from typing import Any

__all__ = ["SlidingWindowLimiter", "login_limiter"]

_SWEEP_ABOVE = 10_000
"""Forget keys whose failures have all expired once this many are tracked, so memory stays bounded."""


class SlidingWindowLimiter:
    """At most `limit` events per key within any `window` seconds.

    Times are plain seconds (`datetime.timestamp()`), passed in so tests control the clock.
    """

    def __init__(self, *, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[str, deque[float]] = {}
        # Routes run in a thread pool: two failed logins may be recorded at the same moment.
        self._lock = threading.Lock()

    def retry_after(self, keys: Iterable[str], now: float) -> int | None:
        """Seconds until every key in `keys` is below the limit again; None when none is limited."""
        wait = 0.0
        with self._lock:
            for key in keys:
                events = self._current(key, now)
                if len(events) >= self.limit:
                    # The oldest failure that keeps the key at the limit must leave the window.
                    wait = max(wait, events[len(events) - self.limit] + self.window - now)
        return max(1, math.ceil(wait)) if wait > 0 else None

    def record(self, keys: Iterable[str], now: float) -> None:
        """Count one event (a failed login) against every key in `keys`."""
        with self._lock:
            if len(self._events) > _SWEEP_ABOVE:
                for key in list(self._events):
                    if not self._current(key, now):
                        del self._events[key]
            for key in keys:
                self._events.setdefault(key, deque()).append(now)

    def _current(self, key: str, now: float) -> deque[float]:
        events = self._events.get(key, deque())
        while events and events[0] <= now - self.window:
            events.popleft()
        return events


_login_lock = threading.Lock()


def login_limiter(state: Any, limit: int) -> SlidingWindowLimiter:
    """The application's one limiter of failed logins (API and console share it), kept on `state`
    (the application's state) and made on first use."""
    with _login_lock:
        limiter: SlidingWindowLimiter | None = getattr(state, "login_limiter", None)
        if limiter is None:
            limiter = SlidingWindowLimiter(limit=limit, window=60.0)
            state.login_limiter = limiter
        return limiter
