"""Everything the service page shows, gathered for one service a caller sees (404 otherwise).

timeline    each monitor's state intervals over the last 7 or 30 days (gaps: unknown), and above
            them the service's worst-of state when it has several monitors
latency     each monitor's average response time per 15 minutes over the last 24 hours, averaged
            by the database from the raw check results (failed checks without a time left out)
incidents   the open ones (most urgent first) and the ten last resolved, with their timers
sla         the covering SLA and the current window's figure (`window_figures`)
assessment  the latest succeeded run and its most severe findings
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy import BigInteger, String, cast, extract, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from pysteward.server.estate.models import AssessmentRun, AssessmentStatus, Service
from pysteward.server.estate.overview import STATE_ORDER, Risk, service_state
from pysteward.server.estate.service import get_service_for
from pysteward.server.estate.window_cache import WindowCache
from pysteward.server.estate.window_figures import WindowFigure, window_figures
from pysteward.server.incidents.models import Incident, IncidentStatus
from pysteward.server.incidents.reading import incident_public
from pysteward.server.incidents.schemas import IncidentPublic
from pysteward.server.monitors.models import CheckResult, Monitor, StateInterval
from pysteward.server.principal import Principal
from pysteward.server.slas.models import Sla
from pysteward.server.tenancy.models import Client
from pysteward.server.web.charts import Point, Segment, Series, TimelineRow, latency_chart, uptime_timeline

__all__ = [
    "LATENCY_BUCKET",
    "SEVERITY_ORDER",
    "ServicePage",
    "combine_worst",
    "service_page",
    "top_findings",
    "with_gaps",
]

LATENCY_BUCKET = timedelta(minutes=15)
SEVERITY_ORDER = ("malicious", "critical", "high", "medium", "unknown", "low", "info")
"""Most severe first; unknown sits with medium, as the risk score weighs it."""
_RECENT = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class ServicePage:
    """One service as of `now`."""

    now: datetime
    service: Service
    client: Client
    state: str
    monitors: list[Monitor]
    sla: Sla | None
    figure: WindowFigure | None
    uptime: Markup
    latency: Markup
    open_incidents: list[IncidentPublic]
    resolved_incidents: list[IncidentPublic]
    assessment: AssessmentRun | None
    risk: Risk | None
    findings: list[dict[str, Any]]


def with_gaps(segments: Sequence[Segment], start: datetime, end: datetime) -> list[Segment]:
    """`segments` (sorted, not overlapping) clipped to [start, end), every gap filled as unknown."""
    filled: list[Segment] = []
    cursor = start
    for segment in segments:
        a, b = max(segment.start, cursor), min(segment.end, end)
        if b <= a:
            continue
        if a > cursor:
            filled.append(Segment(cursor, a, "unknown"))
        filled.append(Segment(a, b, segment.state))
        cursor = b
    if cursor < end:
        filled.append(Segment(cursor, end, "unknown"))
    return filled


def combine_worst(rows: Sequence[Sequence[Segment]]) -> list[Segment]:
    """The worst state (`STATE_ORDER`) of several gap-free rows over the same window, as one row."""
    if not rows:
        return []
    rank = {state: index for index, state in enumerate(STATE_ORDER)}
    bounds = sorted({moment for row in rows for segment in row for moment in (segment.start, segment.end)})
    positions = [0] * len(rows)
    combined: list[Segment] = []
    for low, high in itertools.pairwise(bounds):
        states = []
        for index, row in enumerate(rows):
            while positions[index] < len(row) and row[positions[index]].end <= low:
                positions[index] += 1
            states.append(row[positions[index]].state if positions[index] < len(row) else "unknown")
        state = min(states, key=lambda s: rank.get(s, len(rank)))
        if combined and combined[-1].state == state:
            combined[-1] = Segment(combined[-1].start, high, state)
        else:
            combined.append(Segment(low, high, state))
    return combined


def _timeline(session: Session, monitors: Sequence[Monitor], start: datetime, end: datetime) -> Markup:
    query = (
        select(
            StateInterval.monitor_id, StateInterval.state, StateInterval.started_at, StateInterval.ended_at
        )
        .where(
            StateInterval.monitor_id.in_([m.id for m in monitors]),
            StateInterval.started_at < end,
            or_(StateInterval.ended_at.is_(None), StateInterval.ended_at > start),
        )
        .order_by(StateInterval.monitor_id, StateInterval.started_at)
    )
    spans: dict[int, list[Segment]] = defaultdict(list)
    for monitor_id, state, began, ended in session.execute(query):
        spans[monitor_id].append(Segment(began, ended or end, str(state.value)))
    rows = [TimelineRow(m.name, with_gaps(spans[m.id], start, end)) for m in monitors]
    if len(rows) > 1:
        rows.insert(0, TimelineRow("Service (worst of all)", combine_worst([row.segments for row in rows])))
    days = round((end - start) / timedelta(days=1))
    return uptime_timeline(rows, start=start, end=end, title=f"Uptime over the last {days} days")


def _bucket(session: Session, seconds: int) -> Any:
    """The database's bucket number of `CheckResult.checked_at`: whole `seconds` since the epoch."""
    if session.get_bind().dialect.name == "sqlite":
        epoch = cast(func.strftime("%s", type_coerce(CheckResult.checked_at, String)), BigInteger)
    else:
        epoch = cast(func.floor(extract("epoch", CheckResult.checked_at)), BigInteger)
    return epoch // seconds


