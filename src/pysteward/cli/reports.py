"""`steward reports …`: list, generate, download and deliver archived SLA reports.

    steward reports list [--client C] [--kind weekly|monthly]
    steward reports generate --client C [--period 2026-11 | 2026-W47 | previous] [--kind …]
    steward reports download ID [--format pdf|html] [--output FILE | -]
    steward reports deliver ID [--channel N …]

On a server (`--server`, `--token`) or on the local database. `generate` reads the kind from the period
when it names one (`2026-W47` is a week); a downloaded PDF is checked against the SHA-256 the archive
holds for it before it is written, and the file is written whole or not at all.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from pysteward.cli._api import Api, DatabaseUrlOption, JsonOption, ServerOption, TokenOption
from pysteward.cli._errors import command_errors
from pysteward.cli._options import VerboseOption
from pysteward.cli._render import Column, print_json, print_object, utc_text
from pysteward.cli.resources import IdArgument, LimitOption, choice, connect, print_list
from pysteward.errors import InputError, OperationalError

__all__ = ["app", "report_kind"]

app = typer.Typer(help="SLA reports: list, generate, download and deliver them.", no_args_is_help=True)

KINDS = ("monthly", "weekly")
FORMATS = ("pdf", "html")
_MONTH = re.compile(r"\d{4}-\d{2}")
_WEEK = re.compile(r"\d{4}-W\d{2}")
_FILENAME = re.compile(r'filename="([A-Za-z0-9._-]+)"')
REPORT_COLUMNS: list[Column] = [
    ("id", "id"),
    ("client", "client_id"),
    ("kind", "kind"),
    ("period", "period"),
    ("version", "version_text"),
    ("generated", "generated"),
    ("by", "by"),
    ("sha256", "sha256_short"),
]

ClientOption = Annotated[int, typer.Option("--client", min=1, help="The client's id.")]


def report_kind(period: str, kind: str | None) -> str:
    """The kind of report `period` asks for: `2026-11` is monthly, `2026-W47` weekly; `previous` and
    `current` take `kind` (monthly by default). A `kind` that contradicts the period is refused."""
    named = "monthly" if _MONTH.fullmatch(period) else "weekly" if _WEEK.fullmatch(period) else None
    if named is None and period not in {"previous", "current"}:
        raise InputError(
            f"--period: {period!r} is not a month (2026-11), a week (2026-W47), previous or current"
        )
    chosen = choice(kind, KINDS, "--kind") if kind is not None else None
    if named is not None and chosen is not None and named != chosen:
        raise InputError(f"--kind: {period} is a {named[:-2]}, not a {chosen[:-2]}; leave --kind out")
    return named or chosen or "monthly"


def _row(report: dict[str, Any]) -> dict[str, Any]:
    latest = report["version"] == report["latest_version"]
    return {
        **report,
        "version_text": f"v{report['version']}"
        + ("" if latest else f" (v{report['latest_version']} is newer)"),
        "generated": utc_text(report["created_at"]),
        "by": "schedule" if report["created_by"] is None else f"user {report['created_by']}",
        "sha256_short": report["sha256"][:16] + "…",
    }


@app.command("list")
def list_command(
    client: Annotated[int | None, typer.Option("--client", min=1, help="Only this client's reports.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only weekly or monthly reports.")] = None,
    limit: LimitOption = 1000,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """List archived reports, every version, oldest first."""
    with command_errors(verbose):
        chosen = choice(kind, KINDS, "--kind") if kind is not None else None
        with connect(server, token, database_url) as api:
            items = list(api.pages("/reports", {"client_id": client, "kind": chosen}, limit=limit))
    print_list(items, REPORT_COLUMNS, as_json, "report", row=_row)


@app.command("generate")
def generate_command(
    client: ClientOption,
    period: Annotated[
        str,
        typer.Option(
            "--period",
            help="2026-11 (a month), 2026-W47 (a week), previous or current, in the client's time zone.",
        ),
    ] = "previous",
    kind: Annotated[
        str | None, typer.Option("--kind", help="monthly or weekly (read from --period when it names one).")
    ] = None,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Generate a client's report for a period now; a period reported before gets its next version."""
    with command_errors(verbose):
        body = {"client_id": client, "kind": report_kind(period, kind), "period": period}
        with connect(server, token, database_url) as api:
            report = api.post("/reports", body)
    if as_json:
        print_json(report)
        return
    print_object(
        {key: report[key] for key in ("id", "client_id", "kind", "period", "version", "sha256", "pdf_bytes")},
        title=f"generated report {report['id']}",
    )
    typer.echo(f"download it with: steward reports download {report['id']}", err=True)


class _ReportsApi(Api):
    """The API client, answering a download's bytes and file name rather than JSON."""

    def download(self, path: str) -> tuple[bytes, str | None]:
        response = self._call("GET", path)
        found = _FILENAME.search(response.headers.get("content-disposition", ""))
        return response.content, found[1] if found else None


def _write(content: bytes, target: Path) -> None:
    """`content` to `target` through a temporary file in the same folder, renamed into place."""
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".report-", suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        Path(temporary).replace(target)
    except OSError as e:
        raise OperationalError(f"{target}: cannot write the report: {e.strerror or e}") from None


def _fetch(api: _ReportsApi, ident: int, form: str) -> tuple[bytes, str, str]:
    """The document, its file name, and the archive's SHA-256 of the PDF (checked for a PDF)."""
    meta = api.get(f"/reports/{ident}")
    content, name = api.download(f"/reports/{ident}/{form}")
    digest = hashlib.sha256(content).hexdigest()
    if form == "pdf" and digest != meta["sha256"]:
        raise OperationalError(
            f"report {ident}: the PDF received has SHA-256 {digest}, the archive says {meta['sha256']}",
            hint="the download was damaged on its way; try again",
        )
    return content, name or f"report-{ident}.{form}", meta["sha256"]


@app.command("download")
def download_command(
    ident: IdArgument,
    form: Annotated[str, typer.Option("--format", help="pdf (default) or html.")] = "pdf",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="Where to write it; - for stdout (default: its name, here).",
        ),
    ] = None,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Download an archived report, checking the PDF against the SHA-256 the archive holds."""
    with command_errors(verbose):
        chosen = choice(form, FORMATS, "--format")
        api = _ReportsApi(server=server, token=token, database_url=database_url)
        with api:
            content, name, sha256 = _fetch(api, ident, chosen)
        if output is not None and str(output) == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
            return
        target = output or Path(name)
        _write(content, target)
    typer.echo(str(target))
    checked = "matches the archive" if chosen == "pdf" else "is the archive's for the PDF"
    typer.echo(f"{len(content):,} bytes; SHA-256 {sha256} {checked}", err=True)


@app.command("deliver")
def deliver_command(
    ident: IdArgument,
    channel: Annotated[
        list[int] | None,
        typer.Option(
            "--channel", min=1, help="A channel of the client (repeatable; default: its client-wide ones)."
        ),
    ] = None,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Announce a report on notification channels of its client (the runner sends the messages)."""
    with command_errors(verbose), connect(server, token, database_url) as api:
        queued = api.post(f"/reports/{ident}/deliver", {"channel_ids": channel or None})
    if as_json:
        print_json(queued)
    elif queued["channel_ids"]:
        typer.echo(f"report {ident}: queued for channels {', '.join(map(str, queued['channel_ids']))}")
    else:
        typer.echo(f"report {ident}: no channel to deliver to", err=True)
