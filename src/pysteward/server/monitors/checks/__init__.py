"""Checks: how a monitor is checked once. Each kind is a module; `Checker` dispatches by kind.

Failures are values (`CheckOutcome` with state DOWN and a message), never exceptions.
"""

from pysteward.server.monitors.checks.checker import Checker, CheckRunner
from pysteward.server.monitors.checks.fake import FakeChecker
from pysteward.server.monitors.checks.http import HttpConfig, check_http, status_matches
from pysteward.server.monitors.checks.outcome import CheckOutcome
from pysteward.server.monitors.checks.tcp import check_tcp
from pysteward.server.monitors.checks.tls import days_to_expiry

__all__ = [
    "CheckOutcome",
    "CheckRunner",
    "Checker",
    "FakeChecker",
    "HttpConfig",
    "check_http",
    "check_tcp",
    "days_to_expiry",
    "status_matches",
]
