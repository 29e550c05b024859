"""`steward serve`: the operations server (API and in-process runner), optionally with a demo estate."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from pysteward.cli._api import DatabaseUrlOption
from pysteward.cli._errors import command_errors
from pysteward.cli._options import VerboseOption

if TYPE_CHECKING:
    from fastapi import FastAPI

    from pysteward.server.settings import Settings

__all__ = ["run_server", "serve_command"]

DEMO_NETWORK = "127.0.0.1/32"
"""The demo's target server listens here, so demo monitors must be allowed to reach it."""


def run_server(app: FastAPI, settings: Settings) -> None:
    """Serve `app` with uvicorn until SIGINT or SIGTERM (a seam for tests)."""
    import uvicorn

    # Access lines and start-up chatter stay off: the server's own JSON logs say what happened.
    uvicorn.run(
        app, host=settings.host, port=settings.port, access_log=False, log_config=None, log_level="warning"
    )


def serve_command(
    host: Annotated[
        str | None,
        typer.Option("--host", envvar="STEWARD_HOST", help="Address to listen on (default 127.0.0.1)."),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option(
            "--port", envvar="STEWARD_PORT", min=1, max=65535, help="Port to listen on (default 8000)."
        ),
    ] = None,
    database_url: DatabaseUrlOption = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Serve a demo target on 127.0.0.1, seed two clients with monitors against it (once), and "
            "print an admin login and token.",
        ),
    ] = False,
    no_runner: Annotated[
        bool, typer.Option("--no-runner", help="Serve the API only; Celery workers or another process check.")
    ] = False,
    verbose: VerboseOption = False,
) -> None:
    """Run the operations server: the API under /api/v1 and the monitor runner (migrates the database)."""
    from pysteward.server.app import create_app
    from pysteward.server.settings import load_settings

    with command_errors(verbose):
        overrides: dict[str, object] = {
            name: value
            for name, value in (("host", host), ("port", port), ("database_url", database_url))
            if value is not None
        }
        if no_runner:
            overrides["runner"] = False
        settings = load_settings(**overrides)
        if demo and DEMO_NETWORK not in settings.allow_private_targets:
            settings = load_settings(
                **overrides, allow_private_targets=(*settings.allow_private_targets, DEMO_NETWORK)
            )
        app = create_app(settings)
        try:
            _serve(app, settings, demo=demo)
        finally:
            app.state.engine.dispose()  # uvicorn's lifespan does this too; a failed start must as well


def _serve(app: FastAPI, settings: Settings, *, demo: bool) -> None:
    from pysteward.server.observability import configure_logging

    configure_logging(settings.log_format)
    if not demo:
        typer.echo(f"Steward serving on {settings.base_url} (API: {settings.base_url}/api/v1/docs)", err=True)
        run_server(app, settings)
        return
    from pysteward.server.demo import running_demo

    with running_demo(settings) as welcome:
        typer.echo(welcome)
        run_server(app, settings)
