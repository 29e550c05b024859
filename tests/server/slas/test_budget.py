"""Error budgets and multiwindow burn-rate alerts, on figures measured from frozen timelines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from pysteward.server.monitors.models import State
from pysteward.server.slas.accounting import Availability, Policy, Span, availability
from pysteward.server.slas.budget import (
    WORKBOOK_RULES,
    BurnCheck,
    BurnRule,
    burn_rate,
    error_budget,
    evaluate_burn,
    scaled_rules,
)

START = datetime(2026, 4, 1, tzinfo=UTC)
THIRTY_DAYS = 30 * 86_400.0


def figure(
    *,
    days: float = 30,
    down_minutes: float = 0,
    target: str = "99.9",
    maintenance_hours: float = 0,
) -> Availability:
    """A window of `days` from START: up, then `down_minutes` down at its end, maintenance at its start."""
    end = START + timedelta(days=days)
    outage = end - timedelta(minutes=down_minutes)
    timeline = [Span(START, outage, State.UP), Span(outage, None, State.DOWN)]
    return availability(
        [timeline],
        start=START,
        end=end,
        policy=Policy(version=1),
        target=Decimal(target),
        maintenance=[(START, START + timedelta(hours=maintenance_hours))],
    )


def test_99_9_over_30_days_allows_43_2_minutes():
    budget = error_budget(figure(down_minutes=10), period_seconds=THIRTY_DAYS)

    assert budget.target == Decimal("99.9")
    assert budget.allowed_seconds == 43.2 * 60
    assert budget.used_seconds == 600
    assert budget.remaining_seconds == 1992  # 33.2 minutes
    assert budget.remaining_percent == Decimal("76.8")  # 1992 / 2592 = 76.85…, rounded down


def test_an_overspent_budget_has_negative_remaining_time():
    budget = error_budget(figure(down_minutes=60), period_seconds=THIRTY_DAYS)

    assert budget.remaining_seconds == -1008
    assert budget.remaining_percent == Decimal("-38.9")  # -38.88…, rounded towards minus infinity


def test_a_budget_spent_to_the_second_has_nothing_left():
    budget = error_budget(figure(down_minutes=43.2), period_seconds=THIRTY_DAYS)

    assert budget.remaining_seconds == 0
    assert budget.remaining_percent == Decimal("0.0")


def test_excluded_time_is_taken_off_the_period():
    budget = error_budget(figure(maintenance_hours=2), period_seconds=THIRTY_DAYS)

    assert budget.allowed_seconds == pytest.approx((THIRTY_DAYS - 7200) * 0.001, abs=1e-9)
    assert budget.remaining_percent == Decimal("100.0")


def test_the_running_period_is_budgeted_for_the_whole_period():
    budget = error_budget(figure(days=10, down_minutes=10), period_seconds=THIRTY_DAYS)

    assert budget.allowed_seconds == 43.2 * 60
    assert budget.remaining_seconds == 1992


def test_a_100_percent_target_allows_nothing():
    budget = error_budget(figure(down_minutes=1, target="100"), period_seconds=THIRTY_DAYS)

    assert budget.allowed_seconds == 0
    assert budget.remaining_seconds == -60
    assert budget.remaining_percent is None


def test_a_period_longer_than_nothing_is_required():
    with pytest.raises(ValueError, match="period_seconds: -1 is negative"):
        error_budget(figure(), period_seconds=-1)


def test_an_empty_period_allows_nothing():
    budget = error_budget(figure(), period_seconds=0)

    assert budget.allowed_seconds == 0
    assert budget.remaining_percent is None


def test_burning_at_the_sustainable_rate_is_a_burn_rate_of_one():
    assert burn_rate(figure(down_minutes=43.2)) == pytest.approx(1.0)


def test_five_minutes_down_in_an_hour_burns_at_83_times_the_sustainable_rate():
    assert burn_rate(figure(days=1 / 24, down_minutes=5)) == pytest.approx((5 / 60) / 0.001)


def test_nothing_measured_burns_nothing():
    assert burn_rate(figure(days=1, down_minutes=60, maintenance_hours=24)) == 0.0


def test_any_downtime_burns_infinitely_fast_against_100_percent():
    assert burn_rate(figure(down_minutes=1, target="100")) == float("inf")
    assert burn_rate(figure(target="100")) == 0.0


def test_the_workbook_rules_are_for_a_30_day_window():
    assert (
        BurnRule("page-1h", "page", timedelta(hours=1), timedelta(minutes=5), 14.4),
        BurnRule("page-6h", "page", timedelta(hours=6), timedelta(minutes=30), 6.0),
        BurnRule("ticket-3d", "ticket", timedelta(days=3), timedelta(hours=6), 1.0),
    ) == WORKBOOK_RULES
    assert scaled_rules(THIRTY_DAYS) == WORKBOOK_RULES


@pytest.mark.parametrize(
    ("days", "factors"),
    [
        (7, (3.36, 1.4, 7 / 30)),
        (28, (13.44, 5.6, 28 / 30)),
        (90, (43.2, 18.0, 3.0)),
    ],
)
def test_scaled_rules_spend_the_same_share_of_the_budget(days: int, factors: tuple[float, ...]) -> None:
    rules = scaled_rules(days * 86_400.0)

    assert [rule.factor for rule in rules] == pytest.approx(factors, rel=1e-12)
    assert [(r.name, r.severity, r.long, r.short) for r in rules] == [
        (r.name, r.severity, r.long, r.short) for r in WORKBOOK_RULES
    ]


@pytest.mark.parametrize("window", [0.0, -86_400.0])
def test_scaled_rules_need_a_window(window: float) -> None:
    with pytest.raises(ValueError, match=r"window_seconds: .* is not positive"):
        scaled_rules(window)


NOW = datetime(2026, 4, 20, 12, tzinfo=UTC)


class Recorder:
    """Measures windows over one timeline and remembers which it was asked for."""

    def __init__(self, timeline: Sequence[Span]):
        self.timeline = timeline
        self.calls: list[tuple[datetime, datetime]] = []

    def __call__(self, start: datetime, end: datetime) -> Availability:
        self.calls.append((start, end))
        return availability(
            [self.timeline], start=start, end=end, policy=Policy(version=1), target=Decimal("99.9")
        )


def outage(begin_minutes_ago: float, end_minutes_ago: float | None) -> list[Span]:
    begin = NOW - timedelta(minutes=begin_minutes_ago)
    end = None if end_minutes_ago is None else NOW - timedelta(minutes=end_minutes_ago)
    timeline = [Span(NOW - timedelta(days=10), begin, State.UP), Span(begin, end, State.DOWN)]
    if end is not None:
        timeline.append(Span(end, None, State.UP))
    return timeline


def test_every_rule_fires_while_an_outage_is_still_burning():
    measure = Recorder(outage(20, None))

    checks = evaluate_burn(WORKBOOK_RULES, measure, NOW)

    assert [check.firing for check in checks] == [True, True, True]
    assert isinstance(checks[0], BurnCheck)
    assert checks[0].rule == WORKBOOK_RULES[0]
    assert checks[0].long_burn == pytest.approx((20 / 60) / 0.001)
    assert checks[0].short_burn == pytest.approx(1 / 0.001)
    assert checks[2].long_burn == pytest.approx((20 / 4320) / 0.001)  # 4.6 ≥ 1


def test_a_page_stops_firing_once_the_short_window_has_recovered():
    measure = Recorder(outage(50, 10))  # 40 minutes down, back up for the last 10

    page_1h, page_6h, ticket_3d = evaluate_burn(WORKBOOK_RULES, measure, NOW)

    assert page_1h.long_burn >= 14.4
    assert page_1h.short_burn == 0
    assert page_1h.firing is False
    # The 30-minute window still holds 20 minutes of the outage.
    assert page_6h.firing is True
    assert ticket_3d.firing is True


def test_a_one_minute_blip_fires_only_the_fastest_page():
    measure = Recorder(outage(1, None))  # 1 h burns 16.7×, 5 min 200×; 6 h only 2.8×, 3 days 0.23×

    checks = evaluate_burn(WORKBOOK_RULES, measure, NOW)

    assert [check.firing for check in checks] == [True, False, False]
    assert checks[1].long_burn == pytest.approx((1 / 360) / 0.001)
    assert checks[1].short_burn == pytest.approx((1 / 30) / 0.001)


def test_a_thirty_second_blip_fires_nothing():
    checks = evaluate_burn(WORKBOOK_RULES, Recorder(outage(0.5, None)), NOW)

    assert checks[0].long_burn == pytest.approx((0.5 / 60) / 0.001)  # 8.3 < 14.4
    assert [check.firing for check in checks] == [False, False, False]


def test_a_healthy_service_fires_nothing():
    checks = evaluate_burn(WORKBOOK_RULES, Recorder([Span(NOW - timedelta(days=5), None, State.UP)]), NOW)

    assert [(c.long_burn, c.short_burn, c.firing) for c in checks] == [(0.0, 0.0, False)] * 3


def test_each_distinct_window_is_measured_once():
    measure = Recorder(outage(20, None))

    evaluate_burn([*WORKBOOK_RULES, *WORKBOOK_RULES], measure, NOW)

    # 1 h, 5 min, 6 h, 30 min and 3 days: page-6h's long window is ticket-3d's short one.
    assert sorted(NOW - start for start, _ in measure.calls) == [
        timedelta(minutes=5),
        timedelta(minutes=30),
        timedelta(hours=1),
        timedelta(hours=6),
        timedelta(days=3),
    ]
    assert {end for _, end in measure.calls} == {NOW}


def test_evaluating_burn_needs_an_aware_now():
    with pytest.raises(ValueError, match="now: naive datetime"):
        evaluate_burn(WORKBOOK_RULES, Recorder([]), datetime(2026, 4, 20, 12))
