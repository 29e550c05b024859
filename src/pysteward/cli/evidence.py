"""`steward evidence --client C --period P`: a client's compliance evidence pack (a zip) to a file.

The pack comes from the API (`GET /clients/{id}/evidence`), on a server or on the local database; see
docs/evidence-pack.md for what it holds. The file is written only once the whole pack has arrived, through
a temporary file renamed into place, so an error leaves nothing behind.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from pysteward.cli._api import Api, DatabaseUrlOption, ServerOption, TokenOption
from pysteward.cli._errors import command_errors
from pysteward.cli._options import VerboseOption
from pysteward.errors import InputError, OperationalError

__all__ = ["check_period", "evidence_command"]

_FORMS = "a month (YYYY-MM), a week (YYYY-Www), previous or current"
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_WEEK = re.compile(r"(\d{4})-W(\d{2})")
_FILENAME = re.compile(r'filename="([A-Za-z0-9._-]+)"')


def check_period(text: str) -> str:
    """`text` if it names a month or an ISO week that exists (or is `previous`/`current`); InputError
    otherwise. The server decides the rest (a period that has not begun)."""
    month, week = _MONTH.fullmatch(text), _WEEK.fullmatch(text)
    try:
        if month:
            date(int(month[1]), int(month[2]), 1)
        elif week:
            date.fromisocalendar(int(week[1]), int(week[2]), 1)
        elif text not in {"previous", "current"}:
            raise ValueError(text)
    except ValueError:
        raise InputError(f"--period: {text!r} is not {_FORMS}") from None
    return text


class _PackApi(Api):
    """The API client, answering a download's bytes and file name rather than JSON."""

    def download(self, path: str, params: dict[str, object]) -> tuple[bytes, str | None]:
        response = self._call("GET", path, params=params)
        found = _FILENAME.search(response.headers.get("content-disposition", ""))
        return response.content, found[1] if found else None


def _write(content: bytes, target: Path) -> None:
    """`content` to `target` through a temporary file in the same folder, renamed into place."""
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".evidence-", suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        Path(temporary).replace(target)
    except OSError as e:
        raise OperationalError(f"{target}: cannot write the pack: {e.strerror or e}") from None


def evidence_command(
    client: Annotated[
        int, typer.Option("--client", min=1, envvar="STEWARD_EVIDENCE_CLIENT", help="The client's id.")
    ],
    period: Annotated[
        str,
        typer.Option(
            "--period",
            envvar="STEWARD_EVIDENCE_PERIOD",
            help="A month (2026-11) or ISO week (2026-W47) in the client's report time zone, or previous.",
        ),
    ] = "previous",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            envvar="STEWARD_EVIDENCE_OUTPUT",
            dir_okay=False,
            help="Where to write the zip; - for stdout (default: evidence-<client>-<period>.zip here).",
        ),
    ] = None,
    server: ServerOption = None,
    token: TokenOption = None,
    database_url: DatabaseUrlOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Export a client's compliance evidence pack: the period's reports and CSV/JSON evidence mapped to
    NIST SP 800-53 and SOC 2 controls, with an index and a SHA-256 manifest."""
    with command_errors(verbose):
        chosen = check_period(period)
        api = _PackApi(server=server, token=token, database_url=database_url)
        with api:
            content, name = api.download(f"/clients/{client}/evidence", {"period": chosen})
        if output is not None and str(output) == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.buffer.flush()
            return
        target = output or Path(name or f"evidence-{client}-{chosen}.zip")
        _write(content, target)
    typer.echo(str(target))
    typer.echo(
        f"{len(content):,} bytes; check it with: sha256sum -c MANIFEST.sha256 (after unzipping)", err=True
    )
