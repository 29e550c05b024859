"""HTTP(S) checks with aiohttp: status, body and JSON expectations, latency and certificate limits.

The monitor's `config` (validated by the monitor schemas) may omit any key; `HttpConfig.from_config`
puts the defaults back. `ca_pem` (optional, PEM text) adds certificate authorities to trust for this
monitor, for internal services with their own CA.
"""

from __future__ import annotations

import json
import re
import ssl
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
from jsonpath_ng.exceptions import JsonPathParserError
from jsonpath_ng.parser import parse as parse_jsonpath
from yarl import URL

from pysteward.server.monitors.checks._guard import refuse_literal
from pysteward.server.monitors.checks.outcome import CheckOutcome
from pysteward.server.monitors.checks.tls import days_to_expiry
from pysteward.server.monitors.models import State
from pysteward.server.monitors.targets import TargetRefused
from pysteward.server.settings import IPNetwork

__all__ = ["MAX_BODY_BYTES", "MAX_REDIRECTS", "HttpConfig", "check_http", "status_matches"]

MAX_BODY_BYTES = 1024 * 1024
"""Expectations look at the first MiB of a body: enough for a health page, bounded for memory."""
MAX_REDIRECTS = 10
_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpConfig:
    """An HTTP monitor's settings with every default filled in."""

    url: str
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str | None = None
    expected_status: tuple[int | str, ...] = ("2xx", "3xx")
    body_contains: str | None = None
    body_regex: str | None = None
    json_path: str | None = None
    json_equals: Any = None
    max_latency_ms: float | None = None
    follow_redirects: bool = True
    tls_expiry_days: int | None = None
    ca_pem: str | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> HttpConfig:
        """The settings in `config`, missing or null keys taking their defaults."""
        present = {key: value for key, value in config.items() if value is not None}
        known = set(cls.__dataclass_fields__)
        values = {key: value for key, value in present.items() if key in known}
        if "expected_status" in values:
            values["expected_status"] = tuple(values["expected_status"]) or ("2xx", "3xx")
        values["method"] = str(values.get("method", "GET")).upper()
        return cls(**values)


def status_matches(status: int, expected: Iterable[int | str]) -> bool:
    """Whether `status` is one of `expected`: exact codes (200, "204") or classes ("2xx")."""
    for item in expected:
        text = str(item).lower()
        if text.endswith("xx") and text[:1].isdigit() and status // 100 == int(text[0]):
            return True
        if text.isdigit() and int(text) == status:
            return True
    return False


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    body: bytes
    peercert: Mapping[str, Any] | None
    url: URL


class _TooManyRedirects(Exception):
    pass


async def check_http(
    session: aiohttp.ClientSession,
    config: Mapping[str, Any],
    *,
    timeout: float,
    allowed: Iterable[IPNetwork],
    now: datetime,
    ssl_context: ssl.SSLContext | None = None,
) -> CheckOutcome:
    """Request the monitor's URL once (following redirects if asked) and judge the answer.

    Every failure is an outcome, never an exception: refused targets, timeouts, connection and
    certificate errors are DOWN with a message saying which.
    """
    cfg = HttpConfig.from_config(config)
    started = time.perf_counter()
    try:
        answer = await _fetch(session, cfg, timeout=timeout, allowed=tuple(allowed), ssl_context=ssl_context)
    except TargetRefused as e:
        return CheckOutcome(state=State.DOWN, message=str(e))
    except TimeoutError:
        return CheckOutcome(state=State.DOWN, message=f"no answer within {timeout:g} s")
    except _TooManyRedirects:
        return CheckOutcome(state=State.DOWN, message=f"more than {MAX_REDIRECTS} redirects")
    except aiohttp.ClientConnectorCertificateError as e:
        return CheckOutcome(state=State.DOWN, message=f"TLS certificate rejected: {e.certificate_error}")
    except (aiohttp.ClientError, OSError, ValueError) as e:
        return CheckOutcome(state=State.DOWN, message=f"request failed: {e or type(e).__name__}")
    latency = (time.perf_counter() - started) * 1000
    return judge(cfg, answer.status, answer.body, answer.peercert, latency_ms=latency, now=now)


