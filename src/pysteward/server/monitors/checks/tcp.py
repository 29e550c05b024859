"""TCP connect checks: the port accepts a connection within the timeout."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import Iterable, Mapping
from typing import Any

from pysteward.server.monitors.checks._guard import addresses
from pysteward.server.monitors.checks.outcome import CheckOutcome
from pysteward.server.monitors.models import State
from pysteward.server.monitors.targets import TargetRefused, refuse_private
from pysteward.server.settings import IPNetwork

__all__ = ["check_tcp"]


async def check_tcp(
    config: Mapping[str, Any], *, timeout: float, allowed: Iterable[IPNetwork]
) -> CheckOutcome:
    """Resolve `config["host"]`, refuse private addresses, connect to `config["port"]`, close."""
    host, port = str(config["host"]), int(config["port"])
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            loop = asyncio.get_running_loop()
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            found = addresses(infos)
            refuse_private(host, found, allowed)
            # Connect to the address that was checked, not to the name (no second lookup).
            _, writer = await asyncio.open_connection(found[0], port)
    except TargetRefused as e:
        return CheckOutcome(state=State.DOWN, message=str(e))
    except TimeoutError:
        return CheckOutcome(state=State.DOWN, message=f"no connection within {timeout:g} s")
    except OSError as e:
        return CheckOutcome(state=State.DOWN, message=f"cannot connect to {host}:{port}: {e.strerror or e}")
    latency = (time.perf_counter() - started) * 1000
    writer.close()
    # A reset while closing changes nothing about the result.
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return CheckOutcome(state=State.UP, latency_ms=latency, message=f"connected to {host}:{port}")
