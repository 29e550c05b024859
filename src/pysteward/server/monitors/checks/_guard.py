"""Private-target refusal for checks (STYLE 19): every address a host resolves to is checked before
connecting, and IP literals are checked directly (aiohttp skips its resolver for them)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from pysteward.server.monitors.targets import refuse_private
from pysteward.server.settings import IPNetwork

__all__ = ["GuardedResolver", "refuse_literal"]


def refuse_literal(host: str, allowed: Iterable[IPNetwork]) -> None:
    """`TargetRefused` when `host` is an IP literal monitors may not reach; names pass through."""
    bare = host.strip("[]")
    try:
        ipaddress.ip_address(bare.split("%", 1)[0])
    except ValueError:
        return
    refuse_private(host, [bare], allowed)


class GuardedResolver(AbstractResolver):
    """A resolver that refuses a name when any of its addresses is private and not allowed.

    All addresses are checked, not only the one used, so a name with one public and one private
    address cannot be used to reach the private one on a later connection.
    """

    def __init__(self, allowed: Iterable[IPNetwork], inner: AbstractResolver | None = None) -> None:
        self._allowed = tuple(allowed)
        self._inner = inner or ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """The addresses of `host`, or `TargetRefused`."""
        results = await self._inner.resolve(host, port, family)
        refuse_private(host, [str(result["host"]) for result in results], self._allowed)
        return results

    async def close(self) -> None:
        """Close the wrapped resolver."""
        await self._inner.close()


def addresses(infos: Iterable[tuple[Any, ...]]) -> list[str]:
    """The IP addresses in `getaddrinfo` results."""
    return [str(info[4][0]) for info in infos]
