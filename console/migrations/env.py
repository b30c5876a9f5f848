"""Alembic environment: the console's metadata, on the application's engine."""
from alembic import context
from flask import current_app
from flask_appbuilder import Model

import console.models  # noqa: F401  (every table)

target_metadata = Model.metadata


def run_migrations_online() -> None:
    engine = current_app.extensions["sqlalchemy"].engine
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
