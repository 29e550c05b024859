"""Alembic migrations, applied by `steward serve` at start and by `steward db migrate`.

The scripts live in this package (`migrations/`), so an installed wheel can migrate its own database.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from pysteward.store.engine import StoreError, first_line, make_engine, redact_url

__all__ = ["alembic_config", "current_revision", "head_revision", "migrate"]

SCRIPTS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    """An Alembic configuration for `url` that needs no alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest migration this version of Steward knows."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at; None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(url: str, engine: Engine | None = None) -> str:
    """Bring the database at `url` to the newest migration; the revision it is at afterwards.

    Each migration runs in a transaction (PostgreSQL and SQLite both have transactional DDL), so a
    failed upgrade leaves the database at the previous revision. `StoreError` when it cannot.
    """
    own = engine is None
    engine = engine or make_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        revision = current_revision(engine)
    except SQLAlchemyError as e:
        raise StoreError(f"{redact_url(url)}: cannot migrate the database: {first_line(e)}") from e
    finally:
        if own:
            engine.dispose()
    assert revision is not None
    return revision
