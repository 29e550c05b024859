"""The current SLA window of many services at once: availability so far and the error budget left.

Each service is measured under the SLA that covers it (its own, else its client's client-wide one),
over the window of that SLA's kind and time zone that contains `now`, from the window's start (or the
SLA's, if later) to `now`, with the policy version in effect at that moment and the SLA's scheduled
maintenance; the error budget is the whole window's. That is exactly what `slas.figures.sla_figures`
answers for the current period (the tests hold the two equal).

What differs is the cost, for the overview of a whole estate:

- queries: every SLA, policy version and maintenance window in one query each, and the intervals of
  every service in one streamed query, whatever the number of SLAs (`sla_figures` works one SLA at a
  time);
- work: with a `WindowCache`, only the time since the last checkpoint is measured, from intervals
  read only for the services whose monitors changed (`window_cache`).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pysteward.server.estate.models import Service
from pysteward.server.estate.window_cache import (
    Entry,
    Seen,
    WindowCache,
    checkpoint,
    epoch,
    fingerprint,
    steady_from,
    trimmed,
)
from pysteward.server.estate.window_counts import Counts, measure, steady
from pysteward.server.estate.window_load import load_monitors, monitor_rows, seen_by_service
from pysteward.server.slas import maintenance
from pysteward.server.slas.accounting import Availability, Policy, Stored
from pysteward.server.slas.budget import ErrorBudget, error_budget
from pysteward.server.slas.figures import in_effect
from pysteward.server.slas.models import AccountingPolicy, MaintenanceWindow, Sla
from pysteward.server.slas.periods import Period, parse_period
from pysteward.server.slas.service import maintenance_spec, policy_value

__all__ = ["WindowFigure", "covering_slas", "window_figures"]

Span = tuple[datetime, datetime]
_STALE = timedelta(hours=26)
"""A kept part older than this is measured again from scratch rather than caught up."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowFigure:
    """One service's current window under its SLA: the figure so far and the whole window's budget."""

    sla_id: int
    sla_name: str
    period: Period
    availability: Availability
    budget: ErrorBudget


@dataclass(frozen=True, slots=True, kw_only=True)
class _Plan:
    """What one service is measured over, and with what."""

    sla: Sla
    period: Period
    start: datetime
    end: datetime
    policy: Policy
    target: Decimal
    key: tuple[Any, ...]
    maintenance: list[tuple[datetime, datetime]]
    quiet_since: datetime | None
    """The end of the last maintenance starting before `end` (None: none does)."""

    def own(self, loaded: dict[int, list[Stored]]) -> dict[int, list[Stored]]:
        """The monitors of `loaded` with intervals in this plan's window (what `sla_figures` counts)."""
        low, high = epoch(self.start), epoch(self.end)
        return {
            monitor_id: spans
            for monitor_id, spans in loaded.items()
            if spans[0][0] < high and (spans[-1][1] is None or spans[-1][1] > low)
        }

    def counts(self, monitors: dict[int, list[Stored]], start: datetime, end: datetime) -> Counts:
        """The counts of [start, end) from `monitors`' spans (by monitor id, as `load_timelines`)."""
        low, high = epoch(start), epoch(end)
        timelines = [
            [span for span in monitors[m] if span[0] < high and (span[1] is None or span[1] > low)]
            for m in sorted(monitors)
        ]
        planned = [(a, b) for a, b in self.maintenance if a < end and b > start]
        if not planned and steady(timelines, low, high):
            return Counts.all_up(high - low)  # what `measure` answers, a lot faster
        figure = measure(
            timelines, start=start, end=end, policy=self.policy, target=self.target, maintenance=planned
        )
        return Counts.of(figure)

    def quiet_from(self, at: datetime) -> bool:
        """Whether no scheduled maintenance falls in [at, end)."""
        return self.quiet_since is None or self.quiet_since <= at

    def figure(self, counts: Counts) -> Availability:
        """The figure of the measured window from its counts."""
        return counts.figure(start=self.start, end=self.end, policy=self.policy, target=self.target)


