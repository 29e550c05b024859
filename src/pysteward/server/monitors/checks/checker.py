"""`Checker`: runs one check of any kind, sharing one aiohttp session across all HTTP checks."""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol

import aiohttp

from pysteward.server.monitors.checks._guard import GuardedResolver
from pysteward.server.monitors.checks.http import check_http
from pysteward.server.monitors.checks.outcome import CheckOutcome
from pysteward.server.monitors.checks.tcp import check_tcp
from pysteward.server.monitors.models import MonitorKind, State
from pysteward.server.settings import IPNetwork
from pysteward.store.base import utcnow

__all__ = ["CheckRunner", "Checker"]


class CheckRunner(Protocol):
    """Anything that turns a monitor's kind, config and timeout into an outcome (real or fake)."""

    async def check(self, kind: MonitorKind, config: Mapping[str, Any], timeout: float) -> CheckOutcome:
        """One check; failures are outcomes, never exceptions."""
        ...


class Checker:
    """The real checks: `async with Checker(allowed, limit=…) as checker: await checker.check(…)`."""

    def __init__(
        self,
        allowed: Iterable[IPNetwork],
        *,
        limit: int = 100,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._allowed = tuple(allowed)
        self._limit = limit
        self._clock = clock
        self._session: aiohttp.ClientSession | None = None
        self._contexts: dict[str, ssl.SSLContext] = {}

    async def __aenter__(self) -> Checker:
        connector = aiohttp.TCPConnector(
            limit=self._limit, resolver=GuardedResolver(self._allowed), ttl_dns_cache=60
        )
        # No cookies: one monitor's session cookie must never reach another monitor's request.
        self._session = aiohttp.ClientSession(
            connector=connector, cookie_jar=aiohttp.DummyCookieJar(), headers={"User-Agent": "Steward"}
        )
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._session is not None
        await self._session.close()
        self._session = None

    async def check(self, kind: MonitorKind, config: Mapping[str, Any], timeout: float) -> CheckOutcome:
        """One check of `kind`; heartbeats are pushed to the server, never checked from here."""
        if kind is MonitorKind.TCP:
            return await check_tcp(config, timeout=timeout, allowed=self._allowed)
        if kind is MonitorKind.HTTP:
            assert self._session is not None, "use Checker as an async context manager"
            try:
                context = self._context(config.get("ca_pem"))
            except (ssl.SSLError, ValueError) as e:
                return CheckOutcome(state=State.DOWN, message=f"ca_pem: not a usable certificate: {e}")
            return await check_http(
                self._session,
                config,
                timeout=timeout,
                allowed=self._allowed,
                now=self._clock(),
                ssl_context=context,
            )
        raise ValueError(f"{kind.value} monitors are not checked by the runner")

    def _context(self, ca_pem: str | None) -> ssl.SSLContext | None:
        if not ca_pem:
            return None
        if ca_pem not in self._contexts:
            context = ssl.create_default_context()
            context.load_verify_locations(cadata=ca_pem)
            self._contexts[ca_pem] = context
        return self._contexts[ca_pem]
