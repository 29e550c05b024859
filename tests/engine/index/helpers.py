"""Recorded index responses (assets/) served by a local 127.0.0.1 server, and quick fetch options."""

from __future__ import annotations

from pathlib import Path

from pysteward.engine.index import FetchOptions, IndexLocation, RetryPolicy
from tests.httpserver import FixtureServer

ASSETS = Path(__file__).parent / "assets"
SIMPLE_TYPE = "application/vnd.pypi.simple.v1+json"
PROJECTS = ("sample-http", "old-parser", "org-tool")


def index_files() -> dict[str, bytes]:
    """URL path → recorded body for every asset: simple pages, JSON API pages, per-version pages."""
    files = {}
    for name in PROJECTS:
        files[f"/simple/{name}/"] = (ASSETS / f"simple-{name}.json").read_bytes()
        files[f"/pypi/{name}/json"] = (ASSETS / f"api-{name}.json").read_bytes()
    files["/pypi/sample-http/1.2.0/json"] = (ASSETS / "api-sample-http-1.2.0.json").read_bytes()
    return files


def typed(server: FixtureServer) -> FixtureServer:
    """Give the simple pages their PEP 691 content type and everything else application/json."""
    server.default_headers["Content-Type"] = "application/json"
    for path in server.files:
        if path.startswith("/simple/"):
            server.headers[path] = {"Content-Type": SIMPLE_TYPE}
    return server


def location(server: FixtureServer, path: str = "/simple") -> IndexLocation:
    """The test server as the package index."""
    return IndexLocation(server.url(path), "test")


def quick(sleeps: list[float] | None = None, **overrides: object) -> FetchOptions:
    """Fetch options whose waits are recorded in `sleeps` instead of slept."""
    record = sleeps if sleeps is not None else []
    options: dict[str, object] = {
        "retry": RetryPolicy(attempts=3, backoff=0.001, max_wait=0.01),
        "sleep": record.append,
        "timeout": 5.0,
    }
    options.update(overrides)
    return FetchOptions(**options)  # type: ignore[arg-type]