def covering_slas(session: Session, services: Sequence[tuple[int, int]]) -> dict[int, Sla]:
    """The SLA covering each of `services` (`(service_id, client_id)` pairs) that has one: its own,
    else its client's client-wide SLA (as `slas.service.covering_sla`, in one query)."""
    if not services:
        return {}
    clients = {client_id for _, client_id in services}
    ids = [service_id for service_id, _ in services]
    query = select(Sla).where(
        or_(Sla.client_id.in_(clients) & Sla.service_id.is_(None), Sla.service_id.in_(ids))
    )
    own: dict[int, Sla] = {}
    wide: dict[int, Sla] = {}
    for sla in session.scalars(query.order_by(Sla.id)):
        if sla.service_id is None:
            wide.setdefault(sla.client_id, sla)
        else:
            own.setdefault(sla.service_id, sla)
    found = {}
    for service_id, client_id in services:
        covering = own.get(service_id) or wide.get(client_id)
        if covering is not None:
            found[service_id] = covering
    return found


def _versions(session: Session, sla_ids: Iterable[int]) -> dict[int, list[AccountingPolicy]]:
    query = (
        select(AccountingPolicy)
        .where(AccountingPolicy.sla_id.in_(list(sla_ids)))
        .order_by(AccountingPolicy.sla_id, AccountingPolicy.version)
    )
    versions: dict[int, list[AccountingPolicy]] = defaultdict(list)
    for row in session.scalars(query):
        versions[row.sla_id].append(row)
    return versions


@functools.lru_cache(maxsize=512)
def _occurrences(spec: maintenance.MaintenanceSpec, start: datetime, end: datetime) -> tuple[Span, ...]:
    """`maintenance.occurrences`, remembered: a window's occurrences until its period ends are the
    same on every request (and counting clips them to the time measured)."""
    return tuple(maintenance.occurrences(spec, start, end))


def _maintenance(
    session: Session, spans: dict[int, tuple[datetime, datetime]]
) -> dict[int, tuple[list[int], list[tuple[datetime, datetime]]]]:
    """Each SLA's maintenance window ids and occurrences from its measured start to its period's
    end, merged."""
    query = select(MaintenanceWindow).where(MaintenanceWindow.sla_id.in_(list(spans)))
    found: dict[int, tuple[list[int], list[tuple[datetime, datetime]]]] = defaultdict(lambda: ([], []))
    for row in session.scalars(query.order_by(MaintenanceWindow.id)):
        start, end = spans[row.sla_id]
        found[row.sla_id][0].append(row.id)
        found[row.sla_id][1].extend(_occurrences(maintenance_spec(row), start, end))
    return {sla_id: (ids, maintenance.merge(occurrences)) for sla_id, (ids, occurrences) in found.items()}


def _plans(session: Session, slas: dict[int, Sla], now: datetime) -> dict[int, _Plan]:
    """Each service's plan; services under one SLA share it."""
    versions = _versions(session, {sla.id for sla in slas.values()})
    spans: dict[int, tuple[Sla, Period, datetime, datetime]] = {}
    for sla in {sla.id: sla for sla in slas.values() if versions[sla.id]}.values():
        period = parse_period(sla.window, "current", sla.timezone, anchor=sla.starts_at, now=now)
        start = max(period.start, sla.starts_at)
        spans[sla.id] = (sla, period, start, max(start, min(period.end, now)))
    windows = _maintenance(session, {sla_id: (s, p.end) for sla_id, (_sla, p, s, _e) in spans.items()})
    shared = {}
    for sla_id, (sla, period, start, end) in spans.items():
        policy = in_effect(versions[sla_id], end)
        window_ids, occurrences = windows.get(sla_id, ([], []))
        key = (sla_id, sla.target, sla.window, sla.timezone, sla.starts_at, policy.id, period, start)
        shared[sla_id] = _Plan(
            sla=sla,
            period=period,
            start=start,
            end=end,
            policy=policy_value(policy),
            target=Decimal(str(sla.target)),
            key=(*key, tuple(window_ids)),
            maintenance=occurrences,
            quiet_since=max((b for a, b in occurrences if a < end), default=None),
        )
    return {service_id: shared[sla.id] for service_id, sla in slas.items() if sla.id in shared}


def _warm(cache: WindowCache, plans: dict[int, _Plan], now: datetime) -> dict[int, Entry]:
    """The kept parts that may serve: same key, checkpoint inside the window, not too old."""
    usable = {}
    for service_id, plan in plans.items():
        entry = cache.get(service_id)
        if (
            entry is not None
            and entry.key == plan.key
            and max(plan.start, now - _STALE) <= entry.checkpoint <= plan.end
        ):
            usable[service_id] = entry
    return usable


def _entry(
    plan: _Plan, mark: datetime, monitors: dict[int, list[Stored]], prefix: Counts, seen: Seen
) -> Entry:
    tail = trimmed(monitors, mark)
    return Entry(
        key=plan.key,
        checkpoint=mark,
        fingerprint=fingerprint(monitors, mark),
        prefix=prefix,
        seen=seen,
        tail=tail,
        steady=steady_from(tail, mark),
    )


def _caught_up(
    plan: _Plan, entry: Entry, monitors: dict[int, list[Stored]], seen: Seen, now: datetime
) -> tuple[Entry, Availability]:
    """The kept part moved to the latest checkpoint, and the figure up to `now`."""
    mark = min(max(checkpoint(now), entry.checkpoint), plan.end)
    if mark == entry.checkpoint and entry.steady and monitors is entry.tail and plan.quiet_from(mark):
        # The usual case: nothing happened since the checkpoint, every monitor is up.
        return entry, plan.figure(entry.prefix.plus(Counts.all_up(epoch(plan.end) - epoch(mark))))
    prefix = entry.prefix
    if mark > entry.checkpoint:
        prefix = prefix.plus(plan.counts(monitors, entry.checkpoint, mark))
    kept = _entry(plan, mark, monitors, prefix, seen)
    return kept, plan.figure(prefix.plus(plan.counts(monitors, mark, plan.end)))


def _fresh(
    plan: _Plan, monitors: dict[int, list[Stored]], seen: Seen, now: datetime
) -> tuple[Entry, Availability]:
    """The figure measured from the window's start, split at the latest checkpoint to keep."""
    mark = min(max(checkpoint(now), plan.start), plan.end)
    prefix = plan.counts(monitors, plan.start, mark)
    kept = _entry(plan, mark, monitors, prefix, seen)
    return kept, plan.figure(prefix.plus(plan.counts(monitors, mark, plan.end)))


def _from_kept(
    session: Session,
    *,
    plans: dict[int, _Plan],
    warm: dict[int, Entry],
    seen: dict[int, Seen],
    now: datetime,
    cache: WindowCache,
) -> dict[int, Availability]:
    """The figures the kept parts give: their kept intervals while the monitor rows read the same,
    else intervals read again since their checkpoints and checked against their fingerprints."""
    figures = {}
    changed = {sid: entry for sid, entry in warm.items() if entry.seen != seen.get(sid, ())}
    recent = {}
    if changed:
        low = min(entry.checkpoint for entry in changed.values())
        recent = load_monitors(session, service_ids=changed, start=low, end=now, recent=True)
    for service_id, entry in warm.items():
        monitors = entry.tail
        if service_id in changed:
            monitors = plans[service_id].own(recent[service_id])
            if fingerprint(monitors, entry.checkpoint) != entry.fingerprint:
                continue
        kept, figures[service_id] = _caught_up(
            plans[service_id], entry, monitors, seen.get(service_id, ()), now
        )
        if kept is not entry:
            cache.put(service_id, kept)
    return figures


def window_figures(
    session: Session,
    *,
    services: Sequence[tuple[int, int]],
    now: datetime,
    cache: WindowCache | None = None,
    seen: dict[int, Seen] | None = None,
) -> dict[int, WindowFigure]:
    """The current-window figure of each of `services` (`(service_id, client_id)`) under its SLA;
    services without an SLA (or whose SLA has no policy) are left out. With `cache`, kept parts
    serve and are kept (see `window_cache`); `seen` are the services' monitor rows
    (`window_load.seen_by_service`), read before anything else (read here when not given)."""
    if seen is None:
        ids = [service_id for service_id, _ in services]
        seen = seen_by_service(monitor_rows(session, Service.id.in_(ids)))
    plans = _plans(session, covering_slas(session, services), now)
    cache = cache if cache is not None else WindowCache()
    figures = _from_kept(session, plans=plans, warm=_warm(cache, plans, now), seen=seen, now=now, cache=cache)
    cold = [service_id for service_id in plans if service_id not in figures]
    if cold:
        low = min(plans[service_id].start for service_id in cold)
        for service_id, loaded in load_monitors(session, service_ids=cold, start=low, end=now).items():
            plan = plans[service_id]
            kept, figures[service_id] = _fresh(plan, plan.own(loaded), seen.get(service_id, ()), now)
            cache.put(service_id, kept)
    return {
        service_id: WindowFigure(
            sla_id=plan.sla.id,
            sla_name=plan.sla.name,
            period=plan.period,
            availability=figures[service_id],
            budget=error_budget(figures[service_id], period_seconds=plan.period.seconds),
        )
        for service_id, plan in plans.items()
    }
