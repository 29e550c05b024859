"""Service functions for monitors (STYLE 25): definitions and their history, for the API, the CLI and
the web console. Checking itself lives in the runner.

Every function takes the caller's `Principal`; another client's monitor answers 404 like a missing one.
Lists are one query each (monitors joined to their service for the client id) with keyset paging, so
page 200 of 10,000 monitors costs what page 1 costs.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from pysteward.server.errors import ApiError
from pysteward.server.estate.models import Service
from pysteward.server.estate.service import get_service_for, has_tag, keyset_page, visible_clients
from pysteward.server.monitors.heartbeats import hash_token
from pysteward.server.monitors.models import CheckResult, Monitor, MonitorKind, Rollup, State, StateInterval
from pysteward.server.monitors.schemas import (
    CONFIG_MODELS,
    HttpMonitorCreate,
    IntervalPublic,
    MonitorCreate,
    MonitorCreated,
    MonitorFilters,
    MonitorPublic,
    MonitorUpdate,
    ResultPublic,
    RollupList,
    RollupPublic,
    TcpMonitorCreate,
)
from pysteward.server.monitors.targets import refuse_private_literal
from pysteward.server.pagination import PageParams
from pysteward.server.principal import Principal
from pysteward.server.settings import IPNetwork, Settings
from pysteward.server.tenancy.auth import require_writer

__all__ = [
    "MAX_ROLLUPS",
    "TimeWindow",
    "create_monitor",
    "delete_monitor",
    "get_monitor_for",
    "invalid",
    "list_intervals",
    "list_monitors",
    "list_results",
    "list_rollups",
    "rotate_token",
    "show_monitor",
    "update_monitor",
]

MAX_ROLLUPS = 5000
"""The most rollups one request returns (3.5 days of minutes, 208 days of hours)."""
_PERIODS = {"minute": (60, timedelta(days=1)), "hour": (3600, timedelta(days=30))}
_NOT_SCHEDULED = ("interval_seconds", "timeout_seconds")
_Row = TypeVar("_Row", ResultPublic, IntervalPublic)


def _push_url(settings: Settings, token: str) -> str:
    return f"{settings.base_url}/ping/{token}"


def _monitors(principal: Principal) -> Select[Monitor, int]:
    return (
        select(Monitor, Service.client_id)
        .join(Service, Service.id == Monitor.service_id)
        .where(visible_clients(principal))
    )


def _public(monitor: Monitor, client_id: int) -> MonitorPublic:
    values = {name: getattr(monitor, name) for name in MonitorPublic.model_fields if name != "client_id"}
    return MonitorPublic(**values, client_id=client_id)


def _load(session: Session, principal: Principal, monitor_id: int) -> tuple[Monitor, int]:
    row = session.execute(_monitors(principal).where(Monitor.id == monitor_id)).first()
    if row is None:
        raise ApiError(404, f"monitor {monitor_id} not found")
    return row[0], row[1]


def get_monitor_for(session: Session, principal: Principal, monitor_id: int) -> Monitor:
    """The monitor `monitor_id` if `principal` sees it; 404 for a missing or another client's one."""
    return _load(session, principal, monitor_id)[0]


def show_monitor(session: Session, *, principal: Principal, monitor_id: int) -> MonitorPublic:
    """The public view of one monitor."""
    return _public(*_load(session, principal, monitor_id))


def list_monitors(
    session: Session, *, principal: Principal, filters: MonitorFilters, page: PageParams
) -> tuple[list[MonitorPublic], int | None]:
    """One page of the monitors `principal` sees, narrowed by `filters`, in id order."""
    query = _monitors(principal)
    if filters.service_id is not None:
        query = query.where(Monitor.service_id == filters.service_id)
    if filters.client_id is not None:
        query = query.where(Service.client_id == filters.client_id)
    if filters.kind is not None:
        query = query.where(Monitor.kind == filters.kind)
    if filters.state is not None:
        query = query.where(Monitor.state == filters.state)
    if filters.tag is not None:
        query = query.where(has_tag(session, filters.tag))
    if filters.q:
        query = query.where(Monitor.name.icontains(filters.q, autoescape=True))
    rows, next_after = keyset_page(session, query, page, Monitor.id)
    return [_public(monitor, client_id) for monitor, client_id in rows], next_after


