"""Fixtures shared by every server test: settings, the application, a test client, and personas.

    settings      Settings on this test's database (SQLite and PostgreSQL, see tests/databases.py)
    app           create_app(settings), migrated
    client        a TestClient on https://testserver (so Secure cookies are sent), lifespan running
    sessions      the application's session factory
    personas      clients `acme` and `globex`; users admin, engineer, acme_viewer, globex_viewer,
                  each with a bearer token: `personas.headers("acme_viewer")`

Password hashing uses minimal Argon2 parameters here, so creating users costs microseconds.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import StarletteDeprecationWarning

from pysteward.server.app import create_app
from pysteward.server.settings import Settings, load_settings
from pysteward.server.tenancy import passwords, service
from pysteward.server.tenancy.models import Role

with warnings.catch_warnings():
    # Starlette 1.x prefers the httpx2 package for its TestClient and warns on import when only httpx
    # is installed; the client works the same (drop this once httpx2 is a test dependency).
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

SECRET_KEY = "test-secret-key-0123456789-abcdefghijklmn"  # 40 characters
PASSWORD = "correct horse battery staple"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "HASHER", FAST_HASHER)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return load_settings(
        database_url=database_url,
        secret_key=SECRET_KEY,
        runner=False,
        allow_private_targets=("127.0.0.1/32",),
        cookie_secure=True,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    app = create_app(settings)
    yield app
    app.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver") as client:
        yield client


@pytest.fixture
def sessions(app: FastAPI) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = app.state.sessions
    return factory


@dataclass(frozen=True, slots=True)
class Persona:
    """A user of the test world with a bearer token of their full rights."""

    name: str
    user_id: int
    email: str
    password: str
    role: Role
    client_id: int | None
    token: str


@dataclass(slots=True)
class Personas:
    """The test world: two clients and four users (see the module docstring)."""

    acme: int
    globex: int
    people: dict[str, Persona] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Persona:
        return self.people[name]

    def headers(self, name: str) -> dict[str, str]:
        """The `Authorization` header of persona `name`."""
        return {"Authorization": f"Bearer {self.people[name].token}"}


def make_personas(sessions: sessionmaker[Session]) -> Personas:
    """Create the test world in the database behind `sessions`."""
    now = datetime.now(UTC)
    with sessions() as session:
        acme = service.create_client(session, name="Acme").id
        globex = service.create_client(session, name="Globex").id
        world = Personas(acme=acme, globex=globex)
        for name, role, client_id in (
            ("admin", Role.ADMIN, None),
            ("engineer", Role.ENGINEER, None),
            ("acme_viewer", Role.VIEWER, acme),
            ("globex_viewer", Role.VIEWER, globex),
        ):
            email = f"{name.replace('_', '.')}@example.invalid"
            user = service.create_user(
                session, email=email, password=PASSWORD, role=role, client_id=client_id
            )
            _token, secret = service.issue_token(session, user=user, name="tests", expires_at=None, now=now)
            world.people[name] = Persona(name, user.id, email, PASSWORD, role, client_id, secret)
    return world


@pytest.fixture
def personas(sessions: sessionmaker[Session]) -> Personas:
    return make_personas(sessions)
