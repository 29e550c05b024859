from __future__ import annotations

import pytest

from pysteward.engine.health import HealthPolicy, parse_health_policy


def test_it_has_the_documented_defaults() -> None:
    assert parse_health_policy({}) == HealthPolicy(
        stale_months=18, min_maintainers=3, yanked=True, archived=True
    )


def test_it_reads_every_key() -> None:
    table = {"stale-months": 24, "min-maintainers": 0, "yanked": False, "archived": False}
    assert parse_health_policy(table) == HealthPolicy(
        stale_months=24, min_maintainers=0, yanked=False, archived=False
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"stale_months": 3}, "unknown key 'stale_months' (expected one of: archived, min-maintainers,"),
        ({"stale-months": "18"}, "stale-months must be a whole number of 0 or more, not '18'"),
        ({"stale-months": True}, "stale-months must be a whole number"),
        ({"min-maintainers": -1}, "min-maintainers must be a whole number of 0 or more, not -1"),
        ({"min-maintainers": 2.5}, "min-maintainers must be a whole number"),
        ({"yanked": "yes"}, "yanked must be true or false, not 'yes'"),
        ({"archived": 1}, "archived must be true or false, not 1"),
    ],
)
def test_it_rejects_bad_keys_and_values_with_a_clear_message(table: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_health_policy(table)
    assert message in str(caught.value)
