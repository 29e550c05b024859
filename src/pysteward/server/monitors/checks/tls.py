"""Certificate expiry from the peer certificate `ssl` hands back after a verified handshake."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from datetime import datetime
from typing import Any

__all__ = ["days_to_expiry"]


def days_to_expiry(peercert: Mapping[str, Any], now: datetime) -> float:
    """Days from `now` until the certificate's `notAfter` (negative once expired)."""
    expires = ssl.cert_time_to_seconds(str(peercert["notAfter"]))
    return (expires - now.timestamp()) / 86400
