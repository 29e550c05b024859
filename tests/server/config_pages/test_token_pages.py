"""The API token page: a secret shown once, narrowing, and whose tokens each user sees and revokes."""

from __future__ import annotations

import re

from sqlalchemy import select

from pysteward.server.tenancy.models import ApiToken, Role
from tests.server.config_pages.pages import post_form, sign_in

SECRET = re.compile(r'data-testid="token-secret">(stw_[A-Za-z0-9_-]+)<')


def test_a_new_tokens_secret_is_shown_once_never_cached_and_works(client, personas):
    csrf = sign_in(client, personas, "engineer")
    response = post_form(client, "/admin/tokens", csrf, name="CI pipeline", expires_in_days=30)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    match = SECRET.search(response.text)
    assert match is not None
    secret = match.group(1)
    assert "Token “CI pipeline” created" in response.text
    again = client.get("/admin/tokens")
    assert (
        "CI pipeline" in again.text
        and secret not in again.text
        and f"<code>{secret[:8]}…</code>" in again.text
    )
    client.cookies.clear()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert (me.status_code, me.json()["role"]) == (200, "engineer")


def test_a_token_may_be_narrowed_to_a_viewer_of_one_client_but_never_widened(client, personas, sessions):
    csrf = sign_in(client, personas, "engineer")
    narrowed = post_form(
        client, "/admin/tokens", csrf, name="Acme dashboard", role="viewer", client_id=personas.acme
    )
    assert narrowed.status_code == 200
    with sessions() as session:
        token = session.scalars(select(ApiToken).where(ApiToken.name == "Acme dashboard")).one()
        assert (token.role, token.client_id, token.expires_at) == (Role.VIEWER, personas.acme, None)
    unbound = post_form(client, "/admin/tokens", csrf, name="Anyone", role="viewer")
    assert (unbound.status_code, "Client_id: a viewer token is limited to one client" in unbound.text) == (
        422,
        True,
    )
    csrf = sign_in(client, personas, "acme_viewer")
    widened = post_form(client, "/admin/tokens", csrf, name="Escalate", role="admin")
    assert widened.status_code == 403
    assert "Role: a token cannot have more rights than its user (viewer)" in widened.text
    page = client.get("/admin/tokens").text
    assert '<option value="viewer" selected>viewer</option>' in page and 'value="admin"' not in page


def test_users_revoke_only_their_own_tokens_and_admins_anyones(client, personas, sessions):
    with sessions() as session:
        ids = {t.user_id: t.id for t in session.scalars(select(ApiToken))}
    admin_token, engineer_token = ids[personas["admin"].user_id], ids[personas["engineer"].user_id]
    csrf = sign_in(client, personas, "engineer")
    listed = client.get("/admin/tokens").text
    assert listed.count("/revoke") == 1 and "admin@example.invalid" not in listed
    assert post_form(client, f"/admin/tokens/{admin_token}/revoke", csrf).status_code == 404
    csrf = sign_in(client, personas, "admin")
    everyone = client.get("/admin/tokens").text
    assert everyone.count("/revoke") == 4 and "globex.viewer@example.invalid" in everyone
    response = post_form(client, f"/admin/tokens/{engineer_token}/revoke", csrf)
    assert (response.status_code, response.headers["location"]) == (303, "/admin/tokens?done=revoked")
    client.cookies.clear()
    assert client.get("/api/v1/me", headers=personas.headers("engineer")).status_code == 401
