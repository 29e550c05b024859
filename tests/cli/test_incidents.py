"""`steward incidents …` on the local database (in-process API), on both databases."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from typer.testing import Result

from pysteward.cli._render import duration_text, utc_text
from pysteward.cli.incidents import timer_text
from pysteward.cli.resources import choice
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
def service(local: Steward) -> int:
    """A service under an SLA with the default targets (P2: respond in 1 hour, resolve in 8, 24x7)."""
    client = ok_json(local("clients", "add", "Acme", "--json"))["id"]
    service = ok_json(local("services", "add", "shop", "--client", client, "--json"))["id"]
    local("slas", "add", "--client", client, "--service", service, "--name", "Gold", "--target", "99.9")
    return int(service)


@pytest.fixture
def incident(local: Steward, service: int) -> int:
    opened = local("incidents", "open", "--service", service, "--title", "Checkout fails", "--priority", "p2")
    assert opened.exit_code == 0, opened.output
    return int(ok_json(local("incidents", "list", "--json"))["items"][0]["id"])


def test_an_incident_is_opened_with_both_timers_running(local: Steward, service: int) -> None:
    opened = local(
        "incidents",
        "open",
        "--service",
        service,
        "--title",
        "Slow pages",
        "--description",
        "p99 8 s",
        "--json",
    )
    item = ok_json(opened)
    assert (item["priority"], item["status"], item["description"]) == ("P3", "triggered", "p99 8 s")
    assert item["response"]["state"] in {"running", "warning", "breached"}  # P3 runs on business hours
    table = local("incidents", "open", "--service", service, "--title", "Down", "--priority", "P1")
    assert table.exit_code == 0, table.output
    assert "opened incident" in table.stdout
    assert "SLA timers" in table.stdout
    assert "running" in table.stdout


def test_list_shows_the_time_left_on_each_timer(local: Steward, incident: int) -> None:
    listing = local("incidents", "list")
    assert listing.exit_code == 0, listing.output
    row = next(line for line in listing.stdout.splitlines() if "Checkout fails" in line)
    cells = [cell.strip() for cell in row.split("│")[1:-1]]
    assert cells[:5] == [str(incident), "P2", "triggered", "Checkout fails", cells[4]]
    assert cells[5].endswith(" UTC")
    assert re.fullmatch(r"running (\d+m|1h 00m) left", cells[6])  # 1 hour to respond
    assert re.fullmatch(r"running (7h \d\dm|8h 00m) left", cells[7])  # 8 hours to resolve
    assert len(cells) == 8
    assert listing.stderr == "1 incident\n"
    assert [i["id"] for i in ok_json(local("incidents", "list", "--json"))["items"]] == [incident]


def test_show_gives_the_timers_in_utc_and_the_timeline(local: Steward, incident: int) -> None:
    shown = local("incidents", "show", incident)
    assert shown.exit_code == 0, shown.output
    assert "SLA timers" in shown.stdout
    assert "timeline" in shown.stdout
    timers = [line for line in shown.stdout.splitlines() if line.startswith(("│ response", "│ resolution"))]
    assert len(timers) == 2
    assert all(" UTC" in line for line in timers)
    data = ok_json(local("incidents", "show", incident, "--json"))
    assert data["incident"]["id"] == incident
    assert [e["kind"] for e in data["events"]] == ["opened"]


def test_the_lifecycle_commands_move_the_incident_along(local: Steward, incident: int) -> None:
    acked = local("incidents", "ack", incident)
    assert acked.stdout.startswith(
        f"incident {incident} (P2, acknowledged): response met, resolution running "
    )
    paused = local("incidents", "pause", incident, "--note", "waiting for Acme")
    assert ", paused" in paused.stdout
    row = next(line for line in local("incidents", "list").stdout.splitlines() if "Checkout" in line)
    assert "│ acknowledged (paused) │" in row
    assert "paused" not in local("incidents", "resume", incident).stdout
    assert ok_json(local("incidents", "priority", incident, "p1", "--json"))["priority"] == "P1"
    resolved = ok_json(local("incidents", "resolve", incident, "--note", "fixed", "--json"))
    assert resolved["status"] == "resolved"
    assert ok_json(local("incidents", "list", "--open", "--json"))["items"] == []
    assert len(ok_json(local("incidents", "list", "--closed", "--json"))["items"]) == 1
    assert "triggered" in local("incidents", "reopen", incident, "--note", "back again").stdout
    events = ok_json(local("incidents", "show", incident, "--json"))["events"]
    kinds = [e["kind"] for e in events]
    for kind in ("acknowledged", "paused", "resumed", "resolved", "reopened"):
        assert kind in kinds
    assert {"waiting for Acme", "fixed", "back again"} <= {e["message"] for e in events}


def test_a_comment_lands_on_the_timeline(local: Steward, incident: int) -> None:
    answer = local("incidents", "comment", incident, "customer informed")
    assert answer.stdout.startswith(f"incident {incident} (P2, triggered): ")
    events = ok_json(local("incidents", "show", incident, "--json"))["events"]
    assert events[-1]["kind"] == "comment"
    assert events[-1]["message"] == "customer informed"
    assert events[-1]["public"] is False


def test_a_public_comment_is_marked_for_the_status_page(local: Steward, incident: int) -> None:
    local("incidents", "comment", incident, "We are restoring the service.", "--public")
    events = ok_json(local("incidents", "show", incident, "--json"))["events"]
    assert (events[-1]["message"], events[-1]["public"]) == ("We are restoring the service.", True)


def test_an_incident_is_assigned_and_unassigned(local: Steward, incident: int) -> None:
    made = local(
        "admin", "create-user", "--email", "eng@example.invalid", "--role", "engineer", "--generate-password"
    )
    assert made.exit_code == 0, made.output
    engineer = int(re.search(r"\(user (\d+)\)", made.output).group(1))  # type: ignore[union-attr]
    assert (
        local("incidents", "assign", incident, engineer)
        .stdout.rstrip()
        .endswith(f", assigned to user {engineer}")
    )
    assert ok_json(local("incidents", "show", incident, "--json"))["incident"]["assignee_id"] == engineer
    assert "assignee_id" in local("incidents", "show", incident).stdout
    assert ok_json(local("incidents", "assign", incident, "--none", "--json"))["assignee_id"] is None


def test_filters_narrow_the_list(local: Steward, incident: int, service: int) -> None:
    assert len(ok_json(local("incidents", "list", "--service", service, "--json"))["items"]) == 1
    assert (
        len(
            ok_json(local("incidents", "list", "--priority", "p2", "--status", "triggered", "--json"))[
                "items"
            ]
        )
        == 1
    )
    assert ok_json(local("incidents", "list", "--priority", "P4", "--json"))["items"] == []
    assert ok_json(local("incidents", "list", "--status", "resolved", "--json"))["items"] == []
    assert ok_json(local("incidents", "list", "--client", 999, "--json"))["items"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--priority", "P5"], "error: --priority: 'P5' is not one of P1, P2, P3, P4"),
        (
            ["list", "--status", "done"],
            "error: --status: 'done' is not one of triggered, acknowledged, resolved",
        ),
        (
            ["open", "--service", "1", "--title", "x", "--priority", "high"],
            "error: --priority: 'high' is not",
        ),
        (["assign", "1"], "error: give exactly one of USER_ID or --none"),
        (["assign", "1", "2", "--none"], "error: give exactly one of USER_ID or --none"),
        (["priority", "1", "urgent"], "error: PRIORITY: 'urgent' is not one of P1, P2, P3, P4"),
    ],
)
def test_bad_input_is_one_line_naming_the_flag(local: Steward, args: list[str], message: str) -> None:
    assert refused(local("incidents", *args)).startswith(message)


@pytest.mark.parametrize(
    "args",
    [
        ["show", "99"],
        ["ack", "99"],
        ["resolve", "99"],
        ["comment", "99", "hello"],
        ["priority", "99", "P1"],
        ["open", "--service", "99", "--title", "x"],
    ],
)
def test_a_missing_incident_or_service_is_a_404(local: Steward, args: list[str]) -> None:
    assert refused(local("incidents", *args)).startswith("error: local database: 404 ")


def test_an_api_refusal_of_a_transition_is_exit_2(local: Steward, incident: int) -> None:
    local("incidents", "resolve", incident)
    line = refused(local("incidents", "ack", incident))
    assert line.startswith("error: local database: 409 ")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (45, "45s"), (60, "1m"), (3599, "59m"), (3600 + 300, "1h 05m"), (-90000, "1d 01h")],
)
def test_durations_read_as_people_say_them(seconds: float, text: str) -> None:
    assert duration_text(seconds) == text


@pytest.mark.parametrize(
    ("timer", "text"),
    [
        ({"state": "none", "remaining_seconds": None}, "–"),
        ({"state": "met", "remaining_seconds": 0.0}, "met"),
        ({"state": "missed", "remaining_seconds": 0.0}, "missed"),
        ({"state": "running", "remaining_seconds": None}, "running"),
        ({"state": "warning", "remaining_seconds": 600.0}, "warning 10m left"),
        ({"state": "breached", "remaining_seconds": -1200.0}, "breached 20m over"),
        ({"state": "running", "remaining_seconds": 86400.0}, "running 24h 00m left"),  # business hours
    ],
)
def test_a_timer_reads_as_state_and_time_left(timer: dict[str, Any], text: str) -> None:
    assert timer_text(timer) == text


def test_times_are_shown_in_utc() -> None:
    assert utc_text("2026-11-22T10:30:00+01:00") == "2026-11-22 09:30 UTC"
    assert utc_text(None) is None


def test_a_choice_ignores_case_and_names_the_flag() -> None:
    assert choice("p3", ("P1", "P3"), "--priority") == "P3"
    with pytest.raises(InputError, match=r"^--priority: 'P9' is not one of P1, P3$"):
        choice("P9", ("P1", "P3"), "--priority")
