"""The migrations build exactly the models' schema, and go down and up again, on both databases."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from community.extensions import db
from community.search.engines import include_object, is_search_table

BACKENDS = ("sqlite", "postgresql")


def test_migrated_schema_matches_the_models(ctx):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                # Only the search engine's own tables (not models) are left out.
                "include_object": include_object,
            },
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_only_the_search_engines_tables_are_left_out_of_the_comparison(ctx):
    tables = set(inspect(db.engine).get_table_names())
    left_out = {name for name in tables if is_search_table(name)}
    assert "search_index" in left_out
    assert left_out - {"search_index"} <= {
        f"search_index_{shadow}"
        for shadow in ("data", "idx", "content", "docsize", "config", "vocab")
    }
    assert not any(is_search_table(table.name) for table in db.metadata.sorted_tables)


def test_downgrade_to_base_and_upgrade_again(ctx):
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert {"users", "user_roles", "user_sessions", "outbox_mails"} <= set(
        inspect(db.engine).get_table_names()
    )


@pytest.mark.backends("sqlite")  # the pragmas are SQLite's; PostgreSQL has nothing to check
def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(ctx):
    assert db.engine.dialect.name == "sqlite"
    with db.engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        assert pragma("PRAGMA busy_timeout").scalar() >= 5000