def _refuse_private(kind: MonitorKind, config: dict[str, Any], allowed: Iterable[IPNetwork]) -> None:
    """422 when an http URL's or tcp host is an IP literal in a refused range. Names are resolved
    and checked again by the runner at every check (DNS can change)."""
    if kind is MonitorKind.HTTP:
        field, host = "body.config.url", urlsplit(config["url"]).hostname or ""
    elif kind is MonitorKind.TCP:
        field, host = "body.config.host", str(config["host"]).strip("[]")
    else:
        return
    refuse_private_literal(field, host, allowed, to="monitor it")


def create_monitor(
    session: Session, *, principal: Principal, data: MonitorCreate, now: datetime, settings: Settings
) -> MonitorCreated:
    """Create a monitor on a service `principal` sees. It is due at once and `unknown` until checked;
    a heartbeat's push URL (with its secret token) is in the answer and never shown again."""
    service = get_service_for(session, principal, data.service_id)
    kind = MonitorKind(data.kind)
    config = data.config.model_dump(mode="json")
    _refuse_private(kind, config, settings.private_networks_allowed)
    values = data.model_dump(exclude={"kind", "config"})
    if values["incident_priority"] == "none":
        values["incident_priority"] = None
    monitor = Monitor(
        **values, kind=kind, config=config, created_at=now, state=State.UNKNOWN, state_since=now
    )
    monitor.next_run_at = now if data.enabled else None
    if not isinstance(data, HttpMonitorCreate | TcpMonitorCreate):
        monitor.interval_seconds, monitor.timeout_seconds = 60, 10.0
    token = _new_token(monitor) if kind is MonitorKind.HEARTBEAT else None
    session.add(monitor)
    session.commit()
    push_url = _push_url(settings, token) if token else None
    return MonitorCreated(**_public(monitor, service.client_id).model_dump(), push_url=push_url)


def _new_token(monitor: Monitor) -> str:
    token = secrets.token_urlsafe(24)
    monitor.heartbeat_token_hash = hash_token(token)
    return token


def rotate_token(
    session: Session, *, principal: Principal, monitor_id: int, settings: Settings
) -> MonitorCreated:
    """Give a heartbeat monitor a new secret token; the old push URL stops working at once."""
    monitor, client_id = _load(session, principal, monitor_id)
    require_writer(principal)  # after the look-up: another client's monitor answers 404, not 403
    if monitor.kind is not MonitorKind.HEARTBEAT:
        raise ApiError(
            409, f"monitor {monitor_id} is a {monitor.kind.value} monitor: only heartbeats have a token"
        )
    token = _new_token(monitor)
    session.commit()
    return MonitorCreated(**_public(monitor, client_id).model_dump(), push_url=_push_url(settings, token))


def invalid(prefix: str, error: ValidationError) -> ApiError:
    """A 422 naming the first problem of `error` under `prefix` (`body.config.url: …`)."""
    first = error.errors()[0]
    where = ".".join([prefix, *(str(part) for part in first["loc"])])
    message = str(first["msg"]).removeprefix("Value error, ")
    return ApiError(422, f"{where}: {message[:1].lower()}{message[1:]}")


def _validated(model: type[BaseModel], value: dict[str, Any], prefix: str) -> dict[str, Any]:
    try:
        return model.model_validate(value).model_dump(mode="json")
    except ValidationError as e:
        raise invalid(prefix, e) from None


def _checked_changes(monitor: Monitor, data: MonitorUpdate) -> dict[str, Any]:
    changes = data.model_dump(exclude_none=True)
    if monitor.kind is MonitorKind.HEARTBEAT:
        for field in _NOT_SCHEDULED:
            if field in changes:
                raise ApiError(422, f"body.{field}: does not apply to heartbeat monitors")
    interval = changes.get("interval_seconds", monitor.interval_seconds)
    timeout = changes.get("timeout_seconds", monitor.timeout_seconds)
    if monitor.kind is not MonitorKind.HEARTBEAT and timeout > interval:
        field = "timeout_seconds" if "timeout_seconds" in changes else "interval_seconds"
        raise ApiError(
            422, f"body.{field}: timeout_seconds ({timeout:g}) must not exceed interval_seconds ({interval})"
        )
    if "config" in changes:
        changes["config"] = _validated(CONFIG_MODELS[monitor.kind], changes["config"], "body.config")
    if changes.get("incident_priority") == "none":
        changes["incident_priority"] = None
    return changes


