"""HTTP schemas for monitors (STYLE 25): what a client may send, and what the API shows.

`MonitorCreate` is a union discriminated on `kind`; each kind's `config` model is dumped as JSON into
`Monitor.config`, the exact shape the runner and the checks read:

    http       HttpConfig       url, method, headers, body, expectations, soft limits
    tcp        TcpConfig        host, port
    heartbeat  HeartbeatConfig  period_seconds or cron (+ timezone), grace_seconds

Validators raise sentences that read after the field's path (`body.config.url: must use http or https`).
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from cronsim import CronSim, CronSimError
from jsonpath_ng.parser import parse as parse_json_path
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    StrictBool,
    StrictInt,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from pysteward.server.estate.schemas import StrictModel
from pysteward.server.monitors.models import MonitorKind, State
from pysteward.server.pagination import MAX_ID
from pysteward.server.slas.models import Priority

__all__ = [
    "CONFIG_MODELS",
    "HeartbeatConfig",
    "HeartbeatMonitorCreate",
    "HttpConfig",
    "HttpMonitorCreate",
    "IntervalPublic",
    "MonitorCreate",
    "MonitorCreated",
    "MonitorFilters",
    "MonitorPublic",
    "MonitorUpdate",
    "ResultPublic",
    "RollupList",
    "RollupPublic",
    "TcpConfig",
    "TcpMonitorCreate",
]

MAX_INTERVAL = 7 * 86_400
MAX_TIMEOUT = 300.0
MAX_THRESHOLD = 100

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_STATUS_CLASS = re.compile(r"^[1-5]xx$")
_HOST = re.compile(r"^[A-Za-z0-9._:%\[\]-]+$")


def _status(value: int | str) -> int | str:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, int):
        if not 100 <= value <= 599:
            raise ValueError(f"{value} is not an HTTP status code (100-599)")
        return value
    lowered = value.lower()
    if not _STATUS_CLASS.match(lowered):
        raise ValueError(f"{value!r} is neither a status code nor a class such as '2xx'")
    return lowered


def _host(value: str) -> str:
    if not _HOST.match(value):
        raise ValueError(f"{value!r} is not a host name or IP address")
    return value


def _default_statuses() -> list[int | str]:
    return ["2xx", "3xx"]


def _header_name(name: str) -> str:
    if not _HEADER_NAME.match(name):
        raise ValueError(f"{name!r} is not a valid header name")
    return name


def _header_value(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("header values cannot contain line breaks")
    return value


StatusSpec = Annotated[int | str, AfterValidator(_status)]
HeaderName = Annotated[str, StringConstraints(max_length=200), AfterValidator(_header_name)]
HeaderValue = Annotated[str, StringConstraints(max_length=8000), AfterValidator(_header_value)]


class HttpConfig(StrictModel):
    """An HTTP(S) request and what its answer must look like."""

    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    method: Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] = "GET"
    headers: dict[HeaderName, HeaderValue] = Field(default_factory=dict, max_length=50)
    body: str | None = Field(default=None, max_length=100_000)
    expected_status: list[StatusSpec] = Field(default_factory=_default_statuses, min_length=1, max_length=50)
    body_contains: str | None = Field(default=None, max_length=10_000)
    body_regex: str | None = Field(default=None, max_length=10_000)
    json_path: str | None = Field(default=None, max_length=1000)
    json_equals: JsonValue = None
    """Only with `json_path`: the value found there must equal this."""
    max_latency_ms: float | None = Field(default=None, gt=0)
    """A slower answer makes the check `degraded`."""
    follow_redirects: StrictBool = True
    tls_expiry_days: int | None = Field(default=None, ge=1, le=3650)
    """A certificate expiring in fewer days makes the check `degraded`."""
    ca_pem: str | None = Field(default=None, max_length=100_000)
    """Extra CA certificates (PEM) to trust, for a target with a private certificate authority."""

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        try:
            parts = urlsplit(value)
            host = parts.hostname
            parts.port  # noqa: B018 (raises ValueError for a port out of range)
        except ValueError as e:
            raise ValueError(f"is not a valid URL ({e})") from None
        if parts.scheme not in {"http", "https"}:
            raise ValueError("must be an http:// or https:// URL")
        if not host:
            raise ValueError("must name a host")
        return value

    @field_validator("body_regex")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as e:
                raise ValueError(f"is not a valid regular expression ({e})") from None
        return value

    @field_validator("json_path")
    @classmethod
    def _json_path(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_json_path(value)
            except Exception as e:  # jsonpath-ng raises bare Exception for some syntax errors
                raise ValueError(f"is not a valid JSONPath expression ({e})") from None
        return value

    @field_validator("json_equals")
    @classmethod
    def _json_equals(cls, value: JsonValue, info: ValidationInfo) -> JsonValue:
        if value is not None and info.data.get("json_path") is None:
            raise ValueError("needs json_path: it says where in the answer to look")
        return value


class TcpConfig(StrictModel):
    """A TCP connection to open."""

    host: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=253), AfterValidator(_host)
    ]
    port: int = Field(ge=1, le=65535)


class HeartbeatConfig(StrictModel):
    """When a job is expected to signal: every `period_seconds`, or on a cron schedule in `timezone`."""

    period_seconds: int | None = Field(default=None, ge=10, le=366 * 86_400)
    cron: str | None = Field(default=None, max_length=200, validate_default=True)
    timezone: str = Field(default="UTC", max_length=64)
    grace_seconds: int = Field(default=300, ge=0, le=7 * 86_400)
    """How late a signal may be before the monitor is down."""

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None, info: ValidationInfo) -> str | None:
        # A period_seconds that failed its own validation is absent from `info.data`: say nothing more.
        period = info.data.get("period_seconds", 0)
        if value is None:
            if period is None:
                raise ValueError("give period_seconds or cron")
            return None
        if period is not None:
            raise ValueError("give period_seconds or cron, not both")
        try:
            CronSim(value, datetime(2000, 1, 1))  # only the expression is checked
        except CronSimError as e:
            raise ValueError(f"is not a valid cron expression ({e})") from None
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone name such as 'Europe/Berlin'") from None
        return value


CONFIG_MODELS: dict[MonitorKind, type[StrictModel]] = {
    MonitorKind.HTTP: HttpConfig,
    MonitorKind.TCP: TcpConfig,
    MonitorKind.HEARTBEAT: HeartbeatConfig,
}
"""The config model of each kind, for code that validates a stored or changed config."""


class _MonitorFields(StrictModel):
    name: Name
    service_id: int = Field(ge=1, le=MAX_ID)
    failures_before_down: int = Field(default=1, ge=1, le=MAX_THRESHOLD)
    """Consecutive failed checks before the monitor is down (retries are not downtime)."""
    successes_before_up: int = Field(default=1, ge=1, le=MAX_THRESHOLD)
    maintenance: StrictBool = False
    enabled: StrictBool = True
    incident_priority: Priority | Literal["none"] = Priority.P2
    """Going DOWN opens an incident of this priority; `none`: no incident."""
    incident_cooldown_seconds: StrictInt = Field(default=900, ge=0, le=7 * 86400)
    """Going DOWN again within this time of the incident's resolution reopens it (a flap)."""


