"""Regression tests for what fuzzing the OpenAPI schema found (tests/server/test_openapi_fuzz.py): one
test per failure mode, each of which answered 500 (or broke the schema's promises) before its fix."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from pysteward.server.pagination import MAX_BIG_ID, MAX_ID
from tests.server.conftest import Personas
from tests.server.estate.world import API, add_monitor, add_service, http_monitor

ABOVE_INTEGER = MAX_ID + 1
ABOVE_BIGINT = MAX_BIG_ID + 1


@pytest.fixture
def world(client: TestClient, personas: Personas) -> dict[str, int]:
    service = add_service(client, personas, personas.acme, "shop", tags=["web"])
    monitor = add_monitor(client, personas, http_monitor(service["id"]))
    return {"service": service["id"], "monitor": monitor["id"]}


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    message: str = response.json()["error"]["message"]
    return message


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/services/{id}"),
        ("PATCH", "/services/{id}"),
        ("DELETE", "/services/{id}"),
        ("GET", "/monitors/{id}"),
        ("PATCH", "/monitors/{id}"),
        ("DELETE", "/monitors/{id}"),
        ("POST", "/monitors/{id}/rotate-token"),
        ("GET", "/monitors/{id}/results"),
        ("GET", "/monitors/{id}/intervals"),
        ("GET", "/monitors/{id}/rollups"),
    ],
)
@pytest.mark.parametrize("object_id", [ABOVE_INTEGER, ABOVE_BIGINT])
def test_a_path_id_beyond_the_integer_range_is_invalid_not_a_server_error(
    client: TestClient, personas: Personas, method: str, path: str, object_id: int
) -> None:
    url = API + path.format(id=object_id)
    body: dict[str, Any] | None = {} if method == "PATCH" else None
    response = client.request(method, url, json=body, headers=personas.headers("admin"))
    assert _error(response, 422).startswith("path.")


@pytest.mark.parametrize(
    "query", [f"client_id={ABOVE_INTEGER}", f"after={ABOVE_BIGINT}", f"client_id={ABOVE_BIGINT}"]
)
@pytest.mark.parametrize("resource", ["services", "monitors"])
def test_a_query_id_beyond_its_range_is_invalid(
    client: TestClient, personas: Personas, resource: str, query: str
) -> None:
    response = client.get(f"{API}/{resource}?{query}", headers=personas.headers("admin"))
    assert _error(response, 422).startswith("query.")


@pytest.mark.parametrize("resource", ["services", "monitors"])
def test_paging_after_the_largest_integer_id_gives_an_empty_last_page(
    client: TestClient, personas: Personas, world: dict[str, int], resource: str
) -> None:
    response = client.get(f"{API}/{resource}?after={ABOVE_INTEGER}", headers=personas.headers("admin"))
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "next_after": None}


def test_paging_results_after_a_large_bigint_id_gives_an_empty_page(
    client: TestClient, personas: Personas, world: dict[str, int]
) -> None:
    url = f"{API}/monitors/{world['monitor']}/results?after={MAX_BIG_ID}"
    response = client.get(url, headers=personas.headers("admin"))
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


def test_a_body_client_id_beyond_the_integer_range_is_invalid(client: TestClient, personas: Personas) -> None:
    body = {"client_id": ABOVE_INTEGER, "name": "shop"}
    response = client.post(f"{API}/services", json=body, headers=personas.headers("admin"))
    assert _error(response, 422) == f"body.client_id: input should be less than or equal to {MAX_ID}"


def test_a_body_service_id_beyond_the_integer_range_is_invalid(
    client: TestClient, personas: Personas
) -> None:
    response = client.post(
        f"{API}/monitors", json=http_monitor(ABOVE_INTEGER), headers=personas.headers("admin")
    )
    assert _error(response, 422) == f"body.service_id: input should be less than or equal to {MAX_ID}"


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/services", {"name": "sh\x00p"}, "body.name: must not contain NUL characters"),
        ("/services", {"tags": ["w\x00b"]}, "body.tags: must not contain NUL characters"),
        ("/monitors", {"name": "home\x00"}, "body.name: must not contain NUL characters"),
        (
            "/monitors",
            {"config": {"url": "https://example.invalid/", "body_contains": "\x00"}},
            "body.config.body_contains: must not contain NUL characters",
        ),
        (
            "/monitors",
            {"config": {"url": "https://example.invalid/", "json_path": "$.a", "json_equals": {"k": "\x00"}}},
            "body.config.json_equals: must not contain NUL characters",
        ),
    ],
)
def test_a_nul_character_in_a_created_body_is_invalid(  # noqa: PLR0917 (pytest passes parameters by name)
    client: TestClient,
    personas: Personas,
    world: dict[str, int],
    path: str,
    body: dict[str, Any],
    message: str,
) -> None:
    base = (
        {"client_id": personas.acme, "name": "other"}
        if path == "/services"
        else http_monitor(world["service"])
    )
    response = client.post(API + path, json=base | body, headers=personas.headers("admin"))
    assert _error(response, 422) == message


def test_a_nul_character_in_a_patched_config_is_invalid(
    client: TestClient, personas: Personas, world: dict[str, int]
) -> None:
    body = {"config": {"url": "https://example.invalid/", "headers": {"X-Key": "a\x00b"}}}
    response = client.patch(
        f"{API}/monitors/{world['monitor']}", json=body, headers=personas.headers("admin")
    )
    assert _error(response, 422) == "body.config: must not contain NUL characters"


@pytest.mark.parametrize(
    "url", ["/services?tag=w%00b", "/services?environment=%00", "/monitors?tag=%00", "/monitors?q=a%00"]
)
def test_a_nul_character_in_a_query_filter_is_invalid(
    client: TestClient, personas: Personas, url: str
) -> None:
    response = client.get(API + url, headers=personas.headers("admin"))
    assert _error(response, 422).endswith(": must not contain NUL characters")


@pytest.mark.parametrize("window", ["until=0.5", "since=1700000000"])
def test_a_time_window_that_is_not_iso_8601_is_invalid(
    client: TestClient, personas: Personas, world: dict[str, int], window: str
) -> None:
    url = f"{API}/monitors/{world['monitor']}/results?{window}"
    message = _error(client.get(url, headers=personas.headers("admin")), 422)
    assert message.endswith("must be an ISO 8601 date and time with a zone, such as 2024-05-01T12:00:00Z")


def test_a_monitor_flag_given_as_a_number_is_invalid(
    client: TestClient, personas: Personas, world: dict[str, int]
) -> None:
    body = http_monitor(world["service"], enabled=0)
    response = client.post(f"{API}/monitors", json=body, headers=personas.headers("admin"))
    assert _error(response, 422) == "body.enabled: input should be a valid boolean"


# heartbeat_api.py's GET+POST routes make FastAPI warn of duplicate operation ids (reported to its owner).
@pytest.mark.filterwarnings("ignore:Duplicate Operation ID:UserWarning")
def test_the_schema_documents_error_answers_with_the_error_body(client: TestClient) -> None:
    document = client.get(f"{API}/openapi.json").json()
    responses = document["paths"]["/api/v1/services/{service_id}"]["patch"]["responses"]
    assert sorted(responses) == ["200", "400", "401", "403", "404", "409", "422"]
    assert responses["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }
