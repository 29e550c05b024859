"""`steward channels …` and `steward escalations …`: where notifications go, how they were delivered,
and who is told when an incident stays unacknowledged.

Channel URLs hold secrets: they are only ever printed as the API returns them (masked).
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from pysteward.cli._api import DatabaseUrlOption, JsonOption, ServerOption, TokenOption
from pysteward.cli._errors import command_errors
from pysteward.cli._options import VerboseOption
from pysteward.cli._render import Column, print_json, print_object, print_table, utc_text
from pysteward.cli.monitors import parse_duration
from pysteward.cli.resources import IdArgument, LimitOption, add_remove_command, choice, connect, print_list
from pysteward.errors import InputError, OperationalError

__all__ = ["app", "escalations", "parse_step"]

app = typer.Typer(
    help="Manage notification channels (Apprise URLs) and see deliveries.", no_args_is_help=True
)
escalations = typer.Typer(
    help="Manage escalation policies: who is told when an incident stays unacknowledged.",
    no_args_is_help=True,
)

DELIVERY_STATUSES = ("pending", "sent", "failed")
CHANNEL_COLUMNS: list[Column] = [
    ("id", "id"),
    ("name", "name"),
    ("scope", "scope"),
    ("url", "url"),
    ("subscribed", "subscribed"),
    ("admins", "for_admins"),
    ("enabled", "enabled"),
    ("why disabled", "disabled_reason"),
]
DELIVERY_COLUMNS: list[Column] = [
    ("id", "id"),
    ("to", "to"),
    ("incident", "incident_id"),
    ("event", "event"),
    ("title", "title"),
    ("status", "status"),
    ("attempts", "attempts"),
    ("next attempt", "next"),
]
NOTICE_COLUMNS: list[Column] = [
    ("id", "id"),
    ("at", "when"),
    ("kind", "kind"),
    ("channel", "channel_id"),
    ("message", "message"),
]
POLICY_COLUMNS: list[Column] = [
    ("id", "id"),
    ("client", "client"),
    ("name", "name"),
    ("steps", "steps_text"),
    ("repeat", "repeat"),
]
STEP_COLUMNS: list[Column] = [("step", "position"), ("after", "after"), ("notify", "target")]


class ChannelTestFailed(OperationalError):
    """The test message could not be delivered (the outcome is printed before this)."""


def _scope(channel: dict[str, Any]) -> str:
    if channel.get("service_id"):
        return f"service {channel['service_id']}"
    if channel.get("client_id"):
        return f"client {channel['client_id']}"
    return "provider"


def _channel_row(channel: dict[str, Any]) -> dict[str, Any]:
    return {**channel, "scope": _scope(channel)}


def _print_channel(channel: dict[str, Any], as_json: bool, title: str) -> None:
    if as_json:
        print_json(channel)
    else:
        print_object(channel, title=title)


@app.command("add")
def add_command(
    name: Annotated[str, typer.Option("--name", help="The channel's name.")],
    url: Annotated[
        str, typer.Option("--url", help="Apprise URL (mailto://…, slack://…, json://…); shown masked.")
    ],
    client: Annotated[int | None, typer.Option("--client", min=1, help="Only this client's events.")] = None,
    service: Annotated[
        int | None, typer.Option("--service", min=1, help="Only this service's events.")
    ] = None,
    unsubscribed: Annotated[
        bool, typer.Option("--unsubscribed", help="Only when an escalation step names it.")
    ] = False,
    for_admins: Annotated[
        bool, typer.Option("--for-admins", help="Also notices for admins (a channel disabled, …).")
    ] = False,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Add a notification channel: provider-wide, or for one client or one service."""
    body = {
        "name": name,
        "url": url,
        "client_id": client,
        "service_id": service,
        "subscribed": not unsubscribed,
        "for_admins": for_admins,
    }
    with command_errors(verbose), connect(server, token, database_url) as api:
        made = api.post("/channels", body)
    _print_channel(made, as_json, f"created channel {made['id']}")


