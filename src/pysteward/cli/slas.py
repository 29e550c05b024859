"""`steward slas …`: service agreements, their accounting policies, P1–P4 targets, maintenance
windows (`steward slas maintenance`, in `maintenance.py`), availability figures and burn alerts.

An availability figure is never printed without the accounting policy it was counted by.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import typer

from pysteward.cli._api import Api, DatabaseUrlOption, JsonOption, ServerOption, TokenOption
from pysteward.cli._errors import command_errors
from pysteward.cli._options import VerboseOption
from pysteward.cli._render import Column, duration_text, print_json, print_object, print_table, utc_text
from pysteward.cli.incidents import PRIORITIES
from pysteward.cli.maintenance import WINDOW_COLUMNS, window_row
from pysteward.cli.maintenance import app as maintenance
from pysteward.cli.resources import IdArgument, LimitOption, add_remove_command, choice, connect, print_list
from pysteward.errors import InputError

__all__ = ["app", "parse_target"]

app = typer.Typer(
    help="Manage SLAs: availability targets, policies, P1–P4 targets, maintenance.", no_args_is_help=True
)
app.add_typer(maintenance, name="maintenance")

WINDOWS = ("month", "week", "quarter", "rolling_28d")
CLOCKS = ("24x7", "business")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
_TARGET = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")

SLA_COLUMNS: list[Column] = [
    ("id", "id"),
    ("client", "client_id"),
    ("service", "service"),
    ("name", "name"),
    ("target", "target_text"),
    ("window", "window"),
    ("time zone", "timezone"),
    ("calendar", "calendar_id"),
    ("escalation", "escalation_policy_id"),
]
TARGET_COLUMNS: list[Column] = [
    ("priority", "priority"),
    ("response", "response"),
    ("resolution", "resolution"),
]
POLICY_COLUMNS: list[Column] = [
    ("version", "version"),
    ("in effect from", "from"),
    ("counting", "description"),
    ("note", "note"),
]
BURN_COLUMNS: list[Column] = [
    ("id", "id"),
    ("service", "service_id"),
    ("rule", "rule"),
    ("severity", "severity"),
    ("factor", "factor"),
    ("long burn", "long_burn"),
    ("short burn", "short_burn"),
    ("fired", "fired"),
    ("cleared", "cleared"),
    ("incident", "incident_id"),
]


def _run(
    server: str | None, token: str | None, url: str | None, verbose: bool, work: Callable[[Api], None]
) -> None:
    with command_errors(verbose), connect(server, token, url) as api:
        work(api)


def parse_target(value: str, flag: str) -> tuple[int, str]:
    """`15m`, `4h` or `3d` as (amount, unit) of a response or resolution target."""
    match = _TARGET.match(value)
    if match is None or int(match.group(1)) < 1:
        raise InputError(f"{flag}: {value!r} is not a target such as 15m, 4h or 3d")
    return int(match.group(1)), _UNITS[match.group(2)]


def _percent(value: str) -> str:
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = Decimal(-1)
    if not 0 < number <= 100:
        raise InputError(f"--target: {value!r} is not a percentage such as 99.9")
    return str(number)


def _target_text(amount: int, unit: str, clock: str) -> str:
    return f"{amount} {unit.removesuffix('s') if amount == 1 else unit} ({clock})"


def _row(sla: dict[str, Any]) -> dict[str, Any]:
    service = sla.get("service_id")
    return {**sla, "service": service or "all", "target_text": f"{sla['target']} %"}


def _print_policy(policy: dict[str, Any]) -> None:
    since = utc_text(policy["effective_from"])
    typer.echo(f"accounting policy v{policy['version']} (from {since}): {policy['description']}")
    typer.echo(f"formula: {policy['formula']}")


def _print_detail(sla: dict[str, Any]) -> None:
    fields = {k: v for k, v in sla.items() if k not in {"policy", "targets", "maintenance"}}
    fields["service_id"] = fields.get("service_id") or "all the client's services without their own SLA"
    print_object(fields, title=f"SLA {sla['id']}")
    _print_policy(sla["policy"])
    targets = [
        {
            "priority": t["priority"],
            "response": _target_text(t["response_amount"], t["response_unit"], t["response_clock"]),
            "resolution": _target_text(t["resolution_amount"], t["resolution_unit"], t["resolution_clock"]),
        }
        for t in sla["targets"]
    ]
    print_table(targets, TARGET_COLUMNS, title="targets")
    print_table([window_row(w) for w in sla["maintenance"]], WINDOW_COLUMNS, title="maintenance windows")


def _detail(item: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(item)
    else:
        _print_detail(item)


@app.command("add")
def add_command(
    client: Annotated[int, typer.Option("--client", min=1, help="The client's id.")],
    name: Annotated[str, typer.Option("--name", help="The SLA's name.")],
    target: Annotated[str, typer.Option("--target", help="Availability target in percent (99.9).")],
    service: Annotated[
        int | None,
        typer.Option(
            "--service",
            min=1,
            help="Cover one service (default: every service of the client without an SLA).",
        ),
    ] = None,
    window: Annotated[
        str, typer.Option("--window", help="Measured over: month, week, quarter, rolling_28d.")
    ] = "month",
    timezone: Annotated[
        str, typer.Option("--timezone", help="Where periods start and end (default UTC).")
    ] = "UTC",
    calendar: Annotated[
        int | None, typer.Option("--calendar", min=1, help="Business calendar for business-clock targets.")
    ] = None,
    escalation: Annotated[
        int | None, typer.Option("--escalation", min=1, help="Escalation policy of its incidents.")
    ] = None,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Add an SLA to a client, with accounting policy version 1 and default P1–P4 targets."""
    with command_errors(verbose):
        body = {
            "client_id": client,
            "service_id": service,
            "name": name,
            "target": _percent(target),
            "window": choice(window, WINDOWS, "--window"),
            "timezone": timezone,
            "calendar_id": calendar,
            "escalation_policy_id": escalation,
        }
        with connect(server, token, database_url) as api:
            _detail(api.post("/slas", body), as_json)


