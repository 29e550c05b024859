"""The admin home, users and clients pages, and the CSRF check on every configuration form."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from pysteward.server.notify.models import AdminNotice, Channel
from pysteward.server.slas.models import AccountingPolicy
from pysteward.server.tenancy.models import ApiToken, Client, Role, StatusPageAccess, User, WebSession
from tests.server.config_pages.pages import post_form, sign_in, storefront_sla
from tests.server.conftest import PASSWORD

NEW_PASSWORD = "a much longer new password"


def test_the_admin_home_counts_and_points_at_what_needs_attention(client, personas, sessions):
    with sessions() as session:
        session.add(Channel(name="Pager", url="json://127.0.0.1:9/x", enabled=False, disabled_reason="404"))
        session.add(AdminNotice(at=datetime(2030, 1, 1, tzinfo=UTC), kind="channel.disabled", message="x"))
        session.commit()
    sign_in(client, personas, "admin")
    text = client.get("/admin").text
    assert '<a href="/admin/notices">1 unread notice</a>' in text
    assert '<a href="/admin/channels">1 disabled channel</a>' in text
    assert '<div class="big">4</div>active users' in text and '<div class="big">2</div>clients' in text


def test_an_admin_creates_a_viewer_who_can_then_sign_in(client, personas, sessions):
    csrf = sign_in(client, personas, "admin")
    response = post_form(
        client,
        "/admin/users",
        csrf,
        email="Ops@Acme.invalid",
        password=PASSWORD,
        role="viewer",
        client_id=personas.acme,
    )
    assert (response.status_code, response.headers["location"]) == (303, "/admin/users?done=created")
    text = client.get(response.headers["location"]).text
    assert "User created." in text and "ops@acme.invalid" in text
    with sessions() as session:
        user = session.scalars(select(User).where(User.email == "ops@acme.invalid")).one()
        assert (user.role, user.client_id, user.active) == (Role.VIEWER, personas.acme, True)
    login = client.post("/api/v1/auth/login", json={"email": "ops@acme.invalid", "password": PASSWORD})
    assert login.status_code == 200


REFUSED_USERS = [
    ({"email": "x@example.invalid", "password": PASSWORD, "role": "viewer"}, 422,
     "Client_id: a viewer belongs to a client"),
    ({"email": "x@example.invalid", "password": "short", "role": "engineer"}, 422,
     "Password: must be at least 12 characters"),
    ({"email": "admin@example.invalid", "password": PASSWORD, "role": "engineer"}, 409,
     "A user with e-mail &#39;admin@example.invalid&#39; already exists"),
]  # fmt: skip


def test_a_user_the_service_refuses_shows_the_page_again_with_the_reason(client, personas, sessions):
    csrf = sign_in(client, personas, "admin")
    for fields, status, reason in REFUSED_USERS:
        response = post_form(client, "/admin/users", csrf, **fields)
        assert (response.status_code, reason in response.text) == (status, True), reason
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 4


def test_changing_a_role_and_unticking_active_deactivates_a_user(client, personas, sessions):
    viewer_id = personas["acme_viewer"].user_id
    csrf = sign_in(client, personas, "admin")
    response = post_form(client, f"/admin/users/{viewer_id}", csrf, role="engineer", client_id=personas.acme)
    assert (response.status_code, response.headers["location"]) == (303, "/admin/users?done=changed")
    with sessions() as session:
        user = session.get_one(User, viewer_id)
        assert (user.role, user.client_id, user.active) == (Role.ENGINEER, None, False)
    assert post_form(client, f"/admin/users/{viewer_id}", csrf, role="viewer", client_id=personas.globex,
                     active="true").status_code == 303  # fmt: skip
    with sessions() as session:
        user = session.get_one(User, viewer_id)
        assert (user.role, user.client_id, user.active) == (Role.VIEWER, personas.globex, True)


def test_the_last_admin_cannot_demote_themself_and_an_unknown_user_answers_404(client, personas, sessions):
    admin_id = personas["admin"].user_id
    csrf = sign_in(client, personas, "admin")
    response = post_form(client, f"/admin/users/{admin_id}", csrf, role="engineer", active="true")
    assert response.status_code == 409
    assert "The last active admin cannot be demoted or deactivated" in response.text
    with sessions() as session:
        assert session.get_one(User, admin_id).role is Role.ADMIN
    assert post_form(client, "/admin/users/2147483647", csrf, role="viewer").status_code == 404


def test_setting_a_password_ends_the_users_sessions(client, personas, sessions):
    engineer = personas["engineer"]
    sign_in(client, personas, "engineer")
    csrf = sign_in(client, personas, "admin")
    with sessions() as session:
        count = select(func.count()).where(WebSession.user_id == engineer.user_id)
        assert session.scalar(count) == 1
    response = post_form(client, f"/admin/users/{engineer.user_id}/password", csrf, password=NEW_PASSWORD)
    assert (response.status_code, response.headers["location"]) == (303, "/admin/users?done=password")
    with sessions() as session:
        assert session.scalar(count) == 0
    too_short = post_form(client, f"/admin/users/{engineer.user_id}/password", csrf, password="x" * 11)
    assert (too_short.status_code, "at least 12 characters" in too_short.text) == (422, True)
    login = client.post("/api/v1/auth/login", json={"email": engineer.email, "password": NEW_PASSWORD})
    assert login.status_code == 200


def test_the_clients_page_shows_status_page_access_and_report_cadences(client, personas, sessions):
    with sessions() as session:
        acme = session.get_one(Client, personas.acme)
        acme.status_page, acme.report_cadences, acme.report_timezone = (
            StatusPageAccess.LINK, ["weekly", "monthly"], "Europe/Paris",
        )  # fmt: skip
        session.commit()
    sign_in(client, personas, "admin")
    text = client.get("/admin/clients").text
    acme_row = text[text.index("<td>Acme</td>") : text.index("<td>Globex</td>")]
    assert "secret link only" in acme_row and "weekly, monthly" in acme_row and "Europe/Paris" in acme_row
    assert '<td class="num">1</td>' in acme_row  # one viewer
    globex_row = text[text.index("<td>Globex</td>") :]
    assert '<span class="muted">off</span>' in globex_row and "<td>monthly</td>" in globex_row


def test_everyone_but_an_admin_gets_403_on_the_admin_pages(client, personas):
    for name in ("engineer", "acme_viewer"):
        csrf = sign_in(client, personas, name)
        for path in ("/admin", "/admin/users", "/admin/clients", "/admin/channels", "/admin/notices"):
            response = client.get(path)
            assert (response.status_code, "for the provider&#39;s admins" in response.text) == (403, True), (
                path
            )
        refused = post_form(
            client, "/admin/users", csrf, email="x@example.invalid", password=PASSWORD, role="admin"
        )
        assert refused.status_code == 403


FORMS = [
    ("/slas/{sla}/policy", {"unknown_as": "up", "degraded_as": "up", "combine": "all", "rounding": "down"}),
    ("/admin/users", {"email": "x@example.invalid", "password": PASSWORD, "role": "engineer"}),
    ("/admin/tokens", {"name": "sneaky"}),
    ("/admin/channels", {"name": "sneaky", "url": "json://127.0.0.1:9/x"}),
]


def test_a_form_posted_without_the_csrf_token_or_with_a_wrong_one_is_refused_with_403(
    client, personas, sessions
):
    tables = (User, Channel, ApiToken, AccountingPolicy)
    with sessions() as session:
        sla_id = storefront_sla(session, personas).id
        before = [session.scalar(select(func.count()).select_from(t)) for t in tables]
    sign_in(client, personas, "admin")
    for template, fields in FORMS:
        path = template.format(sla=sla_id)
        response = post_form(client, path, None, **fields)
        assert (response.status_code, "Missing or wrong CSRF token" in response.text) == (403, True), path
        wrong = client.post(path, data={**fields, "csrf_token": "forged"}, follow_redirects=False)
        assert wrong.status_code == 403, path
    with sessions() as session:
        assert [session.scalar(select(func.count()).select_from(t)) for t in tables] == before