async def _fetch(
    session: aiohttp.ClientSession,
    cfg: HttpConfig,
    *,
    timeout: float,
    allowed: tuple[IPNetwork, ...],
    ssl_context: ssl.SSLContext | None,
) -> _Answer:
    # Redirects are followed here, not by aiohttp, so each hop's host is checked: aiohttp's
    # resolver (where names are checked) is skipped for IP literals.
    url, method, body = URL(cfg.url), cfg.method, cfg.body
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    for _ in range(MAX_REDIRECTS + 1):
        refuse_literal(url.host or "", allowed)
        async with session.request(
            method,
            url,
            headers=dict(cfg.headers),
            data=body.encode() if body is not None else None,
            allow_redirects=False,
            timeout=client_timeout,
            ssl=ssl_context if ssl_context is not None else True,
        ) as response:
            peercert = _peercert(response)
            location = response.headers.get("Location")
            if cfg.follow_redirects and response.status in _REDIRECTS and location:
                url = url.join(URL(location))
                if response.status == 303 or (response.status in {301, 302} and method == "POST"):
                    method, body = "GET", None
                continue
            content = await response.content.read(MAX_BODY_BYTES)
            return _Answer(response.status, content, peercert, url)
    raise _TooManyRedirects


def _peercert(response: aiohttp.ClientResponse) -> Mapping[str, Any] | None:
    # aiohttp releases the connection as soon as a small body has arrived, so `response.connection`
    # is often None here; the protocol it keeps still holds the TLS transport.
    protocol = getattr(response, "_protocol", None)
    transport = getattr(protocol, "transport", None)
    if transport is None:
        return None
    cert = transport.get_extra_info("peercert")
    return cert or None


def judge(
    cfg: HttpConfig,
    status: int,
    body: bytes,
    peercert: Mapping[str, Any] | None,
    *,
    latency_ms: float,
    now: datetime,
) -> CheckOutcome:
    """The outcome of an answer: DOWN on a failed expectation, DEGRADED past a soft limit, else UP."""
    details: dict[str, Any] = {"status": status}
    problem = _expectation_problem(cfg, status, body)
    if problem is not None:
        return CheckOutcome(state=State.DOWN, latency_ms=latency_ms, message=problem, details=details)
    warnings: list[str] = []
    if cfg.max_latency_ms is not None and latency_ms > cfg.max_latency_ms:
        warnings.append(f"answered in {latency_ms:.0f} ms, over the {cfg.max_latency_ms:g} ms limit")
    if peercert is not None:
        days = days_to_expiry(peercert, now)
        details["tls_days_left"] = round(days, 2)
        if cfg.tls_expiry_days is not None and days < cfg.tls_expiry_days:
            warnings.append(f"TLS certificate expires in {days:.1f} days (limit {cfg.tls_expiry_days})")
    if warnings:
        return CheckOutcome(
            state=State.DEGRADED, latency_ms=latency_ms, message="; ".join(warnings), details=details
        )
    return CheckOutcome(state=State.UP, latency_ms=latency_ms, message=f"HTTP {status}", details=details)


def _expectation_problem(cfg: HttpConfig, status: int, body: bytes) -> str | None:
    if not status_matches(status, cfg.expected_status):
        wanted = ", ".join(str(item) for item in cfg.expected_status)
        return f"HTTP {status}, expected {wanted}"
    text = body.decode("utf-8", errors="replace")
    if cfg.body_contains is not None and cfg.body_contains not in text:
        return f"body does not contain {cfg.body_contains!r}"
    if cfg.body_regex is not None:
        try:
            if re.search(cfg.body_regex, text) is None:
                return f"body does not match /{cfg.body_regex}/"
        except re.error as e:
            return f"body_regex: {e}"
    if cfg.json_path is not None:
        return _json_problem(cfg.json_path, cfg.json_equals, text)
    return None


def _json_problem(path: str, equals: Any, text: str) -> str | None:
    try:
        document = json.loads(text)
    except ValueError:
        return "body is not JSON"
    try:
        matches = [match.value for match in parse_jsonpath(path).find(document)]
    except (JsonPathParserError, Exception) as e:  # jsonpath-ng raises bare Exception on bad syntax
        return f"json_path: {e}"
    if not matches:
        return f"{path} not found in the body"
    if equals is not None and matches[0] != equals:
        return f"{path} is {json.dumps(matches[0])}, expected {json.dumps(equals)}"
    return None
