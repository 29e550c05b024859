"""Which hosts a monitor (or a notification channel) may reach (STYLE 19): private, loopback,
link-local and other reserved addresses are refused unless `Settings.allow_private_targets` lists
their network.

Checked when a monitor or channel is saved (for IP literals) and, for monitors, again on every check
after DNS resolution, so a name that later resolves to a private address (DNS rebinding) is refused
too. Apprise resolves channel hosts itself, so channels get the save-time check only.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from pysteward.server.errors import ApiError
from pysteward.server.settings import IPNetwork

__all__ = [
    "TargetRefused",
    "is_refused_address",
    "is_refused_literal",
    "refuse_private",
    "refuse_private_literal",
]


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


def is_refused_literal(host: str, allowed: Iterable[IPNetwork]) -> bool:
    """Whether `host` is an IP literal (`10.0.0.5`, `::1`, `fe80::1%eth0`) that may not be reached; a
    name is not refused here (it is checked once resolved, where the caller can resolve it)."""
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return is_refused_address(host, allowed)


def refuse_private_literal(field: str, host: str, allowed: Iterable[IPNetwork], *, to: str) -> None:
    """A 422 naming `field` when `host` is an IP literal that may not be reached (`to`: what the
    allowance would let the user do, "monitor it")."""
    if is_refused_literal(host, allowed):
        raise ApiError(
            422,
            f"{field}: {host} is a private or reserved address; "
            f"allow its network in STEWARD_ALLOW_PRIVATE_TARGETS to {to}",
        )


def refuse_private(host: str, addresses: Iterable[str], allowed: Iterable[IPNetwork]) -> None:
    """Raise `TargetRefused` if any of the addresses `host` resolved to may not be reached."""
    allowed = tuple(allowed)
    for address in addresses:
        if is_refused_address(address, allowed):
            raise TargetRefused(
                f"{host} resolves to {address}, a private or reserved address; "
                "allow its network in STEWARD_ALLOW_PRIVATE_TARGETS to monitor it"
            )
