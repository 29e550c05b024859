"""Which hosts a monitor may reach (STYLE 19): private, loopback, link-local and other reserved
addresses are refused unless `Settings.allow_private_targets` lists their network.

Checked when a monitor is saved (for IP literals) and again on every check after DNS resolution, so a
name that later resolves to a private address (DNS rebinding) is refused too.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from pysteward.server.settings import IPNetwork

__all__ = ["TargetRefused", "is_refused_address", "refuse_private"]


class TargetRefused(ValueError):
    """A monitor target resolves to an address monitors may not reach."""


def is_refused_address(address: str, allowed: Iterable[IPNetwork]) -> bool:
    """Whether `address` (an IP literal) is non-public and not in an allowed network."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_global and not ip.is_multicast:
        return False
    return not any(ip in network for network in allowed)


def refuse_private(host: str, addresses: Iterable[str], allowed: Iterable[IPNetwork]) -> None:
    """Raise `TargetRefused` if any of the addresses `host` resolved to may not be reached."""
    allowed = tuple(allowed)
    for address in addresses:
        if is_refused_address(address, allowed):
            raise TargetRefused(
                f"{host} resolves to {address}, a private or reserved address; "
                "allow its network in STEWARD_ALLOW_PRIVATE_TARGETS to monitor it"
            )
