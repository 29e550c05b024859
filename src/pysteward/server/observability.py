"""Steward observing itself: `/metrics` in Prometheus text format and structured JSON logs.

Each application has its own `CollectorRegistry` (tests create many applications; the global
registry would refuse the second one). `install_observability(app)` adds the middleware that gives
every request an id (`X-Request-ID`, taken from the caller when sane), times it by route template,
and logs one line per request.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "JsonFormatter",
    "Metrics",
    "RequestMiddleware",
    "configure_logging",
    "install_observability",
    "metrics_for",
    "request_id",
    "router",
]

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
"""The id of the request being handled, for log lines written while handling it."""

log = logging.getLogger("pysteward.server")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    """The application's metrics, in its own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.checks = Counter("steward_checks", "Checks run, by monitor kind.", ["kind"], registry=r)
        self.check_failures = Counter(
            "steward_check_failures", "Checks that found their target down, by kind.", ["kind"], registry=r
        )
        self.results = Counter(
            "steward_check_results", "Check results by kind and state.", ["kind", "state"], registry=r
        )
        self.scheduling_lag = Histogram(
            "steward_scheduling_lag_seconds",
            "Time from a check being due to being claimed.",
            buckets=_LAG_BUCKETS,
            registry=r,
        )
        self.queue_depth = Gauge(
            "steward_runner_queue_depth",
            "Checks claimed and not finished; results not yet stored.",
            ["queue"],
            registry=r,
        )
        self.operations = Counter(
            "steward_operations",
            "Things the operations tick did, by step (incidents opened or resolved, timers warned or"
            " breached, escalations fired, deliveries attempted, burn alerts, periods closed).",
            ["step"],
            registry=r,
        )
        self.operation_failures = Counter(
            "steward_operation_failures",
            "Operations-tick steps that failed (and will run again).",
            ["step"],
            registry=r,
        )
        self.request_latency = Histogram(
            "steward_http_request_duration_seconds",
            "API request latency by route template.",
            ["method", "route", "status"],
            registry=r,
        )

    def count_check(self, kind: str, state: str) -> None:
        """Count one finished check."""
        self.checks.labels(kind=kind).inc()
        self.results.labels(kind=kind, state=state).inc()
        if state == "down":
            self.check_failures.labels(kind=kind).inc()

    def count_operations(self, done: dict[str, Any]) -> None:
        """Count what one operations tick did (`operations_tick`'s result; None marks a failed step)."""
        for step, result in done.items():
            if result is None:
                self.operation_failures.labels(step=step).inc()
            else:
                self.operations.labels(step=step).inc(_amount(result))

    def render(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)


def _amount(result: Any) -> int:
    """How many things a step's result counts: a number, a tuple of numbers, or a dataclass of them."""
    if isinstance(result, int):
        return result
    if isinstance(result, tuple):
        return sum(_amount(part) for part in result)
    values = getattr(result, "__dataclass_fields__", None)
    return sum(_amount(getattr(result, name)) for name in values) if values else 0


def metrics_for(app: FastAPI) -> Metrics:
    """The application's `Metrics`, created on first use."""
    metrics: Metrics | None = getattr(app.state, "metrics", None)
    if metrics is None:
        metrics = app.state.metrics = Metrics()
    return metrics


router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def metrics_endpoint(request: Request) -> Response:
    """Prometheus scrape endpoint."""
    return Response(metrics_for(request.app).render(), media_type=CONTENT_TYPE_LATEST)


class RequestMiddleware:
    """Request ids, latency by route template, and one log line per request (pure ASGI, so the
    route chosen by the router is visible in the shared scope afterwards)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _SANE_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._finish(scope, status, time.perf_counter() - started)
            request_id.reset(token)

    def _finish(self, scope: Scope, status: int, seconds: float) -> None:
        route = getattr(scope.get("route"), "path", None) or "<unmatched>"
        self.metrics.request_latency.labels(method=scope["method"], route=route, status=str(status)).observe(
            seconds
        )
        log.log(
            logging.ERROR if status >= 500 else logging.INFO,
            "%s %s",
            scope["method"],
            route,
            extra={"route": route, "status": status, "duration_ms": round(seconds * 1000, 2)},
        )


def install_observability(app: FastAPI) -> None:
    """Add the request middleware (request ids, latency, access log) to `app`."""
    app.add_middleware(RequestMiddleware, metrics=metrics_for(app))


_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(log_format: str = "json", *, stream: Any = None) -> logging.Handler:
    """Send `pysteward` logs to `stream` (stderr) as JSON lines or plain text; replaces a handler
    installed earlier by this function, so calling it again never duplicates lines."""
    logger = logging.getLogger("pysteward")
    for handler in [h for h in logger.handlers if getattr(h, "_steward", False)]:
        logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._steward = True  # type: ignore[attr-defined]
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return handler
