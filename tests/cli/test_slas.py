"""`steward slas …` and `steward calendars …` on the local database (in-process API), on both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from typer.testing import Result

from pysteward.cli.calendars import hours_text, parse_hours
from pysteward.cli.slas import parse_target
from pysteward.errors import InputError
from tests.cli.conftest import Steward


@pytest.fixture
def local(steward: Steward, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Steward:
    """`steward` on this test's database, with no server configured and wide tables."""
    monkeypatch.setenv("STEWARD_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("STEWARD_SERVER", raising=False)
    monkeypatch.delenv("STEWARD_TOKEN", raising=False)
    return steward


def ok_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def refused(result: Result) -> str:
    """The one error line of a refused command (exit 2)."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def client(local: Steward) -> int:
    return int(ok_json(local("clients", "add", "Acme", "--json"))["id"])


@pytest.fixture
def service(local: Steward, client: int) -> int:
    return int(ok_json(local("services", "add", "shop", "--client", client, "--json"))["id"])


@pytest.fixture
def sla(local: Steward, client: int, service: int) -> int:
    made = local(
        "slas",
        "add",
        "--client",
        client,
        "--service",
        service,
        "--name",
        "Gold",
        "--target",
        "99.9",
        "--json",
    )
    return int(ok_json(made)["id"])


def test_an_sla_is_added_with_its_policy_and_targets(local: Steward, client: int, service: int) -> None:
    made = local(
        "slas", "add", "--client", client, "--service", service, "--name", "Gold", "--target", "99.95",
        "--window", "Week", "--timezone", "Europe/Berlin",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "accounting policy v1 (from " in made.stdout
    assert "formula: availability = " in made.stdout
    assert "│ P2       │ 1 hour (24x7)" in made.stdout
    detail = ok_json(local("slas", "show", 1, "--json"))
    assert (detail["target"], detail["window"], detail["timezone"]) == ("99.95", "week", "Europe/Berlin")
    assert [t["priority"] for t in detail["targets"]] == ["P1", "P2", "P3", "P4"]
    assert detail["policy"]["version"] == 1


def test_slas_are_listed_filtered_shown_and_removed(local: Steward, client: int, sla: int) -> None:
    local("slas", "add", "--client", client, "--name", "Silver", "--target", "99")
    listing = local("slas", "list")
    assert listing.exit_code == 0, listing.output
    assert "99.9 %" in listing.stdout
    assert "│ all " in listing.stdout  # Silver covers every service without its own SLA
    assert listing.stderr == "2 SLAs\n"
    assert len(ok_json(local("slas", "list", "--client", client, "--json"))["items"]) == 2
    assert [s["name"] for s in ok_json(local("slas", "list", "--service", 1, "--json"))["items"]] == ["Gold"]
    shown = local("slas", "show", sla)
    assert "targets" in shown.stdout
    assert "maintenance windows" in shown.stdout
    assert local("slas", "remove", sla).stdout == f"removed sla {sla}\n"
    assert refused(local("slas", "show", sla)).startswith("error: local database: 404 ")


def test_the_policy_is_shown_changed_and_listed_by_version(local: Steward, sla: int) -> None:
    current = local("slas", "policy", sla)
    assert current.stdout.startswith("accounting policy v1 (from ")
    assert ok_json(local("slas", "policy", sla, "--json"))["version"] == 1
    changed = local("slas", "policy", sla, "--unknown", "down", "--decimals", "4", "--note", "contract rev 2")
    assert changed.exit_code == 0, changed.output
    assert "accounting policy v2" in changed.stdout
    assert "formula: " in changed.stdout
    third = ok_json(local("slas", "policy", sla, "--rounding", "half_even", "--json"))
    assert (third["version"], third["unknown_as"], third["decimals"], third["rounding"]) == (
        3,
        "down",
        4,
        "half_even",
    )
    assert third["note"] == ""
    history = ok_json(local("slas", "policy", sla, "--history", "--json"))["items"]
    assert [p["version"] for p in history] == [1, 2, 3]
    assert history[1]["note"] == "contract rev 2"
    table = local("slas", "policy", sla, "--history")
    assert "contract rev 2" in table.stdout


def test_a_priority_target_is_set_keeping_what_is_not_given(local: Steward, sla: int) -> None:
    answer = local(
        "slas",
        "target",
        sla,
        "p2",
        "--response",
        "30m",
        "--resolution",
        "2d",
        "--resolution-clock",
        "business",
    )
    assert answer.stdout == f"SLA {sla} P2: response 30 minutes (24x7), resolution 2 days (business)\n"
    made = ok_json(local("slas", "target", sla, "P2", "--response-clock", "business", "--json"))
    assert (made["response_amount"], made["response_unit"], made["response_clock"]) == (
        30,
        "minutes",
        "business",
    )
    assert (made["resolution_amount"], made["resolution_unit"]) == (2, "days")


def test_maintenance_windows_are_planned_listed_and_removed(local: Steward, sla: int) -> None:
    once = ok_json(
        local("slas", "maintenance", "add", sla, "--title", "Upgrade",
              "--once", "2026-12-06T02:00", "2026-12-06 04:00", "--timezone", "Europe/Berlin", "--json")
    )  # fmt: skip
    assert (once["kind"], once["timezone"]) == ("once", "Europe/Berlin")
    assert datetime.fromisoformat(once["starts_at"]) == datetime(
        2026, 12, 6, 1, tzinfo=UTC
    )  # 02:00 in Berlin
    cron = local(
        "slas", "maintenance", "add", sla, "--title", "Patch", "--cron", "0 2 * * sun", "--duration", "2h"
    )
    assert cron.exit_code == 0, cron.output
    assert "cron 0 2 * * sun for 2h 00m" in cron.stdout
    rrule = ok_json(
        local("slas", "maintenance", "add", sla, "--title", "Backup", "--rrule", "FREQ=WEEKLY;BYDAY=SU",
              "--duration", "90m", "--from", "2026-12-01T00:00Z", "--until", "2027-06-01T00:00Z", "--json")
    )  # fmt: skip
    assert (rrule["kind"], rrule["duration_minutes"], rrule["expression"]) == (
        "rrule",
        90,
        "FREQ=WEEKLY;BYDAY=SU",
    )
    assert datetime.fromisoformat(rrule["ends_at"]) == datetime(2027, 6, 1, tzinfo=UTC)
    listing = local("slas", "maintenance", "list", sla)
    assert "Upgrade" in listing.stdout
    assert listing.stderr == "3 maintenance windows\n"
    assert len(ok_json(local("slas", "show", sla, "--json"))["maintenance"]) == 3
    removed = local("slas", "maintenance", "remove", sla, once["id"])
    assert removed.stdout == f"removed maintenance window {once['id']} of SLA {sla}\n"
    assert len(ok_json(local("slas", "maintenance", "list", sla, "--json"))["items"]) == 2
    assert refused(local("slas", "maintenance", "remove", sla, once["id"])).startswith(
        "error: local database: 404 "
    )


def test_availability_is_never_printed_without_its_policy(local: Steward, sla: int) -> None:
    report = local("slas", "availability", sla)
    assert report.exit_code == 0, report.output
    lines = report.stdout.splitlines()
    assert lines[0].startswith(f"SLA {sla}, period ")
    assert any("shop (service 1)" in line for line in lines)
    assert "│ availability " in report.stdout
    assert "│ budget left " in report.stdout
    assert "│ down         │ 0s in 0 outages " in report.stdout
    assert "│ policy       │ v1 (below) " in report.stdout
    policy = [i for i, line in enumerate(lines) if line.startswith("counted by accounting policy v1: ")]
    assert len(policy) == 1
    assert lines[policy[0]].startswith("counted by accounting policy v1: time-weighted from state intervals;")
    assert lines[policy[0] + 1].startswith("formula: ")
    data = ok_json(local("slas", "availability", sla, "--period", "previous", "--json"))
    assert data["figures"][0]["policy_version"] == 1
    assert data["figures"][0]["formula"]


def test_an_sla_covering_no_service_says_so(local: Steward, client: int) -> None:
    local("slas", "add", "--client", client, "--name", "Empty", "--target", "99")
    report = local("slas", "availability", 1)
    assert report.exit_code == 0, report.output
    assert "no service is covered by this SLA" in report.stderr


def test_burn_alerts_are_listed(local: Steward, sla: int) -> None:
    listing = local("slas", "burn", sla)
    assert listing.exit_code == 0, listing.output
    assert listing.stderr == "0 burn alerts\n"
    assert ok_json(local("slas", "burn", sla, "--open", "--json")) == {"items": []}


ADD = ["add", "--client", "1", "--name", "x"]
PLAN = ["maintenance", "add", "1", "--title", "t"]
ONCE = [*PLAN, "--once", "2026-12-01", "2026-12-02"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([*ADD, "--target", "101"], "--target: '101' is not a percentage"),
        ([*ADD, "--target", "lots"], "--target: 'lots' is not a percentage"),
        ([*ADD, "--target", "99", "--window", "year"], "--window: 'year' is not one of"),
        (["policy", "1", "--unknown", "sideways"], "--unknown: 'sideways' is not one of exclude, up, down"),
        (["policy", "1", "--history", "--degraded", "down"], "--history lists the versions"),
        (["policy", "1", "--note", "why"], "--note goes with a change"),
        (["target", "1", "P2"], "give --response, --resolution or a clock to change"),
        (["target", "1", "P7", "--response", "1h"], "PRIORITY: 'P7' is not one of P1, P2, P3, P4"),
        (["target", "1", "P2", "--response", "4x"], "--response: '4x' is not a target such as 15m, 4h or 3d"),
        (["target", "1", "P2", "--resolution-clock", "always"], "--resolution-clock: 'always' is not one of"),
        (PLAN, "give exactly one of --once START END, --cron"),
        ([*PLAN, "--cron", "* * * * *", "--rrule", "FREQ=DAILY"], "give exactly one"),
        ([*PLAN, "--cron", "0 2 * * *"], "--cron needs --duration, such as 2h"),
        ([*ONCE, "--duration", "1h"], "--duration only applies to --cron and --rrule windows"),
        ([*ONCE, "--from", "2026-12-01"], "--from only applies to --cron and --rrule windows"),
        ([*PLAN, "--once", "soon", "later"], "--once: 'soon' is not a date and time"),
        ([*ONCE, "--timezone", "Mars/Base"], "--timezone: unknown time zone 'Mars/Base'"),
        (
            [*PLAN, "--rrule", "FREQ=DAILY", "--duration", "90s"],
            "--duration: '90s' is not a whole number of minutes",
        ),
    ],
)
def test_bad_input_is_one_line_naming_the_flag(local: Steward, args: list[str], message: str) -> None:
    assert refused(local("slas", *args)).startswith(f"error: {message}")


@pytest.mark.parametrize(
    "args",
    [
        ["show", "99"],
        ["remove", "99"],
        ["policy", "99"],
        ["policy", "99", "--history"],
        ["target", "99", "P1", "--response", "1h"],
        ["maintenance", "list", "99"],
        ["availability", "99"],
        ["burn", "99"],
    ],
)
def test_a_missing_sla_is_a_404(local: Steward, args: list[str]) -> None:
    assert refused(local("slas", *args)).startswith("error: local database: 404 ")


def test_the_api_refuses_a_period_it_cannot_read(local: Steward, sla: int) -> None:
    assert refused(local("slas", "availability", sla, "--period", "someday")).startswith(
        "error: local database: 4"
    )


def test_calendars_are_added_listed_shown_and_removed(local: Steward, client: int) -> None:
    made = ok_json(
        local("calendars", "add", "--name", "Berlin office", "--client", client,
              "--timezone", "Europe/Berlin",
              "--hours", "mon-fri 09:00-12:00,13:00-17:00", "--hours", "sat 10:00-12:00",
              "--holiday", "2026-12-25", "--holiday", "2026-12-24", "--json")
    )  # fmt: skip
    assert made["weekly_hours"]["mon"] == [["09:00", "12:00"], ["13:00", "17:00"]]
    assert made["weekly_hours"]["sat"] == [["10:00", "12:00"]]
    assert "sun" not in made["weekly_hours"]
    assert made["holidays"] == ["2026-12-24", "2026-12-25"]
    provider = local("calendars", "add", "--name", "Office hours")
    assert provider.exit_code == 0, provider.output
    assert "mon-fri 09:00-17:00" in provider.stdout
    listing = local("calendars", "list")
    assert "mon-fri 09:00-12:00,13:00-17:00; sat 10:00-12:00" in listing.stdout
    assert "provider" in listing.stdout
    assert listing.stderr == "2 calendars\n"
    assert len(ok_json(local("calendars", "list", "--json"))["items"]) == 2
    assert "Europe/Berlin" in local("calendars", "show", made["id"]).stdout
    assert ok_json(local("calendars", "show", made["id"], "--json"))["name"] == "Berlin office"
    assert local("calendars", "remove", made["id"]).stdout == f"removed calendar {made['id']}\n"
    assert refused(local("calendars", "show", made["id"])).startswith("error: local database: 404 ")


def test_an_sla_uses_a_calendar(local: Steward, client: int, service: int) -> None:
    calendar = ok_json(local("calendars", "add", "--name", "Office", "--json"))["id"]
    made = local(
        "slas", "add", "--client", client, "--name", "G", "--target", "99.9", "--calendar", calendar, "--json"
    )
    assert ok_json(made)["calendar_id"] == calendar


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--hours", "weekdays 09:00-17:00"],
            "--hours: 'weekdays 09:00-17:00': 'weekdays' is not a day or range",
        ),
        (["--hours", "mon-fri"], "--hours: 'mon-fri' is not DAYS HH:MM-HH:MM"),
        (["--hours", "mon 9-5"], "--hours: 'mon 9-5': '9-5' is not a span such as 09:00-17:00"),
        (["--holiday", "2026-13-01"], "--holiday: '2026-13-01' is not a date such as 2026-12-25"),
    ],
)
def test_calendar_mistakes_name_the_flag(local: Steward, args: list[str], message: str) -> None:
    assert refused(local("calendars", "add", "--name", "c", *args)).startswith(f"error: {message}")


def test_weekly_hours_wrap_around_the_week_and_read_back_the_same() -> None:
    hours = parse_hours(["fri-mon 8:00-12:00", "wed 10:00-11:00"])
    assert list(hours) == ["mon", "wed", "fri", "sat", "sun"]
    assert hours["mon"] == [["08:00", "12:00"]]
    assert hours_text(hours) == "mon 08:00-12:00; wed 10:00-11:00; fri-sun 08:00-12:00"
    assert hours_text({}) == "none"


@pytest.mark.parametrize(
    ("value", "expected"), [("15m", (15, "minutes")), ("4h", (4, "hours")), ("3d", (3, "days"))]
)
def test_targets_take_minutes_hours_or_days(value: str, expected: tuple[int, str]) -> None:
    assert parse_target(value, "--response") == expected


def test_a_zero_target_is_refused() -> None:
    with pytest.raises(InputError, match=r"^--response: '0h' is not a target"):
        parse_target("0h", "--response")
