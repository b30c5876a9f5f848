"""The Alembic migrations produce exactly the models' schema, on SQLite and PostgreSQL."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model
from sqlalchemy import text

import console.models  # noqa: F401
from console.extensions import db
from console.schema import init_database
from tests.schema_compare import differences, models_schema, scratch_database, snapshot


@pytest.fixture
def models_engine(app):
    yield from scratch_database(app.config["SQLALCHEMY_DATABASE_URI"], "console_test_models")


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "compare_server_default": True})
        assert compare_metadata(context, Model.metadata) == []


def test_migrations_match_the_models_index_by_index_and_default_by_default(app, models_engine):
    # Both sides reflected by the same database: partial-index conditions, index methods and included
    # columns, unique constraints and server defaults compare in the database's own words.
    assert differences(snapshot(db.engine), models_schema(models_engine)) == []


def test_the_comparison_sees_a_partial_index_condition_that_differs(app, models_engine):
    models = models_schema(models_engine)
    where = "replaced_at IS NOT NULL"  # the model says "IS NULL": a migration that got it wrong
    with models_engine.begin() as connection:
        connection.execute(text("DROP INDEX uq_bank_account_current"))
        connection.execute(text(f"CREATE UNIQUE INDEX uq_bank_account_current ON bank_account (partner_id) "
                                f"WHERE {where}"))
    found = differences(snapshot(db.engine), snapshot(models_engine))
    assert len(found) == 1 and found[0].startswith("bank_account.indexes") and models != snapshot(models_engine)


def test_init_is_idempotent(app):
    init_database()
    init_database()
    roles = {role.name for role in app.appbuilder.sm.get_all_roles()}
    assert {"Opérateur", "Correspondant", "Agent support", "Élu"} <= roles