class _Scheduled(_MonitorFields):
    interval_seconds: int = Field(default=60, ge=10, le=MAX_INTERVAL)
    timeout_seconds: float = Field(default=10.0, gt=0, le=MAX_TIMEOUT)

    @field_validator("timeout_seconds")
    @classmethod
    def _timeout(cls, value: float, info: ValidationInfo) -> float:
        interval = info.data.get("interval_seconds")
        if interval is not None and value > interval:
            raise ValueError(f"must not exceed interval_seconds ({interval})")
        return value


class HttpMonitorCreate(_Scheduled):
    """A new HTTP(S) monitor."""

    kind: Literal["http"]
    config: HttpConfig


class TcpMonitorCreate(_Scheduled):
    """A new TCP monitor."""

    kind: Literal["tcp"]
    config: TcpConfig


class HeartbeatMonitorCreate(_MonitorFields):
    """A new heartbeat monitor; it has no interval or timeout: the job calls in."""

    kind: Literal["heartbeat"]
    config: HeartbeatConfig


MonitorCreate = Annotated[
    HttpMonitorCreate | TcpMonitorCreate | HeartbeatMonitorCreate, Field(discriminator="kind")
]


class MonitorUpdate(StrictModel):
    """Changes to a monitor; absent or null fields stay as they are. `config` replaces the whole
    config and is validated for the monitor's kind; the kind cannot change."""

    name: Name | None = None
    service_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    interval_seconds: int | None = Field(default=None, ge=10, le=MAX_INTERVAL)
    timeout_seconds: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT)
    failures_before_down: int | None = Field(default=None, ge=1, le=MAX_THRESHOLD)
    successes_before_up: int | None = Field(default=None, ge=1, le=MAX_THRESHOLD)
    maintenance: StrictBool | None = None
    enabled: StrictBool | None = None
    incident_priority: Priority | Literal["none"] | None = None
    """`none` stops opening incidents."""
    incident_cooldown_seconds: StrictInt | None = Field(default=None, ge=0, le=7 * 86400)
    config: dict[str, Any] | None = None


class MonitorPublic(BaseModel):
    """A monitor as the API shows it (never its heartbeat token)."""

    id: int
    service_id: int
    client_id: int
    name: str
    kind: MonitorKind
    config: dict[str, Any]
    interval_seconds: int
    timeout_seconds: float
    failures_before_down: int
    successes_before_up: int
    maintenance: bool
    enabled: bool
    incident_priority: Priority | None
    incident_cooldown_seconds: int
    state: State
    state_since: datetime | None
    last_checked_at: datetime | None
    next_run_at: datetime | None
    created_at: datetime


class MonitorCreated(MonitorPublic):
    """The answer to a create or a token rotation: a heartbeat's push URL is shown here only."""

    push_url: str | None = None


class ResultPublic(BaseModel):
    """One check result."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    checked_at: datetime
    state: State
    latency_ms: float | None
    message: str
    details: dict[str, Any]


class IntervalPublic(BaseModel):
    """A span of time in one state; `ended_at` is None for the current one."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    state: State
    started_at: datetime
    ended_at: datetime | None


class RollupPublic(BaseModel):
    """Counts of one minute's or hour's checks."""

    bucket_start: datetime
    checks: int
    failures: int
    latency_avg_ms: float | None
    latency_max_ms: float


class RollupList(BaseModel):
    """Rollups of one period, oldest first."""

    period: Literal["minute", "hour"]
    items: list[RollupPublic]


@dataclass(frozen=True, slots=True, kw_only=True)
class MonitorFilters:
    """What a monitor list is narrowed to; None means any. `tag` is a tag of the monitor's service,
    `q` a case-insensitive substring of its name."""

    service_id: int | None = None
    client_id: int | None = None
    kind: MonitorKind | None = None
    state: State | None = None
    tag: str | None = None
    q: str | None = None