def update_monitor(
    session: Session,
    *,
    principal: Principal,
    monitor_id: int,
    data: MonitorUpdate,
    now: datetime,
    settings: Settings,
) -> MonitorPublic:
    """Apply the given fields. A changed interval or config, or enabling, makes the monitor due now;
    disabling unschedules it. Maintenance is only the flag: the runner turns it into a state."""
    monitor, client_id = _load(session, principal, monitor_id)
    require_writer(principal)
    changes = _checked_changes(monitor, data)
    if "service_id" in changes:
        client_id = get_service_for(session, principal, changes["service_id"]).client_id
    if "config" in changes:
        _refuse_private(monitor.kind, changes["config"], settings.private_networks_allowed)
    was_enabled = monitor.enabled
    for field, value in changes.items():
        setattr(monitor, field, value)
    if not monitor.enabled:
        monitor.next_run_at = None
    elif not was_enabled or {"interval_seconds", "config"} & changes.keys():
        monitor.next_run_at = now
    session.commit()
    return _public(monitor, client_id)


def delete_monitor(session: Session, *, principal: Principal, monitor_id: int) -> None:
    """Delete a monitor with its results, intervals and rollups (the database cascades)."""
    monitor = get_monitor_for(session, principal, monitor_id)
    require_writer(principal)
    session.delete(monitor)
    session.commit()


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """The `since` (inclusive) and `until` (exclusive) of a history request; None leaves that side open."""

    since: datetime | None = None
    until: datetime | None = None


def _window(query: Select[Any], column: Any, window: TimeWindow) -> Select[Any]:
    if window.since is not None:
        query = query.where(column >= window.since)
    if window.until is not None:
        query = query.where(column < window.until)
    return query


def _history_page(
    session: Session, query: Select[Any], key: Any, page: PageParams, schema: type[_Row]
) -> tuple[list[_Row], int | None]:
    """One page, ordered by `key`, of the history rows `query` selects, as `schema`."""
    rows, next_after = keyset_page(session, query, page, key)
    return [schema.model_validate(row[0]) for row in rows], next_after


def list_results(
    session: Session, *, principal: Principal, monitor_id: int, window: TimeWindow, page: PageParams
) -> tuple[list[ResultPublic], int | None]:
    """One page of a monitor's raw results checked in [since, until), in id (arrival) order."""
    get_monitor_for(session, principal, monitor_id)
    query = select(CheckResult).where(CheckResult.monitor_id == monitor_id)
    query = _window(query, CheckResult.checked_at, window)
    return _history_page(session, query, CheckResult.id, page, ResultPublic)


def list_intervals(
    session: Session, *, principal: Principal, monitor_id: int, window: TimeWindow, page: PageParams
) -> tuple[list[IntervalPublic], int | None]:
    """One page of a monitor's state intervals overlapping [since, until), oldest first."""
    get_monitor_for(session, principal, monitor_id)
    query = select(StateInterval).where(StateInterval.monitor_id == monitor_id)
    if window.since is not None:
        query = query.where((StateInterval.ended_at.is_(None)) | (StateInterval.ended_at > window.since))
    if window.until is not None:
        query = query.where(StateInterval.started_at < window.until)
    return _history_page(session, query, StateInterval.id, page, IntervalPublic)


def list_rollups(
    session: Session,
    *,
    principal: Principal,
    monitor_id: int,
    period: Literal["minute", "hour"],
    window: TimeWindow,
    now: datetime,
) -> RollupList:
    """A monitor's rollups of `period` with buckets starting in [since, until), oldest first, at most
    `MAX_ROLLUPS`. Without `since`, the last day of minutes or the last 30 days of hours."""
    get_monitor_for(session, principal, monitor_id)
    seconds, default_span = _PERIODS[period]
    since = window.since if window.since is not None else (window.until or now) - default_span
    query = select(Rollup).where(Rollup.monitor_id == monitor_id, Rollup.period == seconds)
    query = _window(query, Rollup.bucket_start, TimeWindow(since, window.until))
    query = query.order_by(Rollup.bucket_start).limit(MAX_ROLLUPS)
    items = [
        RollupPublic(
            bucket_start=r.bucket_start,
            checks=r.checks,
            failures=r.failures,
            latency_avg_ms=r.latency_sum_ms / r.checks if r.checks else None,
            latency_max_ms=r.latency_max_ms,
        )
        for r in session.scalars(query)
    ]
    return RollupList(period=period, items=items)
