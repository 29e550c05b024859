"""`steward admin create-user|create-token` on the local database, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from typer.testing import CliRunner, Result

from pysteward.cli.app import app
from pysteward.server.tenancy.models import ApiToken, Role, User
from pysteward.server.tenancy.passwords import verify_password
from pysteward.server.tenancy.service import authenticate_token
from pysteward.store import make_engine, make_session_factory
from tests.cli.conftest import Steward


@pytest.fixture
def admin(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Steward:
    """`steward admin ARGS…` on this test's database; `input=` feeds stdin."""
    monkeypatch.setenv("STEWARD_DATABASE_URL", database_url)

    def run(*args: object, input: str | None = None) -> Result:
        return CliRunner().invoke(app, ["admin", *map(str, args)], input=input, catch_exceptions=False)

    return run


def users(database_url: str) -> list[User]:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            return list(session.scalars(select(User)))
    finally:
        engine.dispose()


def test_create_user_reads_the_password_from_stdin(admin: Steward, database_url: str) -> None:
    result = admin(
        "create-user",
        "--email",
        "Ops@Example.invalid",
        "--role",
        "admin",
        "--password-stdin",
        input="correct horse battery\n",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "created admin ops@example.invalid" in result.stderr
    [user] = users(database_url)
    assert (user.email, user.role, user.client_id) == ("ops@example.invalid", Role.ADMIN, None)
    assert user.password_hash != "correct horse battery"


def test_create_user_prompts_twice_when_interactive(admin: Steward, database_url: str) -> None:
    result = admin(
        "create-user",
        "--email",
        "eng@example.invalid",
        "--role",
        "engineer",
        input="a long password!\na long password!\n",
    )
    assert result.exit_code == 0, result.output
    assert [u.role for u in users(database_url)] == [Role.ENGINEER]


def test_a_generated_password_is_printed_once_and_lets_the_user_log_in(
    admin: Steward, database_url: str
) -> None:
    result = admin("create-user", "--email", "a@example.invalid", "--role", "admin", "--generate-password")
    assert result.exit_code == 0, result.output
    password = result.stdout.strip()
    assert len(password) >= 12
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            user = session.scalars(select(User)).one()
            assert verify_password(user.password_hash, password)
            assert not verify_password(user.password_hash, password + "x")
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "viewer"], "--role viewer needs --client"),
        (["--role", "admin", "--client", "1"], "--client only applies to --role viewer"),
        (["--role", "admin", "--password-stdin", "--generate-password"], "not both"),
        (["--role", "viewer", "--client", "7", "--generate-password"], "client_id: client 7 does not exist"),
    ],
)
def test_create_user_mistakes_are_one_line_and_exit_2(admin: Steward, args: list[str], message: str) -> None:
    result = admin("create-user", "--email", "v@example.invalid", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_a_taken_email_or_a_short_password_is_refused(admin: Steward) -> None:
    assert (
        admin(
            "create-user", "--email", "a@example.invalid", "--role", "admin", "--generate-password"
        ).exit_code
        == 0
    )
    again = admin("create-user", "--email", "A@example.invalid", "--role", "admin", "--generate-password")
    assert again.exit_code == 2
    assert "already exists" in again.stderr
    short = admin(
        "create-user", "--email", "b@example.invalid", "--role", "admin", "--password-stdin", input="short\n"
    )
    assert short.exit_code == 2
    assert "password" in short.stderr


def test_create_token_prints_a_secret_that_authenticates(admin: Steward, database_url: str) -> None:
    admin("create-user", "--email", "a@example.invalid", "--role", "admin", "--generate-password")
    result = admin(
        "create-token",
        "--email",
        "A@example.invalid",
        "--name",
        "ci",
        "--role",
        "engineer",
        "--expires-days",
        "30",
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("stw_")
    assert "'ci'" in result.stderr
    assert "expires" in result.stderr
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            principal = authenticate_token(session, secret, now=datetime.now(UTC))
            assert principal is not None
            assert principal.role is Role.ENGINEER
            token = session.scalars(select(ApiToken)).one()
            assert token.expires_at is not None
            assert secret not in token.token_hash
    finally:
        engine.dispose()


def test_a_token_that_never_expires_says_so(admin: Steward) -> None:
    admin("create-user", "--email", "a@example.invalid", "--role", "admin", "--generate-password")
    result = admin("create-token", "--email", "a@example.invalid", "--name", "ci")
    assert result.exit_code == 0
    assert "never expires" in result.stderr


@pytest.mark.parametrize(
    ("email", "extra", "message"),
    [
        ("nobody@example.invalid", [], "--email: no user nobody@example.invalid"),
        ("not-an-address", [], "--email:"),
        ("a@example.invalid", ["--client", "9"], "client_id: client 9 does not exist"),
    ],
)
def test_create_token_mistakes_exit_2(admin: Steward, email: str, extra: list[str], message: str) -> None:
    admin("create-user", "--email", "a@example.invalid", "--role", "admin", "--generate-password")
    result = admin("create-token", "--email", email, "--name", "ci", *extra)
    assert result.exit_code == 2
    assert message in result.stderr


def test_an_unreachable_database_is_exit_3(steward: Steward) -> None:
    result = steward(
        "admin",
        "create-user",
        "--email",
        "a@example.invalid",
        "--role",
        "admin",
        "--generate-password",
        "--database-url",
        "postgresql+psycopg://nobody@127.0.0.1:9/none",
    )
    assert result.exit_code == 3
    assert result.stderr.startswith("error: ")
