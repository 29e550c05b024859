"""API helpers of the assessment tests: services with repository paths, and runs through the API.
The files they assess come from `assessment_files`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from tests.server.conftest import Personas
from tests.server.estate.assessment_files import (
    REQUIREMENTS,
    build_database,
    install_database,
    write_project,
)
from tests.server.estate.world import API, add_service

__all__ = [
    "REQUIREMENTS",
    "assessable_service",
    "build_database",
    "install_database",
    "run",
    "write_project",
]


def assessable_service(
    client: TestClient, personas: Personas, client_id: int, *paths: Path | str, name: str = "shop"
) -> int:
    """A service of `client_id` with `paths` registered; its id."""
    created = add_service(client, personas, client_id, name, repository_paths=[str(p) for p in paths])
    return int(created["id"])


def run(
    client: TestClient, personas: Personas, service_id: int, who: str = "engineer", **body: Any
) -> dict[str, Any]:
    """POST a run as `who`; the run's JSON (asserting 201)."""
    response = client.post(
        f"{API}/services/{service_id}/assessments", json=body or None, headers=personas.headers(who)
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
