"""`steward clients|services …`: manage the estate through the API, on a server or the local database.

The monitor commands live in `monitors.py`; both share the connection options defined here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer

from pysteward.cli._api import Api, DatabaseUrlOption, JsonOption, ServerOption, TokenOption
from pysteward.cli._errors import command_errors
from pysteward.cli._options import VerboseOption
from pysteward.cli._render import Column, print_json, print_object, print_table
from pysteward.errors import InputError

__all__ = [
    "IdArgument",
    "LimitOption",
    "add_remove_command",
    "add_show_command",
    "choice",
    "clients",
    "connect",
    "created",
    "list_pages",
    "print_list",
    "remove",
    "services",
    "show",
]

clients = typer.Typer(help="Manage clients: the organisations whose systems you run.", no_args_is_help=True)
services = typer.Typer(help="Manage services: a client's Python systems.", no_args_is_help=True)

LimitOption = Annotated[int, typer.Option("--limit", min=1, help="Show at most this many items.")]
IdArgument = Annotated[int, typer.Argument(help="The id (from the list command).", min=1)]

CLIENT_COLUMNS: list[Column] = [("id", "id"), ("name", "name"), ("created", "created_at")]
SERVICE_COLUMNS: list[Column] = [
    ("id", "id"),
    ("client", "client_id"),
    ("name", "name"),
    ("environment", "environment"),
    ("owners", "owners"),
    ("tags", "tags"),
]


def connect(server: str | None, token: str | None, database_url: str | None) -> Api:
    """The API client for the connection options (flag combinations are checked here)."""
    return Api(server=server, token=token, database_url=database_url)


def print_list(
    items: list[dict[str, Any]],
    columns: list[Column],
    as_json: bool,
    noun: str,
    *,
    row: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    plural: str | None = None,
) -> None:
    """A list as JSON (`{"items": […]}`, as the API answered) or a table of `row(item)` for each item,
    with a count on stderr (`plural`, else `noun` + "s", for many)."""
    if as_json:
        print_json({"items": items})
        return
    print_table(items if row is None else [row(item) for item in items], columns)
    typer.echo(f"{len(items)} {noun if len(items) == 1 else plural or noun + 's'}", err=True)


def show(api: Api, kind: str, ident: int, as_json: bool) -> None:
    """`GET /{kind}s/{id}` as JSON or a table."""
    item = api.get(f"/{kind}s/{ident}")
    if as_json:
        print_json(item)
    else:
        print_object(item, title=f"{kind} {ident}")


def remove(api: Api, kind: str, ident: int) -> None:
    """`DELETE /{kind}s/{id}`, then say so."""
    api.delete(f"/{kind}s/{ident}")
    typer.echo(f"removed {kind} {ident}")


def created(item: dict[str, Any], kind: str, as_json: bool) -> None:
    """Print an object the API just created."""
    if as_json:
        print_json(item)
    else:
        print_object(item, title=f"created {kind} {item.get('id')}")


def _run(
    verbose: bool, server: str | None, token: str | None, url: str | None, work: Callable[[Api], None]
) -> None:
    with command_errors(verbose), connect(server, token, url) as api:
        work(api)


def add_show_command(app: typer.Typer, kind: str) -> None:
    """Register `show ID` on `app`: one `kind` as JSON or a table."""

    def show_command(
        ident: IdArgument,
        server: ServerOption = None,
        token: TokenOption = None,
        database_url: DatabaseUrlOption = None,
        as_json: JsonOption = False,
        verbose: VerboseOption = False,
    ) -> None:
        _run(verbose, server, token, database_url, lambda api: show(api, kind, ident, as_json))

    show_command.__doc__ = f"Show one {kind}."
    app.command("show")(show_command)


def add_remove_command(app: typer.Typer, kind: str, cascade: str) -> None:
    """Register `remove ID` on `app`; its help says what goes with the `kind` ("with its results")."""

    def remove_command(
        ident: IdArgument,
        server: ServerOption = None,
        token: TokenOption = None,
        database_url: DatabaseUrlOption = None,
        verbose: VerboseOption = False,
    ) -> None:
        _run(verbose, server, token, database_url, lambda api: remove(api, kind, ident))

    remove_command.__doc__ = f"Remove a {kind} {cascade}."
    app.command("remove")(remove_command)


def list_pages(
    api: Api, kind: str, params: dict[str, Any], limit: int, columns: list[Column], as_json: bool
) -> None:
    """`GET /{kind}s` page by page up to `limit` items, printed by `print_list`."""
    print_list(list(api.pages(f"/{kind}s", params, limit=limit)), columns, as_json, kind)


@clients.command("add")
def clients_add(
    name: Annotated[str, typer.Argument(help="The client's name (unique).")],
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Add a client."""
    _run(
        verbose,
        server,
        token,
        database_url,
        lambda api: created(api.post("/clients", {"name": name}), "client", as_json),
    )


