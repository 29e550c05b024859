"""The FastAPI application: `create_app(settings)` wires the store, the domains and the runner."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request, Response

from pysteward import __version__
from pysteward.server.docs_ui import install_docs
from pysteward.server.errors import install_error_handlers
from pysteward.server.observability import install_observability
from pysteward.server.settings import Settings
from pysteward.store import make_engine, make_session_factory, migrate

__all__ = ["API_PREFIX", "create_app"]

API_PREFIX = "/api/v1"


def create_app(settings: Settings, *, run_migrations: bool = True) -> FastAPI:
    """The application for `settings`: migrates the database, mounts every router, starts the runner
    (when `settings.runner`) for the application's lifetime."""
    engine = make_engine(settings.database_url)
    if run_migrations:
        migrate(settings.database_url, engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from pysteward.runner.inprocess import running

        async with running(app, enabled=settings.runner):
            yield
        engine.dispose()

    app = FastAPI(
        title="Steward",
        version=__version__,
        description=(
            "Operations server: clients, services, monitors and their results; SLAs, incidents and"
            " notifications."
        ),
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served by docs_ui, without a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_session_factory(engine)
    install_error_handlers(app)
    install_observability(app)
    install_docs(app, API_PREFIX)
    _mount(app)
    return app


_API_ROUTERS = (
    "tenancy.api",
    "estate.api",
    "estate.assessments_api",
    "monitors.api",
    "slas.api",
    "incidents.api",
    "notify.api",
    "reports.api",
    "reports.evidence_api",
)
_PAGE_ROUTERS = (
    "web.views",
    "estate.views",
    "estate.assessment_views",
    "incidents.views",
    "slas.views",
    "reports.views",
    "reports.evidence_views",
    "tenancy.views",
    "notify.views",
    "status.views",
)
"""Modules of `pysteward.server` with a `router`: the JSON API under API_PREFIX, then the pages."""


def _mount(app: FastAPI) -> None:
    from fastapi.staticfiles import StaticFiles

    from pysteward.server.monitors.heartbeat_api import router as heartbeats
    from pysteward.server.observability import router as observability
    from pysteward.server.web.auth import LoginRequired, login_redirect
    from pysteward.server.web.templating import STATIC

    for name in _API_ROUTERS:
        app.include_router(_router(name), prefix=API_PREFIX)
    app.include_router(heartbeats)
    app.include_router(observability)
    for name in _PAGE_ROUTERS:
        app.include_router(_router(name))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(LoginRequired)
    async def _login(_request: Request, error: LoginRequired) -> Response:
        return login_redirect(error.next_path)


def _router(module: str) -> APIRouter:
    router: APIRouter = importlib.import_module(f"pysteward.server.{module}").router
    return router
