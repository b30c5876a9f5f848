"""The database schema: Alembic migrations, roles and permissions."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import current_app

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(revision: str = "head") -> None:
    """Bring the database to the latest revision (idempotent)."""
    command.upgrade(alembic_config(), revision)


def make_migration(message: str) -> None:
    """Write a new revision from the difference between the models and the database."""
    command.revision(alembic_config(), message=message, autogenerate=True)


def init_database() -> None:
    """Migrate, then create the built-in roles and every view's permissions (idempotent)."""
    upgrade()
    appbuilder = current_app.appbuilder
    # Built-in roles hold their permissions in code (tenants.roles); their rows only name them.
    for role in (*current_app.config["FAB_ROLES"], current_app.config["AUTH_ROLE_PUBLIC"]):
        appbuilder.sm.add_role(role)
    appbuilder.add_permissions(update_perms=True)
