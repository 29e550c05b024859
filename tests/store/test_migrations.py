"""Migrations: applied on both engines, idempotent, and in step with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from pysteward.server.models import metadata
from pysteward.store import current_revision, head_revision, migrate


def test_a_migrated_database_is_at_head_and_holds_every_table(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())


def test_migrating_again_changes_nothing(database_url: str, engine: Engine) -> None:
    assert migrate(database_url) == head_revision()
    assert current_revision(engine) == head_revision()


def test_the_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), metadata
        )
    assert differences == []
