"""`steward monitors add|list|show|remove`: HTTP, TCP and heartbeat monitors of a service."""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer

from pysteward.cli._api import DatabaseUrlOption, JsonOption, ServerOption, TokenOption
from pysteward.cli._errors import command_errors
from pysteward.cli._options import VerboseOption
from pysteward.cli._render import Column, print_json, print_object, print_table
from pysteward.cli.resources import IdArgument, LimitOption, add_remove_command, connect, created, print_list
from pysteward.errors import InputError

__all__ = ["app", "parse_duration"]

app = typer.Typer(help="Manage monitors: HTTP, TCP and heartbeat checks of a service.", no_args_is_help=True)

MONITOR_COLUMNS: list[Column] = [
    ("id", "id"),
    ("service", "service_id"),
    ("name", "name"),
    ("kind", "kind"),
    ("state", "state"),
    ("since (UTC)", "since"),
    ("every (s)", "every"),
    ("target", "target"),
]
RESULT_COLUMNS: list[Column] = [
    ("checked", "checked_at"),
    ("state", "state"),
    ("latency (ms)", "latency_ms"),
    ("message", "message"),
]
INTERVAL_COLUMNS: list[Column] = [("state", "state"), ("from", "started_at"), ("until", "ended_at")]
RECENT = 10

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")


def parse_duration(value: str, flag: str) -> float:
    """`90`, `90s`, `5m`, `1h` or `2d` in seconds; `InputError` naming `flag` otherwise."""
    match = _DURATION.match(value)
    if match is None:
        raise InputError(f"{flag}: {value!r} is not a duration such as 30s, 5m, 1h or 2d")
    return float(match.group(1)) * _UNITS[match.group(2) or "s"]


def _seconds(value: str, flag: str) -> int:
    return round(parse_duration(value, flag))


def _host_port(value: str) -> dict[str, Any]:
    host, _, port = value.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InputError(f"--tcp: {value!r} is not HOST:PORT such as db.example.invalid:5432")
    return {"host": host, "port": int(port)}


def _row(monitor: dict[str, Any]) -> dict[str, Any]:
    """A monitor as a table row: its target, a short time, no interval for heartbeats (they are pushed)."""
    since = monitor.get("state_since")
    return {
        **monitor,
        "target": _target(monitor),
        "since": since[:19].replace("T", " ") if since else None,
        "every": None if monitor.get("kind") == "heartbeat" else monitor.get("interval_seconds"),
    }


def _target(monitor: dict[str, Any]) -> str:
    config = monitor.get("config") or {}
    if "url" in config:
        return str(config["url"])
    if "host" in config:
        return f"{config['host']}:{config.get('port')}"
    if config.get("cron"):
        return f"cron {config['cron']} {config.get('timezone', 'UTC')}"
    if config.get("period_seconds"):
        return f"every {config['period_seconds']} s"
    return "–"


def _config(
    http: str | None,
    tcp: str | None,
    heartbeat: bool,
    http_options: dict[str, Any],
    beat: dict[str, str | None],
) -> tuple[str, dict[str, Any]]:
    chosen = [flag for flag, given in (("--http", http), ("--tcp", tcp), ("--heartbeat", heartbeat)) if given]
    if len(chosen) != 1:
        raise InputError("give exactly one of --http URL, --tcp HOST:PORT or --heartbeat")
    given_http = [flag for flag, value in http_options.items() if value]
    if http is None and given_http:
        raise InputError(f"{given_http[0]} only applies to --http monitors")
    given_beat = [flag for flag, value in beat.items() if value]
    if not heartbeat and given_beat:
        raise InputError(f"{given_beat[0]} only applies to --heartbeat monitors")
    if http is not None:
        return "http", _http_config(http, http_options)
    if tcp is not None:
        return "tcp", _host_port(tcp)
    return "heartbeat", _heartbeat_config(beat)


