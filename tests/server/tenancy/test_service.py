"""Tenancy service functions, on SQLite and PostgreSQL."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from pysteward.server.errors import ApiError
from pysteward.server.tenancy import service
from pysteward.server.tenancy.models import ApiToken, Role, User, WebSession
from tests.server.conftest import PASSWORD, Personas

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(sessions):
    with sessions() as session:
        yield session


def _status(call: Callable[[], object]) -> tuple[int, str]:
    with pytest.raises(ApiError) as caught:
        call()
    return caught.value.status, caught.value.message


def test_a_user_is_stored_with_a_lowercase_email_and_an_argon2_hash(db, personas):
    user = service.create_user(
        db, email=" Ops@Example.INVALID ", password=PASSWORD, role=Role.ENGINEER, client_id=None
    )
    assert user.email == "ops@example.invalid"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("email", "password", "role", "client", "status", "message"),
    [
        ("ACME.viewer@example.invalid", PASSWORD, Role.ENGINEER, None, 409, "already exists"),
        ("x@example.invalid", "too short", Role.ENGINEER, None, 422, "at least 12 characters"),
        ("not an address", PASSWORD, Role.ENGINEER, None, 422, "email: must be an e-mail address"),
        ("x@example.invalid", PASSWORD, Role.VIEWER, None, 422, "a viewer belongs to a client"),
        ("x@example.invalid", PASSWORD, Role.ADMIN, "acme", 422, "provider staff belong to no client"),
        ("x@example.invalid", PASSWORD, Role.VIEWER, 999, 422, "client 999 does not exist"),
    ],
)
def test_a_user_is_refused_when(db, personas, email, password, role, client, status, message):  # noqa: PLR0917
    client_id = personas.acme if client == "acme" else client
    got = _status(
        lambda: service.create_user(db, email=email, password=password, role=role, client_id=client_id)
    )
    assert got[0] == status
    assert message in got[1]


def test_client_names_are_unique_on_create_and_rename(db, personas):
    assert _status(lambda: service.create_client(db, name="Acme"))[0] == 409
    assert _status(lambda: service.create_client(db, name="  "))[0] == 422
    initech = service.create_client(db, name="Initech")
    assert _status(lambda: service.update_client(db, client=initech, name="Globex"))[0] == 409
    renamed = service.update_client(db, client=initech, name="Initrode")
    assert renamed.name == "Initrode"
    assert service.update_client(db, client=renamed).name == "Initrode"


def test_deleting_a_client_removes_its_viewers(db, personas):
    client = service.create_client(db, name="Initech")
    viewer = service.create_user(
        db, email="v@example.invalid", password=PASSWORD, role=Role.VIEWER, client_id=client.id
    )
    viewer_id = viewer.id
    service.delete_client(db, client=client)
    db.expunge_all()
    assert db.get(User, viewer_id) is None


def _user(db: Session, personas: Personas, name: str) -> User:
    user: User = db.get_one(User, personas[name].user_id)
    return user


def test_a_token_secret_is_shown_once_and_stored_as_its_sha256(db, personas):
    token, secret = service.issue_token(
        db, user=_user(db, personas, "engineer"), name="ci", expires_at=None, now=NOW
    )
    assert secret.startswith("stw_")
    assert len(secret) == 4 + 43
    assert token.prefix == secret[:8]
    assert token.token_hash == service.digest(secret)
    assert secret not in token.token_hash
    assert (token.role, token.client_id) == (Role.ENGINEER, None)


@pytest.mark.parametrize(
    ("owner", "role", "client", "status", "message"),
    [
        ("engineer", Role.ADMIN, None, 403, "more rights than its user"),
        ("acme_viewer", Role.ENGINEER, None, 403, "more rights than its user"),
        ("acme_viewer", None, "globex", 403, "limited to the viewer's client"),
        ("engineer", None, 999, 422, "client 999 does not exist"),
        ("admin", Role.VIEWER, None, 422, "a viewer token is limited to one client"),
    ],
)
def test_a_token_cannot_exceed_its_user(db, personas, owner, role, client, status, message):  # noqa: PLR0917
    user = _user(db, personas, owner)
    client_id = getattr(personas, client) if isinstance(client, str) else client
    got = _status(
        lambda: service.issue_token(
            db, user=user, name="t", role=role, client_id=client_id, expires_at=None, now=NOW
        )
    )
    assert got[0] == status
    assert message in got[1]


def test_a_token_cannot_expire_in_the_past_nor_belong_to_an_inactive_user(db, personas):
    user = _user(db, personas, "engineer")
    assert _status(lambda: service.issue_token(db, user=user, name="t", expires_at=NOW, now=NOW))[0] == 422
    service.update_user(db, user=user, active=False)
    assert _status(lambda: service.issue_token(db, user=user, name="t", expires_at=None, now=NOW))[0] == 422


def test_a_viewer_token_gets_the_viewers_client(db, personas):
    token, _ = service.issue_token(
        db, user=_user(db, personas, "acme_viewer"), name="t", expires_at=None, now=NOW
    )
    assert token.client_id == personas.acme


def test_a_provider_token_narrowed_to_a_client_sees_only_that_client(db, personas):
    user = _user(db, personas, "engineer")
    _, secret = service.issue_token(
        db, user=user, name="t", client_id=personas.acme, expires_at=None, now=NOW
    )
    principal = service.authenticate_token(db, secret, now=NOW)
    assert principal is not None
    assert principal.can_write
    assert principal.sees_client(personas.acme)
    assert not principal.sees_client(personas.globex)


def test_a_token_authenticates_until_it_expires(db, personas):
    user = _user(db, personas, "engineer")
    _, secret = service.issue_token(db, user=user, name="t", expires_at=NOW + timedelta(days=1), now=NOW)
    principal = service.authenticate_token(db, secret, now=NOW)
    assert principal is not None
    assert (principal.user_id, principal.role, principal.via) == (user.id, Role.ENGINEER, "token")
    assert service.authenticate_token(db, secret, now=NOW + timedelta(days=1)) is None


def test_unknown_revoked_and_foreign_looking_secrets_authenticate_nobody(db, personas):
    token, secret = service.issue_token(
        db, user=_user(db, personas, "admin"), name="t", expires_at=None, now=NOW
    )
    assert service.authenticate_token(db, "stw_" + "x" * 43, now=NOW) is None
    assert service.authenticate_token(db, secret.removeprefix("stw_"), now=NOW) is None
    service.revoke_token(db, token=token)
    assert service.authenticate_token(db, secret, now=NOW) is None


def test_a_token_of_an_inactive_user_authenticates_nobody(db, personas):
    user = _user(db, personas, "engineer")
    service.update_user(db, user=user, active=False)
    assert service.authenticate_token(db, personas["engineer"].token, now=NOW) is None


def test_demoting_a_user_demotes_their_tokens(db, personas):
    admin = service.create_user(
        db, email="a2@example.invalid", password=PASSWORD, role=Role.ADMIN, client_id=None
    )
    _, secret = service.issue_token(db, user=admin, name="t", expires_at=None, now=NOW)
    service.update_user(db, user=admin, role=Role.ENGINEER)
    principal = service.authenticate_token(db, secret, now=NOW)
    assert principal is not None
    assert principal.role is Role.ENGINEER


def test_a_viewer_moved_to_another_client_loses_the_old_clients_tokens(db, personas):
    viewer = _user(db, personas, "acme_viewer")
    service.update_user(db, user=viewer, client_id=personas.globex)
    assert service.authenticate_token(db, personas["acme_viewer"].token, now=NOW) is None


def test_last_used_is_written_at_most_once_a_minute(db, personas):
    token, secret = service.issue_token(
        db, user=_user(db, personas, "admin"), name="t", expires_at=None, now=NOW
    )
    for seconds, expected in ((0, 0), (59, 0), (60, 60), (61, 60)):
        service.authenticate_token(db, secret, now=NOW + timedelta(seconds=seconds))
        db.expire_all()
        assert db.get_one(ApiToken, token.id).last_used_at == NOW + timedelta(seconds=expected)


def test_login_opens_a_session_that_lasts_the_configured_hours(db, personas, settings):
    web_session, secret = service.login(
        db, email="ADMIN@example.invalid", password=PASSWORD, now=NOW, settings=settings
    )
    assert web_session.token_hash == service.digest(secret)
    assert web_session.expires_at == NOW + timedelta(hours=settings.session_hours)
    found = service.authenticate_session(db, secret, now=NOW)
    assert found is not None
    assert found[0].role is Role.ADMIN
    assert found[0].via == "session"
    assert found[1] == web_session.csrf_token
    assert service.authenticate_session(db, secret, now=web_session.expires_at) is None
    service.logout(db, secret=secret)
    assert service.authenticate_session(db, secret, now=NOW) is None


@pytest.mark.parametrize("email", ["admin@example.invalid", "nobody@example.invalid"])
def test_login_refuses_a_wrong_password_or_unknown_address_alike(db, personas, settings, email):
    got = _status(
        lambda: service.login(db, email=email, password="wrong password", now=NOW, settings=settings)
    )
    assert got == (401, "wrong e-mail address or password")


def test_login_refuses_an_inactive_user(db, personas, settings):
    service.update_user(db, user=_user(db, personas, "engineer"), active=False)
    got = _status(
        lambda: service.login(
            db, email="engineer@example.invalid", password=PASSWORD, now=NOW, settings=settings
        )
    )
    assert got[0] == 401


def test_login_upgrades_a_hash_made_with_old_parameters(db, personas, settings):
    user = _user(db, personas, "engineer")
    user.password_hash = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1).hash(PASSWORD)
    db.commit()
    service.login(db, email=user.email, password=PASSWORD, now=NOW, settings=settings)
    assert "t=1" in db.get_one(User, user.id).password_hash


def test_a_session_of_a_deactivated_user_ends(db, personas, settings):
    user = _user(db, personas, "engineer")
    _, secret = service.login(db, email=user.email, password=PASSWORD, now=NOW, settings=settings)
    user.active = False  # bypassing update_user, which would delete the session outright
    db.commit()
    assert service.authenticate_session(db, secret, now=NOW) is None


def test_a_new_password_ends_every_session_of_the_user(db, personas, settings):
    user = _user(db, personas, "engineer")
    service.login(db, email=user.email, password=PASSWORD, now=NOW, settings=settings)
    service.update_user(db, user=user, password="another long password")
    assert db.scalars(select(WebSession).where(WebSession.user_id == user.id)).all() == []
    assert _status(lambda: service.update_user(db, user=user, password="short"))[0] == 422


def test_the_last_active_admin_cannot_be_demoted_deactivated_or_deleted(db, personas):
    admin = _user(db, personas, "admin")
    assert _status(lambda: service.update_user(db, user=admin, role=Role.ENGINEER))[0] == 409
    assert _status(lambda: service.update_user(db, user=admin, active=False))[0] == 409
    assert _status(lambda: service.delete_user(db, user=admin))[0] == 409
    service.create_user(db, email="a2@example.invalid", password=PASSWORD, role=Role.ADMIN, client_id=None)
    admin_id = admin.id
    service.delete_user(db, user=admin)
    db.expunge_all()
    assert db.get(User, admin_id) is None


def test_changing_roles_keeps_the_client_rules(db, personas):
    engineer = _user(db, personas, "engineer")
    got = _status(lambda: service.update_user(db, user=engineer, client_id=personas.acme))
    assert got == (422, "client_id: provider staff belong to no client")
    assert _status(lambda: service.update_user(db, user=engineer, role=Role.VIEWER))[0] == 422
    viewer = service.update_user(db, user=engineer, role=Role.VIEWER, client_id=personas.acme)
    assert (viewer.role, viewer.client_id) == (Role.VIEWER, personas.acme)
    promoted = service.update_user(db, user=viewer, role=Role.ENGINEER)
    assert (promoted.role, promoted.client_id) == (Role.ENGINEER, None)
