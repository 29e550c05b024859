"""Error budgets and multiwindow, multi-burn-rate alerts (Google SRE Workbook, "Alerting on SLOs").

An error budget is the downtime a target allows over a whole period. The burn rate is how fast a window
spends it: 1 spends exactly the budget over the period, 14.4 spends 2 % of a 30-day budget in an hour.
An alert fires only while both its long window and its short window burn at or above its factor: the
long window proves the problem is significant, the short one that it is still happening, so an alert
clears soon after the service recovers.

Pure: takes `Availability` figures (or a function measuring them), returns values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from pysteward.server.slas.accounting import Availability

__all__ = [
    "WORKBOOK_RULES",
    "BurnCheck",
    "BurnRule",
    "ErrorBudget",
    "burn_rate",
    "error_budget",
    "evaluate_burn",
    "scaled_rules",
]

_WORKBOOK_WINDOW_SECONDS = 30 * 86_400


def _error_share(target: Decimal) -> Decimal:
    """The share of the measured time allowed down: 1 - target/100, exactly."""
    return 1 - target / 100


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorBudget:
    """The downtime a target allows over a whole period, and how much of it is left."""

    target: Decimal
    allowed_seconds: float
    """(1 - target/100) × (period_seconds - excluded_seconds)."""
    used_seconds: float
    """The figure's downtime."""
    remaining_seconds: float
    """Allowed minus used; negative once the budget is overspent."""
    remaining_percent: Decimal | None
    """Remaining ÷ allowed × 100, rounded down (towards minus infinity) to 1 decimal, so a spent budget
    never shows as intact; None when nothing is allowed (a 100 % target)."""


def error_budget(figure: Availability, *, period_seconds: float) -> ErrorBudget:
    """The error budget of the whole period `figure` belongs to.

    `period_seconds` is the whole period's length: for the running period, the budget is the one for
    the whole period, not for the time so far. Excluded time (maintenance, unknown when excluded) is
    taken off the period, since it is off the measured time too.
    """
    if period_seconds < 0:
        raise ValueError(f"period_seconds: {period_seconds} is negative")
    base = max(Decimal(period_seconds) - Decimal(figure.excluded_seconds), Decimal(0))
    allowed = _error_share(figure.target) * base
    remaining = allowed - Decimal(figure.down_seconds)
    percent = None
    if allowed:
        percent = (remaining / allowed * 100).quantize(Decimal("0.1"), rounding=ROUND_FLOOR)
    return ErrorBudget(
        target=figure.target,
        allowed_seconds=float(allowed),
        used_seconds=figure.down_seconds,
        remaining_seconds=float(remaining),
        remaining_percent=percent,
    )


@dataclass(frozen=True, slots=True)
class BurnRule:
    """Fire while both windows burn the budget at least `factor` times as fast as sustainable."""

    name: str
    """`page-1h`, `page-6h`, `ticket-3d`: the long window names the rule."""
    severity: str
    """`page` or `ticket`."""
    long: timedelta
    short: timedelta
    factor: float


WORKBOOK_RULES: tuple[BurnRule, ...] = (
    BurnRule("page-1h", "page", timedelta(hours=1), timedelta(minutes=5), 14.4),
    BurnRule("page-6h", "page", timedelta(hours=6), timedelta(minutes=30), 6.0),
    BurnRule("ticket-3d", "ticket", timedelta(days=3), timedelta(hours=6), 1.0),
)
"""The Workbook's recommended rules for a 30-day window: 2 % of the budget in an hour or 5 % in six
hours pages; 10 % in three days opens a ticket."""


def scaled_rules(window_seconds: float) -> tuple[BurnRule, ...]:
    """`WORKBOOK_RULES` for an SLA window of `window_seconds`: each alert still fires on the same share
    of the budget, so the factors scale by window ÷ 30 days (a 7-day window pages at 3.36, not 14.4)."""
    if window_seconds <= 0:
        raise ValueError(f"window_seconds: {window_seconds} is not positive")
    return tuple(
        BurnRule(
            rule.name,
            rule.severity,
            rule.long,
            rule.short,
            rule.factor * window_seconds / _WORKBOOK_WINDOW_SECONDS,
        )
        for rule in WORKBOOK_RULES
    )


def burn_rate(figure: Availability) -> float:
    """How many times faster than sustainable the figure's window spent the budget.

    (down ÷ measured) ÷ (1 - target/100); 0.0 when nothing was measured; infinite when the target is
    100 % and there was any downtime.
    """
    measured = figure.measured_seconds
    if measured == 0:
        return 0.0
    share = _error_share(figure.target)
    if share == 0:
        return float("inf") if figure.down_seconds > 0 else 0.0
    return figure.down_seconds / measured / float(share)


@dataclass(frozen=True, slots=True)
class BurnCheck:
    """One rule evaluated at one moment."""

    rule: BurnRule
    long_burn: float
    short_burn: float
    firing: bool
    """Both burns are at or above the rule's factor."""


def evaluate_burn(
    rules: Sequence[BurnRule], measure: Callable[[datetime, datetime], Availability], now: datetime
) -> list[BurnCheck]:
    """Check each rule at `now`, measuring (now - long, now) and (now - short, now), each distinct
    window once."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now: naive datetime {now.isoformat()}; pass a timezone-aware one")
    burns: dict[timedelta, float] = {}

    def burn(length: timedelta) -> float:
        if length not in burns:
            burns[length] = burn_rate(measure(now - length, now))
        return burns[length]

    checks = []
    for rule in rules:
        long_burn, short_burn = burn(rule.long), burn(rule.short)
        firing = long_burn >= rule.factor and short_burn >= rule.factor
        checks.append(BurnCheck(rule, long_burn, short_burn, firing))
    return checks