@clients.command("list")
def clients_list(
    limit: LimitOption = 1000,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """List clients."""
    _run(
        verbose,
        server,
        token,
        database_url,
        lambda api: list_pages(api, "client", {}, limit, CLIENT_COLUMNS, as_json),
    )


add_show_command(clients, "client")
add_remove_command(clients, "client", "with its services, monitors and results")


@clients.command("update")
def clients_update(
    ident: IdArgument,
    name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    status_page: Annotated[
        str | None, typer.Option("--status-page", help="Who reads the status page: off, public or link.")
    ] = None,
    cadence: Annotated[
        list[str] | None,
        typer.Option(
            "--report-cadence", help="weekly or monthly (repeatable); none for no scheduled reports."
        ),
    ] = None,
    report_timezone: Annotated[
        str | None, typer.Option("--report-timezone", help="IANA time zone of report periods (Europe/Paris).")
    ] = None,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Change a client's name, status page access, report cadences or report time zone."""
    with command_errors(verbose):
        body: dict[str, Any] = {"name": name, "report_timezone": report_timezone}
        if status_page is not None:
            body["status_page"] = choice(status_page, ("off", "public", "link"), "--status-page")
        if cadence is not None:
            kinds = [] if cadence == ["none"] else cadence
            body["report_cadences"] = [
                choice(kind, ("weekly", "monthly"), "--report-cadence") for kind in kinds
            ]
        body = {key: value for key, value in body.items() if value is not None}
        if not body:
            raise InputError(
                "give at least one of --name, --status-page, --report-cadence, --report-timezone"
            )
        with connect(server, token, database_url) as api:
            item = api.patch(f"/clients/{ident}", body)
        if as_json:
            print_json(item)
        else:
            print_object(item, title=f"client {ident}")


@clients.command("status-link")
def clients_status_link(
    ident: IdArgument,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Issue a new secret link to a client's status page and print it (the old link stops working)."""
    with command_errors(verbose), connect(server, token, database_url) as api:
        link = api.post(f"/clients/{ident}/status-page/rotate", {})
    typer.echo(link["url"])
    if link["status_page"] != "link":
        typer.echo(
            f"note: the page is {link['status_page']!r}; the link opens it once "
            f"`steward clients update {ident} --status-page link` is run",
            err=True,
        )


@services.command("add")
def services_add(
    name: Annotated[str, typer.Argument(help="The service's name (unique per client and environment).")],
    client: Annotated[int, typer.Option("--client", min=1, help="The client's id.")],
    environment: Annotated[
        str, typer.Option("--environment", help="production, staging, … (default: production).")
    ] = "production",
    owner: Annotated[
        list[str] | None, typer.Option("--owner", help="A responsible person (repeatable).")
    ] = None,
    repo: Annotated[
        list[str] | None,
        typer.Option("--repo", help="A repository path or URL, for assessments (repeatable)."),
    ] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeatable).")] = None,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Add a service to a client."""
    body = {
        "client_id": client,
        "name": name,
        "environment": environment,
        "owners": owner or [],
        "repository_paths": repo or [],
        "tags": tag or [],
    }
    _run(
        verbose,
        server,
        token,
        database_url,
        lambda api: created(api.post("/services", body), "service", as_json),
    )


@services.command("list")
def services_list(
    client: Annotated[
        int | None, typer.Option("--client", min=1, help="Only this client's services.")
    ] = None,
    limit: LimitOption = 1000,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """List services."""
    params = {"client_id": client}
    _run(
        verbose,
        server,
        token,
        database_url,
        lambda api: list_pages(api, "service", params, limit, SERVICE_COLUMNS, as_json),
    )


add_show_command(services, "service")
add_remove_command(services, "service", "with its monitors and results")


def choice(value: str, choices: Sequence[str], flag: str) -> str:
    """`value` as one of `choices` (case-insensitive); `InputError` naming `flag` otherwise."""
    for known in choices:
        if value.casefold() == known.casefold():
            return known
    raise InputError(f"{flag}: {value!r} is not one of {', '.join(choices)}")
