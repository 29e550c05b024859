"""`steward admin …`: bootstrap users and API tokens directly on the local database (no API needed)."""

from __future__ import annotations

import enum
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from pysteward.cli._api import DatabaseUrlOption
from pysteward.cli._errors import command_errors
from pysteward.cli._options import VerboseOption
from pysteward.errors import InputError, OperationalError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["app", "local_session"]

app = typer.Typer(help="Create users and API tokens on the local database.", no_args_is_help=True)

EmailOption = Annotated[str, typer.Option("--email", help="The user's e-mail address.")]
ClientOption = Annotated[
    int | None, typer.Option("--client", min=1, help="The client a viewer (or a token) is limited to.")
]


class RoleChoice(enum.StrEnum):
    """The roles of `pysteward.server.tenancy.models.Role`, without importing SQLAlchemy for --help."""

    ADMIN = "admin"
    ENGINEER = "engineer"
    VIEWER = "viewer"


@contextmanager
def local_session(database_url: str | None) -> Iterator[Session]:
    """A session on the (migrated) local database; API-style and database errors become Steward errors."""
    from sqlalchemy.exc import IntegrityError, SQLAlchemyError

    from pysteward.server.errors import ApiError
    from pysteward.store import StoreError, default_database_url, make_engine, make_session_factory, migrate
    from pysteward.store.engine import first_line, redact_url

    url = database_url or default_database_url()
    engine = make_engine(url)
    try:
        migrate(url, engine)
        with make_session_factory(engine)() as session:
            yield session
    except ApiError as e:
        raise (InputError(e.message) if e.status < 500 else OperationalError(e.message)) from None
    except IntegrityError as e:
        raise InputError(f"conflicts with what is stored: {first_line(e)}") from None
    except SQLAlchemyError as e:
        raise StoreError(f"{redact_url(url)}: {first_line(e)}") from e
    finally:
        engine.dispose()


def _password(from_stdin: bool, generate: bool) -> tuple[str, bool]:
    if from_stdin and generate:
        raise InputError("give --password-stdin or --generate-password, not both")
    if generate:
        return secrets.token_urlsafe(18), True
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password, False


@app.command("create-user")
def create_user_command(
    email: EmailOption,
    role: Annotated[
        RoleChoice, typer.Option("--role", help="admin, engineer (provider staff) or viewer (a client's).")
    ],
    client: ClientOption = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the first line of stdin.")
    ] = False,
    generate_password: Annotated[
        bool, typer.Option("--generate-password", help="Generate a password and print it once.")
    ] = False,
    database_url: DatabaseUrlOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Create a user (the first admin, typically); asks for the password twice unless told otherwise."""
    from pysteward.server.tenancy.models import Role
    from pysteward.server.tenancy.service import create_user

    with command_errors(verbose):
        if role is RoleChoice.VIEWER and client is None:
            raise InputError("--role viewer needs --client: a viewer sees one client's services")
        if role is not RoleChoice.VIEWER and client is not None:
            raise InputError("--client only applies to --role viewer: provider staff see every client")
        password, generated = _password(password_stdin, generate_password)
        with local_session(database_url) as session:
            user = create_user(session, email=email, password=password, role=Role(role), client_id=client)
            session.commit()
            typer.echo(f"created {role.value} {user.email} (user {user.id})", err=True)
        if generated:
            typer.echo(password)


def _address(email: str) -> str:
    from pysteward.server.tenancy.schemas import normalise_email

    try:
        address: str = normalise_email(email)
    except ValueError as e:
        raise InputError(f"--email: {e}") from None
    return address


@app.command("create-token")
def create_token_command(
    email: EmailOption,
    name: Annotated[str, typer.Option("--name", help="What the token is for (shown in token lists).")],
    role: Annotated[
        RoleChoice | None,
        typer.Option("--role", help="A narrower role than the user's (default: the user's)."),
    ] = None,
    client: ClientOption = None,
    expires_days: Annotated[
        int | None,
        typer.Option("--expires-days", min=1, help="Expire after this many days (default: never)."),
    ] = None,
    database_url: DatabaseUrlOption = None,
    verbose: VerboseOption = False,
) -> None:
    """Create an API token for a user and print its secret once (stdout; the rest goes to stderr)."""
    from sqlalchemy import select

    from pysteward.server.tenancy.models import Role, User
    from pysteward.server.tenancy.service import issue_token

    with command_errors(verbose):
        now = datetime.now(UTC)
        expires_at = None if expires_days is None else now + timedelta(days=expires_days)
        with local_session(database_url) as session:
            user = session.scalars(select(User).where(User.email == _address(email))).first()
            if user is None:
                raise InputError(f"--email: no user {email}; create one with steward admin create-user")
            token, secret = issue_token(
                session,
                user=user,
                name=name,
                role=None if role is None else Role(role),
                client_id=client,
                expires_at=expires_at,
                now=now,
            )
            session.commit()
            until = "never expires" if expires_at is None else f"expires {expires_at:%Y-%m-%d %H:%M} UTC"
            typer.echo(
                f"token {token.id} {name!r} for {email} ({token.role.value}, {until}); shown once:", err=True
            )
        typer.echo(secret)
