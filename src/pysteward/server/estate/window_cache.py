"""A per-application cache of the current windows' figures up to a recent checkpoint.

Availability adds up over consecutive windows (`window_counts`), so the overview keeps, per service,
the counts of its window up to a checkpoint `c` (a whole hour, ten minutes or more ago) and measures
only [c, now) on each request. When the hour turns, [c, c') is added to the kept part.

A kept part is used only while everything it was computed from is unchanged:

- the `key`: SLA, its target, window, time zone and start, the policy version in effect now, the
  period, the SLA's maintenance windows;
- the `fingerprint`: each monitor with intervals in the window, and the interval each one was in at
  `c` (its start and state). Nothing rewrites history before `c` without showing there: a monitor added
  or deleted changes the set; a late result or a runner restart's `unknown` gap closes the interval
  open at `c` earlier and opens another before `c`.

The intervals since `c` (`tail`) are kept too, with the monitors' rows as they were read just before
them (`seen`: id, state and since when). Every new interval changes its monitor's state or `since`
(`monitors.results`, `monitors.tasks.mark_gap`), so while a service's monitor rows read the same, its
intervals since `c` are the kept ones and need not be read again; when they differ, they are read
and the fingerprint checked. Anything else is measured from scratch. The tests hold the answer equal
to `sla_figures`'.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pysteward.server.estate.window_counts import Counts
from pysteward.server.monitors.models import State
from pysteward.server.slas.accounting import Stored, epoch_micros

__all__ = [
    "CHECKPOINT_STEP",
    "Entry",
    "Fingerprint",
    "Seen",
    "WindowCache",
    "app_cache",
    "checkpoint",
    "epoch",
    "fingerprint",
    "steady_from",
    "trimmed",
]

CHECKPOINT_STEP = timedelta(hours=1)
_MARGIN = timedelta(minutes=10)
"""Results recorded a little late still land after the checkpoint."""
Fingerprint = tuple[tuple[int, int | None, State | None], ...]
"""(monitor id, start and state of its interval at the checkpoint, or None twice), by monitor id."""
Seen = tuple[tuple[Any, ...], ...]
"""A service's monitor rows as read: (monitor id, state, since), by monitor id."""

epoch = functools.lru_cache(maxsize=1024)(epoch_micros)
"""`epoch_micros`, remembered: a request asks for the same few moments a thousand times."""


@functools.lru_cache(maxsize=64)
def checkpoint(now: datetime) -> datetime:
    """The whole hour at least ten minutes before `now`."""
    moment = now - _MARGIN
    return moment.replace(minute=0, second=0, microsecond=0)


def fingerprint(monitors: dict[int, list[Stored]], at: datetime) -> Fingerprint:
    """What the kept part depends on in `monitors`' intervals (see the module docstring)."""
    point = epoch(at)
    found: list[tuple[int, int | None, State | None]] = []
    for monitor_id in sorted(monitors):
        mark: tuple[int, int | None, State | None] = (monitor_id, None, None)
        for begin, finish, state in monitors[monitor_id]:
            if begin >= point:
                break
            if finish is None or finish > point:
                mark = (monitor_id, begin, state)
        found.append(mark)
    return tuple(found)


def trimmed(monitors: dict[int, list[Stored]], at: datetime) -> dict[int, list[Stored]]:
    """`monitors`' spans still running at or starting after `at` (every monitor kept, even empty)."""
    point = epoch(at)
    return {m: [s for s in spans if s[1] is None or s[1] > point] for m, spans in monitors.items()}


def steady_from(monitors: dict[int, list[Stored]], at: datetime) -> bool:
    """Whether each monitor has one interval, up and still open, begun by `at`: then the service is
    up from `at` on for as long as its monitor rows read the same."""
    point = epoch(at)
    return bool(monitors) and all(
        len(spans) == 1 and spans[0][1] is None and spans[0][2] is State.UP and spans[0][0] <= point
        for spans in monitors.values()
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """A service's counts from its window's start to `checkpoint`, and what they were made from."""

    key: tuple[Any, ...]
    checkpoint: datetime
    fingerprint: Fingerprint
    prefix: Counts
    seen: Seen
    tail: dict[int, list[Stored]]
    """The monitors' intervals overlapping [checkpoint, the time `seen` was read)."""
    steady: bool
    """`steady_from(tail, checkpoint)`."""


class WindowCache:
    """The kept parts of one application (one database), by service id."""

    def __init__(self) -> None:
        self._entries: dict[int, Entry] = {}
        self._lock = threading.Lock()

    def get(self, service_id: int) -> Entry | None:
        """The kept part of `service_id`, if any."""
        return self._entries.get(service_id)

    def put(self, service_id: int, entry: Entry) -> None:
        """Keep `entry` for `service_id`, replacing any earlier one."""
        with self._lock:
            self._entries[service_id] = entry

    def __len__(self) -> int:
        return len(self._entries)


def app_cache(state: Any) -> WindowCache:
    """The cache kept on an application's `state`, made on first use."""
    cache = getattr(state, "window_cache", None)
    if not isinstance(cache, WindowCache):
        cache = WindowCache()
        state.window_cache = cache
    return cache