@app.command("list")
def list_command(
    client: Annotated[
        int | None, typer.Option("--client", min=1, help="Only this client's channels.")
    ] = None,
    service: Annotated[
        int | None, typer.Option("--service", min=1, help="Only this service's channels.")
    ] = None,
    limit: LimitOption = 1000,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """List notification channels (URLs masked)."""
    with command_errors(verbose), connect(server, token, database_url) as api:
        items = list(api.pages("/channels", {"client_id": client, "service_id": service}, limit=limit))
    print_list(items, CHANNEL_COLUMNS, as_json, "channel", row=_channel_row)


@app.command("show")
def show_command(
    ident: IdArgument,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Show a notification channel (URL masked)."""
    with command_errors(verbose), connect(server, token, database_url) as api:
        channel = api.get(f"/channels/{ident}")
    _print_channel(channel, as_json, f"channel {ident}")


def _outcome_line(ident: int, delivery: dict[str, Any]) -> str:
    """How the test went, from the delivery's one attempt: `channel 3: test sent in 41 ms`."""
    attempt = delivery["attempt_log"][-1]
    failure = "" if attempt["outcome"] == "success" else f" ({attempt['outcome']} failure)"
    line = f"channel {ident}: test {delivery['status']}{failure} in {attempt['duration_ms']:.0f} ms"
    return f"{line}: {attempt['error']}" if attempt["error"] else line


@app.command("test")
def test_command(
    ident: IdArgument,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Send a test message now, even to a disabled channel, and print how the attempt went.

    Exit 3 when it was not delivered; a failed test neither retries nor disables the channel.
    """
    with command_errors(verbose):
        with connect(server, token, database_url) as api:
            delivery = api.post(f"/channels/{ident}/test", {})
        if as_json:
            print_json(delivery)
        else:
            typer.echo(_outcome_line(ident, delivery))
        if delivery["status"] != "sent":
            raise ChannelTestFailed(
                f"channel {ident}: the test message was not delivered", hint="check the channel's URL"
            )


def _add_switch(name: str, enabled: bool) -> None:
    """Register `enable ID` or `disable ID`."""

    def command(
        ident: IdArgument,
        server: ServerOption = None,
        token: TokenOption = None,
        database_url: DatabaseUrlOption = None,
        as_json: JsonOption = False,
        verbose: VerboseOption = False,
    ) -> None:
        with command_errors(verbose), connect(server, token, database_url) as api:
            channel = api.patch(f"/channels/{ident}", {"enabled": enabled})
        if as_json:
            print_json(channel)
        else:
            typer.echo(f"channel {ident} {name}d")

    command.__doc__ = f"{name.capitalize()} a notification channel."
    app.command(name)(command)


_add_switch("enable", True)
_add_switch("disable", False)
add_remove_command(app, "channel", "with its deliveries")


def _delivery_row(delivery: dict[str, Any]) -> dict[str, Any]:
    return {**delivery, "to": _step_target(delivery), "next": utc_text(delivery.get("next_attempt_at"))}


@app.command("deliveries")
def deliveries_command(
    channel: Annotated[int | None, typer.Option("--channel", min=1, help="Only to this channel.")] = None,
    incident: Annotated[
        int | None, typer.Option("--incident", min=1, help="Only about this incident.")
    ] = None,
    status: Annotated[str | None, typer.Option("--status", help="Only pending, sent or failed.")] = None,
    limit: LimitOption = 1000,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """List notification deliveries and where their sending stands."""
    with command_errors(verbose):
        params = {
            "channel_id": channel,
            "incident_id": incident,
            "status": None if status is None else choice(status, DELIVERY_STATUSES, "--status"),
        }
        with connect(server, token, database_url) as api:
            items = list(api.pages("/deliveries", params, limit=limit))
    print_list(items, DELIVERY_COLUMNS, as_json, "delivery", row=_delivery_row, plural="deliveries")


@app.command("notices")
def notices_command(
    limit: LimitOption = 1000,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """List notices for the provider's admins (a channel disabled, …)."""
    with command_errors(verbose), connect(server, token, database_url) as api:
        items = list(api.pages("/notices", {}, limit=limit))
    print_list(items, NOTICE_COLUMNS, as_json, "notice", row=lambda n: {**n, "when": utc_text(n.get("at"))})


# Escalation policies ----------------------------------------------------------------------------


def _minutes(value: str, flag: str) -> int:
    """Whole minutes: a bare number is minutes here (`15`), or a duration (`15m`, `1h`)."""
    if value.strip().isdigit():
        return int(value)
    minutes = parse_duration(value, flag) / 60
    if minutes != int(minutes):
        raise InputError(f"{flag}: {value!r} is not a whole number of minutes such as 15 or 1h")
    return int(minutes)


def parse_step(value: str) -> dict[str, int]:
    """`MINUTES:channel:ID` or `MINUTES:user:ID` as an escalation step."""
    parts = value.split(":")
    if len(parts) != 3 or parts[1] not in {"channel", "user"} or not parts[2].isdigit() or int(parts[2]) < 1:
        raise InputError(f"--step: {value!r} is not MINUTES:channel:ID or MINUTES:user:ID such as 15:user:2")
    return {"after_minutes": _minutes(parts[0], "--step"), f"{parts[1]}_id": int(parts[2])}


def _step_target(step: dict[str, Any]) -> str:
    return f"channel {step['channel_id']}" if step.get("channel_id") else f"user {step['user_id']}"


def _policy_row(policy: dict[str, Any]) -> dict[str, Any]:
    steps = ", ".join(f"{s['after_minutes']}m: {_step_target(s)}" for s in policy["steps"])
    repeat = (
        f"{policy['repeat_times']}× every {policy['repeat_after_minutes']}m"
        if policy["repeat_times"]
        else "no"
    )
    return {**policy, "client": policy.get("client_id") or "any", "steps_text": steps, "repeat": repeat}


def _print_policy(policy: dict[str, Any], as_json: bool, title: str) -> None:
    if as_json:
        print_json(policy)
        return
    row = _policy_row(policy)
    print_object({k: row[k] for k in ("id", "name", "client", "repeat")}, title=title)
    steps = [{**s, "after": f"{s['after_minutes']} min", "target": _step_target(s)} for s in policy["steps"]]
    print_table(steps, STEP_COLUMNS, title="steps")


@escalations.command("add")
def escalations_add(
    name: Annotated[str, typer.Option("--name", help="The policy's name.")],
    step: Annotated[
        list[str],
        typer.Option(
            "--step", help="MINUTES:channel:ID or MINUTES:user:ID, unacknowledged that long (repeatable)."
        ),
    ],
    client: Annotated[
        int | None, typer.Option("--client", min=1, help="The client's id (default: usable by any client).")
    ] = None,
    repeat: Annotated[int, typer.Option("--repeat", min=0, max=20, help="Run the steps again N times.")] = 0,
    repeat_after: Annotated[
        str, typer.Option("--repeat-after", help="Wait between repeats (30m, 1h).")
    ] = "30m",
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Add an escalation policy: steps that notify channels or users while nobody acknowledges."""
    with command_errors(verbose):
        body = {
            "name": name,
            "client_id": client,
            "steps": [parse_step(s) for s in step],
            "repeat_times": repeat,
            "repeat_after_minutes": _minutes(repeat_after, "--repeat-after"),
        }
        with connect(server, token, database_url) as api:
            made = api.post("/escalation-policies", body)
        _print_policy(made, as_json, f"created escalation policy {made['id']}")


@escalations.command("list")
def escalations_list(
    limit: LimitOption = 1000,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """List escalation policies."""
    with command_errors(verbose), connect(server, token, database_url) as api:
        items = list(api.pages("/escalation-policies", {}, limit=limit))
    print_list(
        items, POLICY_COLUMNS, as_json, "escalation policy", row=_policy_row, plural="escalation policies"
    )


@escalations.command("show")
def escalations_show(
    ident: IdArgument,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Show an escalation policy with its steps."""
    with command_errors(verbose), connect(server, token, database_url) as api:
        policy = api.get(f"/escalation-policies/{ident}")
    _print_policy(policy, as_json, f"escalation policy {ident}")


@escalations.command("remove")
def escalations_remove(
    ident: IdArgument,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Remove an escalation policy (SLAs using it stop escalating)."""
    with command_errors(verbose), connect(server, token, database_url) as api:
        api.delete(f"/escalation-policies/{ident}")
    typer.echo(f"removed escalation policy {ident}")
