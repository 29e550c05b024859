"""`steward clients|services|monitors …` on the local database (in-process API), on both databases."""

from __future__ import annotations

import json
import re

import pytest

from tests.cli.conftest import Steward


@pytest.fixture
def local(steward: Steward, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Steward:
    """`steward` on this test's database, with no server configured."""
    monkeypatch.setenv("STEWARD_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")  # tables wide enough that no cell wraps
    monkeypatch.delenv("STEWARD_SERVER", raising=False)
    monkeypatch.delenv("STEWARD_TOKEN", raising=False)
    monkeypatch.setenv("STEWARD_ALLOW_PRIVATE_TARGETS", "127.0.0.1/32,::1/128")
    return steward


def as_json(result: object) -> dict:  # type: ignore[type-arg]
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    return json.loads(result.stdout)  # type: ignore[attr-defined,no-any-return]


def test_clients_can_be_added_listed_shown_and_removed(local: Steward) -> None:
    added = as_json(local("clients", "add", "Acme Retail", "--json"))
    assert added["name"] == "Acme Retail"
    table = local("clients", "list")
    assert table.exit_code == 0
    assert "Acme Retail" in table.stdout
    assert "1 client" in table.stderr
    assert [c["name"] for c in as_json(local("clients", "list", "--json"))["items"]] == ["Acme Retail"]
    shown = local("clients", "show", added["id"])
    assert "Acme Retail" in shown.stdout
    removed = local("clients", "remove", added["id"])
    assert removed.stdout == f"removed client {added['id']}\n"
    assert as_json(local("clients", "list", "--json"))["items"] == []


def test_an_api_refusal_is_one_red_line_and_exit_code_2(local: Steward) -> None:
    local("clients", "add", "Acme")
    result = local("clients", "add", "Acme")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: local database: 409 ")
    assert len(result.stderr.splitlines()) == 1
    missing = local("clients", "show", 99)
    assert missing.exit_code == 2
    assert "404" in missing.stderr


def test_services_carry_owners_repositories_and_tags_and_filter_by_client(local: Steward) -> None:
    acme = as_json(local("clients", "add", "Acme", "--json"))["id"]
    globex = as_json(local("clients", "add", "Globex", "--json"))["id"]
    service = as_json(
        local(
            "services",
            "add",
            "shop",
            "--client",
            acme,
            "--environment",
            "staging",
            "--owner",
            "a@acme.invalid",
            "--owner",
            "b@acme.invalid",
            "--repo",
            "git@acme.invalid:shop.git",
            "--tag",
            "web",
            "--json",
        )
    )
    assert service["environment"] == "staging"
    assert service["owners"] == ["a@acme.invalid", "b@acme.invalid"]
    assert service["repository_paths"] == ["git@acme.invalid:shop.git"]
    assert service["tags"] == ["web"]
    local("services", "add", "portal", "--client", globex)
    names = [s["name"] for s in as_json(local("services", "list", "--client", globex, "--json"))["items"]]
    assert names == ["portal"]
    assert "shop" in local("services", "list").stdout
    assert "a@acme.invalid" in local("services", "show", service["id"]).stdout
    assert as_json(local("services", "show", service["id"], "--json"))["tags"] == ["web"]
    assert local("services", "remove", service["id"]).exit_code == 0
    assert local("services", "show", service["id"]).exit_code == 2


@pytest.fixture
def service(local: Steward) -> int:
    client = as_json(local("clients", "add", "Acme", "--json"))["id"]
    return int(as_json(local("services", "add", "shop", "--client", client, "--json"))["id"])


def test_an_http_monitor_is_created_with_its_expectations(local: Steward, service: int) -> None:
    monitor = as_json(
        local(
            "monitors",
            "add",
            "home",
            "--service",
            service,
            "--http",
            "http://127.0.0.1:9/ok",
            "--expect-status",
            "200",
            "--expect-status",
            "204",
            "--contains",
            "ok",
            "--max-latency-ms",
            "500",
            "--method",
            "head",
            "--interval",
            "1m",
            "--timeout",
            "2.5s",
            "--failures-before-down",
            "3",
            "--successes-before-up",
            "2",
            "--json",
        )
    )
    assert monitor["kind"] == "http"
    assert monitor["config"]["expected_status"] == [200, 204]
    assert monitor["config"]["body_contains"] == "ok"
    assert monitor["config"]["max_latency_ms"] == 500
    assert monitor["config"]["method"] == "HEAD"
    assert (monitor["interval_seconds"], monitor["timeout_seconds"]) == (60, 2.5)
    assert (monitor["failures_before_down"], monitor["successes_before_up"]) == (3, 2)


def test_tcp_and_heartbeat_monitors_are_created_and_listed_with_their_targets(
    local: Steward, service: int
) -> None:
    tcp = as_json(local("monitors", "add", "db", "--service", service, "--tcp", "127.0.0.1:5432", "--json"))
    assert tcp["config"] == {"host": "127.0.0.1", "port": 5432}
    beat = local(
        "monitors",
        "add",
        "nightly",
        "--service",
        service,
        "--heartbeat",
        "--cron",
        "0 3 * * *",
        "--tz",
        "Europe/Berlin",
        "--grace",
        "5m",
    )
    assert beat.exit_code == 0, beat.output
    assert "/ping/" in beat.stdout.replace("\n", "")
    period = as_json(
        local("monitors", "add", "hourly", "--service", service, "--heartbeat", "--period", "1h", "--json")
    )
    assert period["config"]["period_seconds"] == 3600
    listing = local("monitors", "list")
    assert "127.0.0.1:5432" in listing.stdout
    assert "cron 0 3 * * * Europe/Berlin" in listing.stdout
    assert "every 3600 s" in listing.stdout
    rows = {line.split("│")[3].strip(): line for line in listing.stdout.splitlines() if line.count("│") > 8}
    assert rows["db"].split("│")[7].strip() == "60"  # checked every 60 s
    assert rows["hourly"].split("│")[7].strip() == "–"  # pushed, not checked on an interval
    assert re.search(r"│ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d │", rows["db"])  # since, to the second
    items = as_json(local("monitors", "list", "--service", service, "--state", "unknown", "--json"))["items"]
    assert {m["name"] for m in items} == {"db", "nightly", "hourly"}
    assert "target" not in items[0]
    assert as_json(local("monitors", "list", "--state", "down", "--json"))["items"] == []


def test_show_gives_the_monitor_with_its_results_and_intervals(local: Steward, service: int) -> None:
    monitor = as_json(local("monitors", "add", "db", "--service", service, "--tcp", "[::1]:5432", "--json"))
    assert monitor["config"] == {"host": "::1", "port": 5432}
    shown = as_json(local("monitors", "show", monitor["id"], "--json"))
    assert shown["monitor"]["id"] == monitor["id"]
    assert isinstance(shown["results"], list)
    assert isinstance(shown["intervals"], list)
    table = local("monitors", "show", monitor["id"])
    assert "recent results" in table.stdout
    assert "state intervals" in table.stdout
    assert local("monitors", "remove", monitor["id"]).stdout == f"removed monitor {monitor['id']}\n"
    assert local("monitors", "show", monitor["id"]).exit_code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give exactly one of --http URL, --tcp HOST:PORT or --heartbeat"),
        (["--http", "http://x.invalid", "--tcp", "x.invalid:1"], "give exactly one of"),
        (["--tcp", "x.invalid:1", "--contains", "ok"], "--contains only applies to --http monitors"),
        (["--http", "http://x.invalid", "--period", "1h"], "--period only applies to --heartbeat monitors"),
        (["--heartbeat"], "--heartbeat needs exactly one of --period or --cron"),
        (["--heartbeat", "--period", "1h", "--cron", "* * * * *"], "exactly one of --period or --cron"),
        (["--heartbeat", "--period", "1h", "--tz", "UTC"], "--tz only applies with --cron"),
        (["--heartbeat", "--period", "1h", "--interval", "1m"], "--interval does not apply to --heartbeat"),
        (["--heartbeat", "--period", "1h", "--timeout", "1m"], "--timeout does not apply to --heartbeat"),
        (["--heartbeat", "--period", "soon"], "--period: 'soon' is not a duration"),
        (["--tcp", "nohost"], "--tcp: 'nohost' is not HOST:PORT"),
        (["--tcp", "x.invalid:99999"], "is not HOST:PORT"),
    ],
)
def test_monitor_flag_mistakes_name_the_flags(local: Steward, args: list[str], message: str) -> None:
    result = local("monitors", "add", "m", "--service", 1, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_token_without_server_and_server_without_token_are_usage_errors(local: Steward) -> None:
    assert "--token is only used with --server" in local("clients", "list", "--token", "stw_x").stderr
    result = local("clients", "list", "--server", "http://127.0.0.1:9")
    assert result.exit_code == 2
    assert "--server needs --token" in result.stderr


def test_list_follows_pages_up_to_the_limit(local: Steward) -> None:
    for number in range(3):
        local("clients", "add", f"client {number}")
    items = as_json(local("clients", "list", "--limit", "2", "--json"))["items"]
    assert [c["name"] for c in items] == ["client 0", "client 1"]


def test_a_plain_http_monitor_takes_the_servers_defaults(local: Steward, service: int) -> None:
    monitor = as_json(
        local("monitors", "add", "home", "--service", service, "--http", "http://127.0.0.1:9/", "--json")
    )
    assert monitor["config"]["url"] == "http://127.0.0.1:9/"
    assert monitor["interval_seconds"] == 60


def test_a_target_without_a_known_shape_shows_a_dash() -> None:
    from pysteward.cli.monitors import _target

    assert _target({"config": {}}) == "–"
    assert _target({"config": None}) == "–"
