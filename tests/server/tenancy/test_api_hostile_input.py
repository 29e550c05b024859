"""Hostile input to the tenancy API answers 4xx, never 500 (issue 4; found by test_openapi_fuzz.py).

Each engine fails differently when such input reaches it: PostgreSQL refuses an INTEGER parameter
above 2**31 - 1 ("integer out of range") and text with a NUL character; SQLite cannot bind an int
above 2**63 - 1 (OverflowError). Every test runs on both.
"""

import pytest

API = "/api/v1"
ABOVE_INTEGER = 2**31
ABOVE_BIGINT = 2**63


@pytest.mark.parametrize("object_id", [0, ABOVE_INTEGER, ABOVE_BIGINT])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize("kind", ["users", "clients"])
def test_a_path_id_outside_the_id_range_is_refused_with_422(client, personas, kind, method, object_id):
    body: dict[str, object] | None = {} if method == "PATCH" else None
    response = client.request(
        method, f"{API}/{kind}/{object_id}", json=body, headers=personas.headers("admin")
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == f"path.{kind[:-1]}_id"


@pytest.mark.parametrize("object_id", [ABOVE_INTEGER, ABOVE_BIGINT])
def test_revoking_a_token_with_an_id_outside_the_id_range_is_refused_with_422(client, personas, object_id):
    response = client.delete(f"{API}/tokens/{object_id}", headers=personas.headers("admin"))
    assert response.status_code == 422


@pytest.mark.parametrize("after", [2**31 - 1, 2**63 - 2])
@pytest.mark.parametrize("path", ["users", "clients", "tokens", "tokens?user_id=1"])
def test_a_page_after_the_largest_possible_id_is_empty(client, personas, path, after):
    separator = "&" if "?" in path else "?"
    response = client.get(f"{API}/{path}{separator}after={after}", headers=personas.headers("admin"))
    assert response.status_code == 200
    assert response.json() == {"items": [], "next_after": None}


def test_paging_below_the_largest_id_still_finds_the_rows(client, personas):
    response = client.get(f"{API}/clients?after=0&limit=1", headers=personas.headers("admin"))
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["items"]] == ["Acme"]
    assert response.json()["next_after"] == personas.acme


@pytest.mark.parametrize("user_id", [0, ABOVE_INTEGER, ABOVE_BIGINT])
def test_a_token_filter_on_a_user_id_outside_the_id_range_is_refused_with_422(client, personas, user_id):
    response = client.get(f"{API}/tokens?user_id={user_id}", headers=personas.headers("admin"))
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "query.user_id"


@pytest.mark.parametrize(
    "request_",
    [
        ("POST", "users", {"email": "a@example.invalid", "password": "x" * 12, "role": "viewer"}),
        ("PATCH", "users/1", {}),
        ("POST", "tokens", {"name": "t"}),
    ],
    ids=["create-user", "update-user", "create-token"],
)
@pytest.mark.parametrize("client_id", [0, ABOVE_INTEGER, ABOVE_BIGINT])
def test_a_client_id_outside_the_id_range_in_a_body_is_refused_with_422(
    client, personas, request_, client_id
):
    method, path, body = request_
    payload = {**body, "client_id": client_id}
    response = client.request(method, f"{API}/{path}", json=payload, headers=personas.headers("admin"))
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "body.client_id"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "clients", {"name": "Ac\x00me"}),
        ("PATCH", "clients/1", {"name": "Ac\x00me"}),
        ("POST", "users", {"email": "a\x00@example.invalid", "password": "x" * 12, "role": "admin"}),
        ("PATCH", "users/1", {"password": "correct horse\x00battery"}),
        ("POST", "tokens", {"name": "t\x00"}),
        ("POST", "auth/login", {"email": "admin@example.invalid\x00", "password": "x"}),
    ],
)
def test_a_nul_character_in_a_body_is_refused_with_422(client, personas, method, path, body):
    response = client.request(method, f"{API}/{path}", json=body, headers=personas.headers("admin"))
    assert response.status_code == 422
    assert "NUL" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [("POST", "clients", {"name": "Initech", "colour": "red"}), ("PATCH", "users/1", {"admin": True})],
)
def test_an_unknown_field_in_a_body_is_refused_with_422(client, personas, method, path, body):
    response = client.request(method, f"{API}/{path}", json=body, headers=personas.headers("admin"))
    assert response.status_code == 422


def test_every_tenancy_route_declares_its_error_answers(app):
    operations = app.openapi()["paths"]
    for path, methods in operations.items():
        if path.startswith(
            ("/api/v1/auth/", "/api/v1/me", "/api/v1/tokens", "/api/v1/users", "/api/v1/clients")
        ):
            for method, operation in methods.items():
                declared = {code for code in operation["responses"] if code.startswith("4")}
                assert declared, f"{method.upper()} {path} declares no error answer"
                if "{" in path:
                    assert {"404", "422"} <= declared, f"{method.upper()} {path}"


@pytest.mark.parametrize("kind", ["tokens", "users"])
def test_an_id_in_range_that_names_no_object_answers_404(client, personas, kind):
    response = client.request(
        "DELETE" if kind == "tokens" else "GET",
        f"{API}/{kind}/{2**31 - 1}",
        headers=personas.headers("admin"),
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