def _latency(session: Session, monitors: Sequence[Monitor], end: datetime) -> Markup:
    start = end - timedelta(hours=24)
    seconds = int(LATENCY_BUCKET.total_seconds())
    bucket = _bucket(session, seconds).label("bucket")
    query = (
        select(CheckResult.monitor_id, bucket, func.avg(CheckResult.latency_ms))
        .where(
            CheckResult.monitor_id.in_([m.id for m in monitors]),
            CheckResult.checked_at >= start,
            CheckResult.checked_at < end,
            CheckResult.latency_ms.is_not(None),
        )
        .group_by(CheckResult.monitor_id, bucket)
    )
    averages: dict[int, dict[int, float]] = defaultdict(dict)
    for monitor_id, number, average in session.execute(query):
        averages[monitor_id][int(number)] = float(average)
    first = int(start.timestamp()) // seconds
    last = int(end.timestamp()) // seconds
    series = []
    for monitor in monitors:
        if monitor.id not in averages:
            continue
        found = averages[monitor.id]
        points = [
            Point(datetime.fromtimestamp((n + 0.5) * seconds, tz=end.tzinfo), found.get(n))
            for n in range(first, last + 1)
        ]
        series.append(Series(monitor.name, points))
    return latency_chart(series, start=start, end=end, title="Average response time, last 24 hours")


def top_findings(findings: Sequence[dict[str, Any]], count: int = 8) -> list[dict[str, Any]]:
    """The `count` most severe findings (`SEVERITY_ORDER`, then by title), as stored."""
    rank = {severity: index for index, severity in enumerate(SEVERITY_ORDER)}
    ordered = sorted(
        findings, key=lambda f: (rank.get(str(f.get("severity")), len(rank)), str(f.get("title", "")))
    )
    return list(ordered[:count])


def _latest_run(session: Session, service_id: int) -> AssessmentRun | None:
    query = (
        select(AssessmentRun)
        .where(AssessmentRun.service_id == service_id, AssessmentRun.status == AssessmentStatus.SUCCEEDED)
        .order_by(AssessmentRun.started_at.desc(), AssessmentRun.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def _incidents(
    session: Session, service_id: int, now: datetime
) -> tuple[list[IncidentPublic], list[IncidentPublic]]:
    from pysteward.server.incidents.queue import urgency

    opened = session.scalars(
        select(Incident)
        .where(Incident.service_id == service_id, Incident.status != IncidentStatus.RESOLVED)
        .order_by(*urgency())
    )
    resolved = session.scalars(
        select(Incident)
        .where(Incident.service_id == service_id, Incident.status == IncidentStatus.RESOLVED)
        .order_by(Incident.resolved_at.desc(), Incident.id.desc())
        .limit(_RECENT)
    )
    return (
        [incident_public(session, row, now=now) for row in opened],
        [incident_public(session, row, now=now) for row in resolved],
    )


def service_page(
    session: Session,
    *,
    principal: Principal,
    service_id: int,
    now: datetime,
    days: int = 7,
    cache: WindowCache | None = None,
) -> ServicePage:
    """The page of `service_id` as `principal` may see it (404 for another client's or a missing one)."""
    service = get_service_for(session, principal, service_id)
    monitors = list(
        session.scalars(select(Monitor).where(Monitor.service_id == service.id).order_by(Monitor.id))
    )
    counts: dict[str, int] = defaultdict(int)
    for monitor in monitors:
        counts[monitor.state.value if monitor.enabled else "disabled"] += 1
    figure = window_figures(session, services=[(service.id, service.client_id)], now=now, cache=cache).get(
        service.id
    )
    from pysteward.server.slas.service import covering_sla

    assessment = _latest_run(session, service.id)
    opened, resolved = _incidents(session, service.id, now)
    return ServicePage(
        now=now,
        service=service,
        client=session.get_one(Client, service.client_id),
        state=service_state(counts)[0],
        monitors=monitors,
        sla=covering_sla(session, service_id=service.id),
        figure=figure,
        uptime=_timeline(session, monitors, now - timedelta(days=days), now),
        latency=_latency(session, monitors, now),
        open_incidents=opened,
        resolved_incidents=resolved,
        assessment=assessment,
        risk=None
        if assessment is None
        else Risk(assessment.id, assessment.risk_grade, assessment.risk_score, assessment.finished_at),
        findings=top_findings(assessment.findings) if assessment is not None else [],
    )
