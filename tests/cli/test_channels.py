"""`steward channels …` and `steward escalations …` on the local database (in-process API), on both
databases. Sending goes through the notify domain's `FakeSender`: no test reaches the network."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from typer.testing import Result

from pysteward.cli.channels import parse_step
from pysteward.errors import InputError
from pysteward.server.notify.sender import FakeSender, SendResult
from tests.cli.conftest import Steward

SECRET = "s3cr3tT0ken"
URL = f"json://hooks.example.invalid/notify?token={SECRET}"


@pytest.fixture
def local(steward: Steward, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Steward:
    """`steward` on this test's database, with no server configured and wide tables."""
    monkeypatch.setenv("STEWARD_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")
    monkeypatch.delenv("STEWARD_SERVER", raising=False)
    monkeypatch.delenv("STEWARD_TOKEN", raising=False)
    return steward


def use_sender(monkeypatch: pytest.MonkeyPatch, *script: SendResult) -> FakeSender:
    """Make the API send through a `FakeSender` answering `script`, then success."""
    sender = FakeSender(script=list(script))
    monkeypatch.setattr("pysteward.server.notify.api.AppriseSender", lambda: sender)
    return sender


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
def channel(local: Steward) -> int:
    return int(ok_json(local("channels", "add", "--name", "Ops hook", "--url", URL, "--json"))["id"])


def test_a_channel_is_added_and_its_url_never_shown_in_full(local: Steward, client: int) -> None:
    made = local("channels", "add", "--name", "Acme hook", "--url", URL, "--client", client, "--unsubscribed")
    assert made.exit_code == 0, made.output
    assert "created channel 1" in made.stdout
    assert SECRET not in made.stdout
    item = ok_json(local("channels", "show", 1, "--json"))
    assert (item["client_id"], item["subscribed"], item["for_admins"], item["enabled"]) == (
        client,
        False,
        False,
        True,
    )
    assert SECRET not in item["url"]
    assert SECRET not in local("channels", "show", 1).stdout
    listing = local("channels", "list")
    assert "client 1" in listing.stdout
    assert SECRET not in listing.stdout
    assert listing.stderr == "1 channel\n"


def test_channels_are_scoped_and_filtered(local: Steward, client: int) -> None:
    service = ok_json(local("services", "add", "shop", "--client", client, "--json"))["id"]
    local("channels", "add", "--name", "Provider", "--url", URL, "--for-admins")
    local("channels", "add", "--name", "Shop", "--url", URL, "--service", service)
    listing = local("channels", "list")
    assert "provider" in listing.stdout
    assert f"service {service}" in listing.stdout
    only = ok_json(local("channels", "list", "--service", service, "--json"))["items"]
    assert [c["name"] for c in only] == ["Shop"]
    assert only[0]["client_id"] == client  # a service's channel takes its client
    assert ok_json(local("channels", "list", "--client", client, "--json"))["items"] == only


def test_a_channel_is_disabled_enabled_and_removed(local: Steward, channel: int) -> None:
    assert local("channels", "disable", channel).stdout == f"channel {channel} disabled\n"
    assert ok_json(local("channels", "show", channel, "--json"))["enabled"] is False
    assert ok_json(local("channels", "enable", channel, "--json"))["enabled"] is True
    assert local("channels", "remove", channel).stdout == f"removed channel {channel}\n"
    assert refused(local("channels", "show", channel)).startswith("error: local database: 404 ")


def test_a_test_message_prints_how_the_attempt_went(
    local: Steward, channel: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    sender = use_sender(monkeypatch)
    result = local("channels", "test", channel)
    assert result.exit_code == 0, result.output
    assert re.fullmatch(rf"channel {channel}: test sent in \d+ ms\n", result.stdout)
    assert [url for url, _, _ in sender.sent] == [URL]  # the real URL goes to the sender, not the screen
    delivery = ok_json(local("channels", "test", channel, "--json"))
    assert delivery["status"] == "sent"
    assert delivery["attempt_log"][0]["outcome"] == "success"


def test_a_failed_test_says_why_and_exits_3(
    local: Steward, channel: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_sender(monkeypatch, SendResult(ok=False, permanent=True, error="401 Unauthorized"))
    result = local("channels", "test", channel)
    assert result.exit_code == 3
    assert result.stdout.startswith(f"channel {channel}: test failed (permanent failure) in ")
    assert result.stdout.rstrip().endswith(": 401 Unauthorized")
    assert result.stderr.startswith(f"error: channel {channel}: the test message was not delivered\n")
    assert ok_json(local("channels", "show", channel, "--json"))["enabled"] is True  # a test never disables


def test_deliveries_and_notices_are_listed(
    local: Steward, channel: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_sender(monkeypatch)
    local("channels", "test", channel)
    listing = local("channels", "deliveries")
    assert listing.exit_code == 0, listing.output
    assert "channel.test" in listing.stdout
    assert f"│ channel {channel} " in listing.stdout
    assert listing.stderr == "1 delivery\n"
    sent = ok_json(local("channels", "deliveries", "--channel", channel, "--status", "SENT", "--json"))[
        "items"
    ]
    assert [d["event"] for d in sent] == ["channel.test"]
    assert ok_json(local("channels", "deliveries", "--status", "failed", "--json"))["items"] == []
    assert ok_json(local("channels", "deliveries", "--incident", 1, "--json"))["items"] == []
    notices = local("channels", "notices")
    assert notices.exit_code == 0, notices.output
    assert notices.stderr == "0 notices\n"
    assert ok_json(local("channels", "notices", "--json")) == {"items": []}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "--name", "x", "--url", "not a url"], "error: local database: 422 "),
        (["deliveries", "--status", "lost"], "error: --status: 'lost' is not one of pending, sent, failed"),
    ],
)
def test_bad_channel_input_is_one_line(local: Steward, args: list[str], message: str) -> None:
    assert refused(local("channels", *args)).startswith(message)


@pytest.mark.parametrize(
    "args", [["show", "9"], ["test", "9"], ["enable", "9"], ["disable", "9"], ["remove", "9"]]
)
def test_a_missing_channel_is_a_404(local: Steward, args: list[str]) -> None:
    assert refused(local("channels", *args)).startswith("error: local database: 404 ")


@pytest.fixture
def engineer(local: Steward) -> int:
    made = local(
        "admin", "create-user", "--email", "eng@example.invalid", "--role", "engineer", "--generate-password"
    )
    assert made.exit_code == 0, made.output
    return int(re.search(r"\(user (\d+)\)", made.output).group(1))  # type: ignore[union-attr]


def test_an_escalation_policy_is_added_listed_shown_and_removed(
    local: Steward, client: int, channel: int, engineer: int
) -> None:
    made = local(
        "escalations", "add", "--name", "Acme on-call", "--client", client,
        "--step", f"0:channel:{channel}", "--step", f"15m:user:{engineer}", "--step", f"1h:user:{engineer}",
        "--repeat", "2", "--repeat-after", "45m",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert made.stdout.startswith("created escalation policy")
    assert "Acme on-call" in made.stdout
    shown = ok_json(local("escalations", "show", 1, "--json"))
    steps = [(s["after_minutes"], s["channel_id"], s["user_id"]) for s in shown["steps"]]
    assert steps == [(0, channel, None), (15, None, engineer), (60, None, engineer)]
    assert (shown["repeat_times"], shown["repeat_after_minutes"], shown["client_id"]) == (2, 45, client)
    table = local("escalations", "show", 1)
    assert f"user {engineer}" in table.stdout
    assert "60 min" in table.stdout
    listing = local("escalations", "list")
    assert f"0m: channel {channel}, 15m: user {engineer}, 60m: user {engineer}" in listing.stdout
    assert "2× every 45m" in listing.stdout
    assert listing.stderr == "1 escalation policy\n"
    local("escalations", "add", "--name", "Any", "--step", f"5:channel:{channel}")
    plural = local("escalations", "list")
    assert plural.stderr == "2 escalation policies\n"
    assert "│ any " in plural.stdout
    assert len(ok_json(local("escalations", "list", "--json"))["items"]) == 2
    assert local("escalations", "remove", 1).stdout == "removed escalation policy 1\n"
    assert refused(local("escalations", "show", 1)).startswith("error: local database: 404 ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--step", "15:team:1"], "error: --step: '15:team:1' is not MINUTES:channel:ID or MINUTES:user:ID"),
        (["--step", "15:user"], "error: --step: '15:user' is not MINUTES:channel:ID"),
        (["--step", "15:user:0"], "error: --step: '15:user:0' is not MINUTES:channel:ID"),
        (["--step", "soon:user:1"], "error: --step: 'soon' is not a duration"),
        (["--step", "90s:user:1"], "error: --step: '90s' is not a whole number of minutes"),
        (
            ["--step", "5:user:1", "--repeat-after", "later"],
            "error: --repeat-after: 'later' is not a duration",
        ),
        (["--step", "5:channel:99"], "error: local database: 4"),
    ],
)
def test_bad_escalation_input_is_one_line(local: Steward, args: list[str], message: str) -> None:
    assert refused(local("escalations", "add", "--name", "p", *args)).startswith(message)


@pytest.mark.parametrize("args", [["show", "9"], ["remove", "9"]])
def test_a_missing_escalation_policy_is_a_404(local: Steward, args: list[str]) -> None:
    assert refused(local("escalations", *args)).startswith("error: local database: 404 ")


def test_a_step_takes_plain_minutes_or_a_duration() -> None:
    assert parse_step("30:user:4") == {"after_minutes": 30, "user_id": 4}
    assert parse_step("2h:channel:1") == {"after_minutes": 120, "channel_id": 1}
    with pytest.raises(InputError, match=r"^--step: '1:user:x' is not"):
        parse_step("1:user:x")
