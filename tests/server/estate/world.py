"""Helpers that build services and monitors through the API, for the estate and monitor tests."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.server.conftest import Personas

API = "/api/v1"


def add_service(
    client: TestClient, personas: Personas, client_id: int, name: str, **fields: Any
) -> dict[str, Any]:
    """Create a service as the admin; its JSON."""
    body = {"client_id": client_id, "name": name, **fields}
    response = client.post(f"{API}/services", json=body, headers=personas.headers("admin"))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def http_monitor(service_id: int, name: str = "home page", **fields: Any) -> dict[str, Any]:
    """A valid body for an HTTP monitor; `fields` override or add."""
    return {
        "kind": "http",
        "service_id": service_id,
        "name": name,
        "config": {"url": "https://example.invalid/"},
    } | fields


def add_monitor(client: TestClient, personas: Personas, body: dict[str, Any]) -> dict[str, Any]:
    """Create a monitor as the admin; its JSON."""
    response = client.post(f"{API}/monitors", json=body, headers=personas.headers("admin"))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result
