"""The CLI's client for the operations API, with one code path for both ways of reaching it.

- `--server URL --token TOKEN`: HTTP to a running server (httpx, with timeouts).
- no `--server`: the same FastAPI application, in-process through httpx's ASGI transport, on the local
  database, as a local admin (the person at the keyboard already holds the database file or URL).

API errors become Steward errors: 4xx is the caller's input (exit 2), unreachable or 5xx is
operational (exit 3); the message is the API's own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pysteward.errors import InputError, OperationalError

if TYPE_CHECKING:
    import httpx
    from fastapi import FastAPI

__all__ = [
    "API_TIMEOUT",
    "Api",
    "ApiInputError",
    "ApiUnavailable",
    "DatabaseUrlOption",
    "JsonOption",
    "ServerOption",
    "TokenOption",
    "local_app",
]

API_TIMEOUT = 10.0
"""Seconds to wait for a running server (connect, read, write)."""

ServerOption = Annotated[
    str | None,
    typer.Option(
        "--server",
        envvar="STEWARD_SERVER",
        help="A running Steward server (http://host:port); without it, work on the local database.",
    ),
]
TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token", envvar="STEWARD_TOKEN", help="API token for --server (steward admin create-token)."
    ),
]
DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="STEWARD_DATABASE_URL",
        help="Server database (default: embedded SQLite in the data directory; postgresql+psycopg://… for "
        "PostgreSQL).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


class ApiInputError(InputError):
    """The API refused the request (4xx): the message is the API's."""


class ApiUnavailable(OperationalError):
    """The server could not be reached, timed out, or failed (5xx)."""


def local_app(database_url: str | None) -> FastAPI:
    """The API application on the local database, answering as a local admin (no runner)."""
    from pysteward.server.app import create_app
    from pysteward.server.deps import get_principal
    from pysteward.server.principal import Principal
    from pysteward.server.settings import load_settings
    from pysteward.server.tenancy.models import Role

    overrides: dict[str, object] = {"runner": False}
    if database_url is not None:
        overrides["database_url"] = database_url
    app = create_app(load_settings(**overrides))
    local = Principal(user_id=0, role=Role.ADMIN, client_id=None, via="local")
    app.dependency_overrides[get_principal] = lambda: local
    return app


@dataclass
class Api:
    """Synchronous calls to `/api/v1`, on a server (`server`, `token`) or in-process (`database_url`)."""

    server: str | None = None
    token: str | None = None
    database_url: str | None = None
    timeout: float = API_TIMEOUT
    _app: FastAPI | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.server is not None and not self.token:
            raise InputError(
                "--server needs --token (or STEWARD_TOKEN); create one with steward admin create-token"
            )
        if self.server is None and self.token:
            raise InputError("--token is only used with --server (or STEWARD_SERVER)")

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the local database's connections (the in-process app has no lifespan to do it)."""
        if self._app is not None:
            self._app.state.engine.dispose()
            self._app = None

    def get(self, path: str, params: Mapping[str, object] | None = None) -> Any:
        """The JSON body of `GET path`."""
        return self._call("GET", path, params=params).json()

    def post(self, path: str, body: Mapping[str, Any]) -> Any:
        """The JSON body of `POST path` with `body`."""
        return self._call("POST", path, json=body).json()

    def patch(self, path: str, body: Mapping[str, Any]) -> Any:
        """The JSON body of `PATCH path` with `body`."""
        return self._call("PATCH", path, json=body).json()

    def put(self, path: str, body: Mapping[str, Any]) -> Any:
        """The JSON body of `PUT path` with `body`."""
        return self._call("PUT", path, json=body).json()

    def delete(self, path: str) -> None:
        """`DELETE path`."""
        self._call("DELETE", path)

    def pages(self, path: str, params: Mapping[str, object], *, limit: int) -> Iterator[dict[str, Any]]:
        """Items of a paginated list, following `next_after` until `limit` items or the last page."""
        after: int | None = None
        seen = 0
        while seen < limit:
            query = {**params, "limit": min(limit - seen, 500)}
            if after is not None:
                query["after"] = after
            page = self.get(path, query)
            for item in page["items"]:
                seen += 1
                yield item
            after = page.get("next_after")
            if after is None:
                return

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if kwargs.get("params") is not None:
            kwargs["params"] = {k: v for k, v in kwargs["params"].items() if v is not None}
        response = asyncio.run(self._send(method, path, kwargs))
        if response.status_code >= 400:
            raise _error(response, self.where)
        return response

    @property
    def where(self) -> str:
        """The server, or `local database` for in-process calls (for messages)."""
        return self.server or "local database"

    async def _send(self, method: str, path: str, kwargs: dict[str, Any]) -> httpx.Response:
        import httpx

        try:
            async with self._client() as client:
                return await client.request(method, path.lstrip("/"), **kwargs)
        except httpx.TimeoutException:
            raise ApiUnavailable(
                f"{self.server}: no answer within {self.timeout:g} s", hint="is the server overloaded?"
            ) from None
        except httpx.HTTPError as e:
            raise ApiUnavailable(
                f"{self.server}: cannot reach the server: {e or e.__class__.__name__}",
                hint="is `steward serve` running there?",
            ) from None

    def _client(self) -> httpx.AsyncClient:
        import httpx

        if self.server is not None:
            return httpx.AsyncClient(
                base_url=self.server.rstrip("/") + "/api/v1/",
                headers={"Authorization": f"Bearer {self.token}"},
                timeout=self.timeout,
            )
        if self._app is None:
            self._app = local_app(self.database_url)
        transport = httpx.ASGITransport(app=self._app, raise_app_exceptions=False)
        return httpx.AsyncClient(transport=transport, base_url="http://local.invalid/api/v1/")


def _error(response: httpx.Response, where: str) -> InputError | OperationalError:
    try:
        message = str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        message = response.reason_phrase or "error"
    text = f"{where}: {response.status_code} {message}"
    if response.status_code >= 500:
        return ApiUnavailable(text, hint="the server's log has the details")
    return ApiInputError(text)