@app.command("list")
def list_command(
    client: Annotated[int | None, typer.Option("--client", min=1, help="Only this client's SLAs.")] = None,
    service: Annotated[int | None, typer.Option("--service", min=1, help="Only this service's SLA.")] = None,
    limit: LimitOption = 1000,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """List SLAs."""
    with command_errors(verbose), connect(server, token, database_url) as api:
        items = list(api.pages("/slas", {"client_id": client, "service_id": service}, limit=limit))
    print_list(items, SLA_COLUMNS, as_json, "SLA", row=_row)


@app.command("show")
def show_command(
    ident: IdArgument,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Show an SLA: its definition, accounting policy, P1–P4 targets and maintenance windows."""
    _run(server, token, database_url, verbose, lambda api: _detail(api.get(f"/slas/{ident}"), as_json))


add_remove_command(app, "sla", "with its policies, targets, maintenance windows, figures and alerts")


_POLICY_FLAGS = {
    "--unknown": ("unknown_as", ("exclude", "up", "down")),
    "--degraded": ("degraded_as", ("up", "down")),
    "--combine": ("combine", ("all", "any")),
    "--rounding": ("rounding", ("down", "half_even")),
}


def _policy_changes(given: dict[str, Any], note: str | None, history: bool) -> dict[str, Any]:
    """The rules the flags change, by API field; the flag combinations are checked here."""
    changes: dict[str, Any] = {}
    for flag, value in given.items():
        if value is None:
            continue
        if flag == "--decimals":
            changes["decimals"] = value
        else:
            key, choices = _POLICY_FLAGS[flag]
            changes[key] = choice(value, choices, flag)
    if history and (changes or note is not None):
        raise InputError("--history lists the versions; it takes no change (--unknown, --note, …)")
    if not changes and note is not None:
        raise InputError(
            "--note goes with a change: give --unknown, --degraded, --combine, --decimals or --rounding"
        )
    return changes


def _policy_history(api: Api, ident: int, as_json: bool) -> None:
    versions = list(api.pages(f"/slas/{ident}/policies", {}, limit=10_000))
    if as_json:
        print_json({"items": versions})
    else:
        print_table([{**p, "from": utc_text(p["effective_from"])} for p in versions], POLICY_COLUMNS)


def _policy(api: Api, ident: int, changes: dict[str, Any], note: str | None, as_json: bool) -> None:
    """Show the current version, or add one: the current rules with `changes` (unnamed rules stay)."""
    current = api.get(f"/slas/{ident}")["policy"]
    if changes:
        rules = {
            key: current[key] for key in ("unknown_as", "degraded_as", "combine", "decimals", "rounding")
        }
        current = api.post(f"/slas/{ident}/policies", {**rules, **changes, "note": note or ""})
        if not as_json:
            typer.echo(f"SLA {ident}: new accounting policy, in effect from now; closed periods keep theirs")
    if as_json:
        print_json(current)
    else:
        _print_policy(current)


@app.command("policy")
def policy_command(
    ident: IdArgument,
    unknown: Annotated[
        str | None, typer.Option("--unknown", help="Time with no data counts as: exclude, up, down.")
    ] = None,
    degraded: Annotated[
        str | None, typer.Option("--degraded", help="Degraded time counts as: up, down.")
    ] = None,
    combine: Annotated[
        str | None,
        typer.Option("--combine", help="A service is up while all (or any) of its monitors are up."),
    ] = None,
    decimals: Annotated[
        int | None, typer.Option("--decimals", min=0, max=6, help="Decimals of the percentage.")
    ] = None,
    rounding: Annotated[
        str | None, typer.Option("--rounding", help="Rounding: down (never up into a hit), half_even.")
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="Why the policy changes (kept with the version).")
    ] = None,
    history: Annotated[bool, typer.Option("--history", help="List every version instead.")] = False,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Show the accounting policy, or change it: a new version in effect from now (unnamed rules stay)."""
    given = {
        "--unknown": unknown,
        "--degraded": degraded,
        "--combine": combine,
        "--decimals": decimals,
        "--rounding": rounding,
    }
    with command_errors(verbose):
        changes = _policy_changes(given, note, history)
        with connect(server, token, database_url) as api:
            if history:
                _policy_history(api, ident, as_json)
            else:
                _policy(api, ident, changes, note, as_json)


def _target_body(current: dict[str, Any], given: dict[str, str | None]) -> dict[str, Any]:
    body = {key: value for key, value in current.items() if key != "priority"}
    for side in ("response", "resolution"):
        amount = given[f"--{side}"]
        if amount is not None:
            body[f"{side}_amount"], body[f"{side}_unit"] = parse_target(amount, f"--{side}")
        clock = given[f"--{side}-clock"]
        if clock is not None:
            body[f"{side}_clock"] = choice(clock, CLOCKS, f"--{side}-clock")
    return body


def _set_target(api: Api, ident: int, priority: str, given: dict[str, str | None], as_json: bool) -> None:
    targets = {t["priority"]: t for t in api.get(f"/slas/{ident}")["targets"]}
    body = _target_body(targets[priority], given)
    made = api.put(f"/slas/{ident}/targets/{priority}", body)
    if as_json:
        print_json(made)
        return
    response = _target_text(made["response_amount"], made["response_unit"], made["response_clock"])
    resolution = _target_text(made["resolution_amount"], made["resolution_unit"], made["resolution_clock"])
    typer.echo(f"SLA {ident} {priority}: response {response}, resolution {resolution}")


@app.command("target")
def target_command(
    ident: IdArgument,
    priority: Annotated[str, typer.Argument(help="P1 to P4.")],
    response: Annotated[str | None, typer.Option("--response", help="Respond within (15m, 4h, 3d).")] = None,
    response_clock: Annotated[str | None, typer.Option("--response-clock", help="24x7 or business.")] = None,
    resolution: Annotated[str | None, typer.Option("--resolution", help="Resolve within (4h, 3d).")] = None,
    resolution_clock: Annotated[
        str | None, typer.Option("--resolution-clock", help="24x7 or business.")
    ] = None,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Set a priority's response and resolution targets (what is not given stays)."""
    with command_errors(verbose):
        level = choice(priority, PRIORITIES, "PRIORITY")
        given = {
            "--response": response,
            "--response-clock": response_clock,
            "--resolution": resolution,
            "--resolution-clock": resolution_clock,
        }
        if all(value is None for value in given.values()):
            raise InputError("give --response, --resolution or a clock to change")
        _target_body({}, given)  # check the flags before reaching the API
        with connect(server, token, database_url) as api:
            _set_target(api, ident, level, given, as_json)


def _signed(seconds: float) -> str:
    return f"{'-' if seconds < 0 else ''}{duration_text(seconds)}"


def _figure_fields(figure: dict[str, Any]) -> dict[str, Any]:
    budget = figure["budget"]
    outages = len(figure["outages"])
    percent = figure["percent"]
    left = budget["remaining_percent"]
    return {
        "availability": "no data" if percent is None else f"{percent} %",
        "target": f"{figure['target']} %",
        "met": figure["met"],
        "figure": "stored (closed period)" if figure["stored"] else "live",
        "measured": f"{duration_text(figure['measured_seconds'])} of the window's "
        f"{duration_text(figure['window_seconds'])}",
        "up": duration_text(figure["up_seconds"]),
        "down": f"{duration_text(figure['down_seconds'])} in {outages} outage{'' if outages == 1 else 's'}",
        "degraded": duration_text(figure["degraded_seconds"]),
        "unknown": duration_text(figure["unknown_seconds"]),
        "maintenance": duration_text(figure["maintenance_seconds"]),
        "excluded": duration_text(figure["excluded_seconds"]),
        "budget left": f"{_signed(budget['remaining_seconds'])} of {duration_text(budget['allowed_seconds'])}"
        + ("" if left is None else f" ({left} %)"),
    }


def _print_availability(report: dict[str, Any]) -> None:
    period = report["period"]
    typer.echo(
        f"SLA {report['sla_id']}, period {period['label']}: {utc_text(period['start'])} to "
        f"{utc_text(period['end'])}, measured until {utc_text(report['measured_until'])}"
    )
    policies: dict[int, tuple[str, str]] = {}
    for figure in report["figures"]:
        fields = {**_figure_fields(figure), "policy": f"v{figure['policy_version']} (below)"}
        print_object(fields, title=f"{figure['service_name']} (service {figure['service_id']})")
        policies[figure["policy_version"]] = (figure["policy"], figure["formula"])
    # Every version the figures were counted by, once each: a closed period may keep an older one.
    for version, (text, formula) in sorted(policies.items()):
        typer.echo(
            f"counted by accounting policy v{version}: {text.removeprefix(f'Accounting policy v{version}: ')}"
        )
        typer.echo(f"formula: {formula}")
    if not report["figures"]:
        typer.echo("no service is covered by this SLA", err=True)


@app.command("availability")
def availability_command(
    ident: IdArgument,
    period: Annotated[
        str, typer.Option("--period", help="current, previous, or 2026-11, 2026-W47, 2026-Q4, 2026-11-05.")
    ] = "current",
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Availability and error budget of each covered service, with the policy it was counted by."""
    with command_errors(verbose), connect(server, token, database_url) as api:
        report = api.get(f"/slas/{ident}/availability", {"period": period})
    if as_json:
        print_json(report)
    else:
        _print_availability(report)


def _burn_row(alert: dict[str, Any]) -> dict[str, Any]:
    return {**alert, "fired": utc_text(alert["fired_at"]), "cleared": utc_text(alert.get("cleared_at"))}


@app.command("burn")
def burn_command(
    ident: IdArgument,
    open_only: Annotated[bool, typer.Option("--open", help="Only alerts not cleared yet.")] = False,
    limit: LimitOption = 1000,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """List an SLA's burn-rate alerts: the error budget burning too fast."""
    with command_errors(verbose), connect(server, token, database_url) as api:
        items = list(api.pages(f"/slas/{ident}/burn-alerts", {"open": str(open_only).lower()}, limit=limit))
    print_list(items, BURN_COLUMNS, as_json, "burn alert", row=_burn_row)
