"""The tenancy API: login, sessions and CSRF, rate limiting, tokens, users and clients."""

from datetime import UTC, datetime, timedelta
from typing import Any

from httpx import Response

from tests.server.conftest import PASSWORD

API = "/api/v1"


def _login(client: Any, email: str = "admin@example.invalid", password: str = PASSWORD) -> Response:
    response: Response = client.post(f"{API}/auth/login", json={"email": email, "password": password})
    return response


def test_login_sets_a_secure_httponly_lax_cookie_and_returns_the_csrf_token(client, personas, settings):
    response = _login(client)
    assert response.status_code == 200
    assert response.json()["user"]["email"] == "admin@example.invalid"
    assert "password_hash" not in response.text
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("steward_session=")
    for attribute in ("HttpOnly", "Secure", "SameSite=lax", f"Max-Age={int(settings.session_hours * 3600)}"):
        assert attribute in cookie
    me = client.get(f"{API}/me")
    assert me.json()["via"] == "session"


def test_a_session_request_that_changes_something_needs_the_csrf_token(client, personas):
    csrf = _login(client).json()["csrf_token"]
    refused = client.post(f"{API}/clients", json={"name": "Initech"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf"
    wrong = client.post(f"{API}/clients", json={"name": "Initech"}, headers={"X-CSRF-Token": csrf + "x"})
    assert wrong.status_code == 403
    assert (
        client.post(f"{API}/clients", json={"name": "Initech"}, headers={"X-CSRF-Token": csrf}).status_code
        == 201
    )


def test_a_form_may_carry_the_csrf_token_as_a_field(client, personas):
    csrf = _login(client).json()["csrf_token"]
    token_id = client.post(f"{API}/tokens", json={"name": "t"}, headers={"X-CSRF-Token": csrf}).json()["id"]
    assert (
        client.request("DELETE", f"{API}/tokens/{token_id}", data={"csrf_token": "wrong"}).status_code == 403
    )
    assert client.request("DELETE", f"{API}/tokens/{token_id}", data={"csrf_token": csrf}).status_code == 204


def test_bearer_requests_need_no_csrf_token_and_are_not_rescued_by_a_cookie(client, personas):
    _login(client)
    assert (
        client.post(f"{API}/clients", json={"name": "X"}, headers=personas.headers("engineer")).status_code
        == 201
    )
    assert client.get(f"{API}/me", headers={"Authorization": "Bearer stw_wrong"}).status_code == 401
    assert client.get(f"{API}/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_logout_ends_the_session_and_needs_the_csrf_token(client, personas):
    csrf = _login(client).json()["csrf_token"]
    assert client.post(f"{API}/auth/logout").status_code == 403
    response = client.post(f"{API}/auth/logout", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 204
    assert 'steward_session=""' in response.headers["set-cookie"]
    assert client.get(f"{API}/me").status_code == 401
    assert client.post(f"{API}/auth/logout").status_code == 204


def test_an_unauthenticated_request_gets_401_with_the_uniform_body(client, personas):
    response = client.get(f"{API}/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"]["code"] == "unauthenticated"


def test_failed_logins_are_limited_per_address_with_retry_after(client, personas, settings):
    for _ in range(settings.login_attempts_per_minute):
        assert _login(client, password="wrong password").status_code == 401
    limited = _login(client)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    # The client address is limited too, whatever e-mail address it tries next.
    assert _login(client, email="engineer@example.invalid").status_code == 429


def test_successful_logins_are_not_limited(client, personas, settings):
    for _ in range(settings.login_attempts_per_minute + 1):
        assert _login(client).status_code == 200


def test_a_token_secret_is_shown_once(client, personas):
    headers = personas.headers("engineer")
    created = client.post(f"{API}/tokens", json={"name": "ci"}, headers=headers)
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert created.json()["prefix"] == secret[:8]
    listed = client.get(f"{API}/tokens", headers=headers)
    assert secret not in listed.text
    assert "hash" not in listed.text
    assert {t["name"] for t in listed.json()["items"]} == {"tests", "ci"}
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {secret}"}).json()["via"] == "token"


def test_a_token_can_narrow_but_never_widen_its_creator(client, personas):
    engineer = personas.headers("engineer")
    narrowed = client.post(
        f"{API}/tokens", json={"name": "acme", "role": "viewer", "client_id": personas.acme}, headers=engineer
    ).json()
    narrow = {"Authorization": f"Bearer {narrowed['secret']}"}
    assert [c["id"] for c in client.get(f"{API}/clients", headers=narrow).json()["items"]] == [personas.acme]
    assert client.get(f"{API}/clients/{personas.globex}", headers=narrow).status_code == 404
    assert (
        client.post(f"{API}/tokens", json={"name": "wide", "role": "engineer"}, headers=narrow).status_code
        == 403
    )
    other_client = {"name": "x", "client_id": personas.globex}
    assert client.post(f"{API}/tokens", json=other_client, headers=narrow).status_code == 403
    assert (
        client.post(f"{API}/tokens", json={"name": "x", "role": "admin"}, headers=engineer).status_code == 403
    )


def test_a_token_narrowed_to_a_client_cannot_create_clients_nor_act_as_admin(client, personas):
    admin = personas.headers("admin")
    secret = client.post(
        f"{API}/tokens", json={"name": "a", "client_id": personas.acme}, headers=admin
    ).json()["secret"]
    narrow = {"Authorization": f"Bearer {secret}"}
    assert client.post(f"{API}/clients", json={"name": "New"}, headers=narrow).status_code == 403
    assert client.get(f"{API}/users", headers=narrow).status_code == 403


def test_tokens_of_others_are_listed_for_admins_only(client, personas):
    viewer_id = personas["acme_viewer"].user_id
    everyone = client.get(f"{API}/tokens", headers=personas.headers("admin")).json()["items"]
    assert len(everyone) == 4
    one = client.get(f"{API}/tokens", params={"user_id": viewer_id}, headers=personas.headers("admin")).json()
    assert [t["user_id"] for t in one["items"]] == [viewer_id]
    own = personas.headers("acme_viewer")
    assert client.get(f"{API}/tokens", params={"user_id": viewer_id}, headers=own).status_code == 200
    others = {"user_id": personas["admin"].user_id}
    assert client.get(f"{API}/tokens", params=others, headers=own).status_code == 403


def test_users_are_managed_by_admins(client, personas):
    admin = personas.headers("admin")
    body = {
        "email": "New@Example.invalid",
        "password": PASSWORD,
        "role": "viewer",
        "client_id": personas.globex,
    }
    created = client.post(f"{API}/users", json=body, headers=admin)
    assert created.status_code == 201
    user = created.json()
    assert user["email"] == "new@example.invalid"
    assert "password" not in created.text
    assert client.post(f"{API}/users", json=body, headers=admin).status_code == 409
    short = {**body, "email": "other@example.invalid", "password": "short"}
    assert client.post(f"{API}/users", json=short, headers=admin).status_code == 422
    changed = client.patch(f"{API}/users/{user['id']}", json={"active": False}, headers=admin)
    assert changed.json()["active"] is False
    assert client.get(f"{API}/users/{user['id']}", headers=admin).json()["active"] is False
    assert client.delete(f"{API}/users/{user['id']}", headers=admin).status_code == 204
    assert client.get(f"{API}/users/{user['id']}", headers=admin).status_code == 404


def test_a_viewer_sees_only_their_own_client(client, personas):
    viewer = personas.headers("acme_viewer")
    assert [c["name"] for c in client.get(f"{API}/clients", headers=viewer).json()["items"]] == ["Acme"]
    missing = client.get(f"{API}/clients/999999", headers=viewer)
    foreign = client.get(f"{API}/clients/{personas.globex}", headers=viewer)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"
    assert "Globex" not in foreign.text


def test_clients_are_created_renamed_and_deleted_by_provider_staff(client, personas):
    engineer, admin = personas.headers("engineer"), personas.headers("admin")
    created = client.post(f"{API}/clients", json={"name": " Initech "}, headers=engineer).json()
    assert created["name"] == "Initech"
    assert client.post(f"{API}/clients", json={"name": "Initech"}, headers=engineer).status_code == 409
    renamed = client.patch(f"{API}/clients/{created['id']}", json={"name": "Initrode"}, headers=engineer)
    assert renamed.json()["name"] == "Initrode"
    assert client.delete(f"{API}/clients/{created['id']}", headers=engineer).status_code == 403
    assert client.delete(f"{API}/clients/{created['id']}", headers=admin).status_code == 204
    assert client.get(f"{API}/clients/{created['id']}", headers=admin).status_code == 404


def test_lists_are_paged_by_id(client, personas):
    admin = personas.headers("admin")
    for n in range(3):
        client.post(f"{API}/clients", json={"name": f"Client {n}"}, headers=admin)
    first = client.get(f"{API}/clients", params={"limit": 2}, headers=admin).json()
    assert len(first["items"]) == 2
    rest = client.get(
        f"{API}/clients", params={"limit": 2, "after": first["next_after"]}, headers=admin
    ).json()
    assert [c["name"] for c in first["items"] + rest["items"]] == ["Acme", "Globex", "Client 0", "Client 1"]
    last = client.get(
        f"{API}/clients", params={"limit": 2, "after": rest["next_after"]}, headers=admin
    ).json()
    assert [c["name"] for c in last["items"]] == ["Client 2"]
    assert last["next_after"] is None


def test_a_token_may_carry_an_expiry_in_the_future_only(client, personas):
    engineer = personas.headers("engineer")
    later = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    created = client.post(f"{API}/tokens", json={"name": "30 days", "expires_at": later}, headers=engineer)
    assert created.status_code == 201
    assert created.json()["expires_at"] is not None
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert (
        client.post(f"{API}/tokens", json={"name": "old", "expires_at": past}, headers=engineer).status_code
        == 422
    )


def test_an_unknown_session_cookie_authenticates_nobody_and_logs_out_quietly(client, personas):
    stale = {"Cookie": "steward_session=not-a-session"}
    assert client.get(f"{API}/me", headers=stale).status_code == 401
    assert client.post(f"{API}/auth/logout", headers=stale).status_code == 204