def _http_config(url: str, options: dict[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = {"url": url}
    if options["--expect-status"]:
        config["expected_status"] = options["--expect-status"]
    if options["--contains"]:
        config["body_contains"] = options["--contains"]
    if options["--max-latency-ms"]:
        config["max_latency_ms"] = options["--max-latency-ms"]
    if options["--method"]:
        config["method"] = options["--method"].upper()
    return config


def _heartbeat_config(beat: dict[str, str | None]) -> dict[str, Any]:
    period, cron, zone, grace = beat["--period"], beat["--cron"], beat["--tz"], beat["--grace"]
    if (period is None) == (cron is None):
        raise InputError("--heartbeat needs exactly one of --period or --cron")
    if zone is not None and cron is None:
        raise InputError("--tz only applies with --cron")
    config: dict[str, Any] = (
        {"period_seconds": _seconds(period, "--period")}
        if period is not None
        else {"cron": cron, "timezone": zone or "UTC"}
    )
    if grace is not None:
        config["grace_seconds"] = _seconds(grace, "--grace")
    return config


def _schedule(kind: str, interval: str | None, timeout: str | None) -> dict[str, Any]:
    # A heartbeat has no schedule of its own: the job calls in.
    if kind == "heartbeat":
        if interval is not None or timeout is not None:
            flag = "--interval" if interval is not None else "--timeout"
            raise InputError(f"{flag} does not apply to --heartbeat monitors (use --period or --cron)")
        return {}
    schedule: dict[str, Any] = {}
    if interval is not None:
        schedule["interval_seconds"] = _seconds(interval, "--interval")
    if timeout is not None:
        schedule["timeout_seconds"] = parse_duration(timeout, "--timeout")
    return schedule


@app.command("add")
def add_command(
    name: Annotated[str, typer.Argument(help="The monitor's name.")],
    service: Annotated[int, typer.Option("--service", min=1, help="The service's id.")],
    http: Annotated[str | None, typer.Option("--http", metavar="URL", help="Check this URL.")] = None,
    method: Annotated[str | None, typer.Option("--method", help="HTTP method (default: GET).")] = None,
    expect_status: Annotated[
        list[int] | None,
        typer.Option("--expect-status", help="An accepted HTTP status (repeatable; default 2xx)."),
    ] = None,
    contains: Annotated[str | None, typer.Option("--contains", help="Text the body must contain.")] = None,
    max_latency_ms: Annotated[
        int | None, typer.Option("--max-latency-ms", min=1, help="Slower answers are `degraded`.")
    ] = None,
    tcp: Annotated[
        str | None, typer.Option("--tcp", metavar="HOST:PORT", help="Connect to this port.")
    ] = None,
    heartbeat: Annotated[
        bool, typer.Option("--heartbeat", help="Wait for a job to ping its push URL.")
    ] = False,
    period: Annotated[
        str | None, typer.Option("--period", help="Heartbeat: expected every (1h, 15m).")
    ] = None,
    cron: Annotated[
        str | None, typer.Option("--cron", help="Heartbeat: expected on this cron schedule.")
    ] = None,
    tz: Annotated[
        str | None, typer.Option("--tz", help="Heartbeat: time zone of --cron (default UTC).")
    ] = None,
    grace: Annotated[str | None, typer.Option("--grace", help="Heartbeat: lateness allowed (5m).")] = None,
    interval: Annotated[
        str | None, typer.Option("--interval", help="How often to check (at least 10s; default 60s).")
    ] = None,
    timeout: Annotated[
        str | None, typer.Option("--timeout", help="Give up on one check after this long (default 10s).")
    ] = None,
    failures_before_down: Annotated[
        int, typer.Option("--failures-before-down", min=1, help="Consecutive failures before DOWN.")
    ] = 1,
    successes_before_up: Annotated[
        int, typer.Option("--successes-before-up", min=1, help="Consecutive successes before UP.")
    ] = 1,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Add a monitor: exactly one of --http, --tcp or --heartbeat."""
    with command_errors(verbose):
        http_options = {
            "--expect-status": expect_status,
            "--contains": contains,
            "--max-latency-ms": max_latency_ms,
            "--method": method,
        }
        beat = {"--period": period, "--cron": cron, "--tz": tz, "--grace": grace}
        kind, config = _config(http, tcp, heartbeat, http_options, beat)
        body: dict[str, Any] = {
            "service_id": service,
            "name": name,
            "kind": kind,
            "config": config,
            "failures_before_down": failures_before_down,
            "successes_before_up": successes_before_up,
        }
        body.update(_schedule(kind, interval, timeout))
        with connect(server, token, database_url) as api:
            created(api.post("/monitors", body), "monitor", as_json)


@app.command("list")
def list_command(
    service: Annotated[
        int | None, typer.Option("--service", min=1, help="Only this service's monitors.")
    ] = None,
    client: Annotated[
        int | None, typer.Option("--client", min=1, help="Only this client's monitors.")
    ] = None,
    state: Annotated[
        str | None, typer.Option("--state", help="Only monitors in this state (up, down, degraded, …).")
    ] = None,
    limit: LimitOption = 1000,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """List monitors with their current state."""
    with command_errors(verbose):
        params = {"service_id": service, "client_id": client, "state": state}
        with connect(server, token, database_url) as api:
            items = list(api.pages("/monitors", params, limit=limit))
        print_list(items, MONITOR_COLUMNS, as_json, "monitor", row=_row)


@app.command("show")
def show_command(
    ident: IdArgument,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Show a monitor with its recent results and state intervals."""
    with command_errors(verbose):
        with connect(server, token, database_url) as api:
            monitor = api.get(f"/monitors/{ident}")
            results = api.get(f"/monitors/{ident}/results", {"limit": RECENT})["items"]
            intervals = api.get(f"/monitors/{ident}/intervals", {"limit": RECENT})["items"]
        if as_json:
            print_json({"monitor": monitor, "results": results, "intervals": intervals})
            return
        print_object(monitor, title=f"monitor {ident}")
        print_table(results, RESULT_COLUMNS, title="recent results")
        print_table(intervals, INTERVAL_COLUMNS, title="state intervals")


add_remove_command(app, "monitor", "with its results")
