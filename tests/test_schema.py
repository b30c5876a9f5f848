"""The Alembic migrations produce exactly the models' schema, on SQLite and PostgreSQL."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model

import console.models  # noqa: F401
from console.extensions import db
from console.schema import init_database


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Model.metadata)
    assert differences == []


def test_init_is_idempotent(app):
    init_database()
    init_database()
    roles = {role.name for role in app.appbuilder.sm.get_all_roles()}
    assert {"Opérateur", "Correspondant", "Agent support", "Élu"} <= roles
