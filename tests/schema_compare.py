"""The schema of a database as comparable data: tables, columns with server defaults, indexes (partial-index
conditions, methods, included columns), unique, foreign-key and check constraints."""
from __future__ import annotations

import re
from typing import Any, Iterator

from flask_appbuilder import Model
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

import console.models  # noqa: F401  (every table)


def _plain(value: Any) -> Any:
    """Reflected values as comparable plain data (SQL text whitespace-normalised)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return re.sub(r"\s+", " ", str(value)).strip()


def _default(table: str, column: dict[str, Any]) -> Any:
    """A column's server default; a key's own sequence counts as none.

    Flask-AppBuilder's models name their sequence (``Sequence("ab_user_id_seq")``, used explicitly on insert)
    where the migrations create a SERIAL column defaulting to that very sequence: the same numbering.
    """
    default = column.get("default")
    if default == f"nextval('{table}_{column['name']}_seq'::regclass)":
        return None
    return default


def snapshot(engine: Engine) -> dict[str, Any]:
    inspector = inspect(engine)
    tables = {}
    for table in sorted(inspector.get_table_names()):
        if table == "alembic_version":
            continue
        tables[table] = _plain({
            "columns": {column["name"]: {"type": str(column["type"]), "nullable": column["nullable"],
                                         "server_default": _default(table, column)}
                        for column in inspector.get_columns(table)},
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "indexes": {index["name"]: {key: value for key, value in index.items() if key != "name"}
                        for index in inspector.get_indexes(table)},
            "unique": sorted((constraint["name"] or "", constraint["column_names"])
                             for constraint in inspector.get_unique_constraints(table)),
            "foreign_keys": sorted((key["constrained_columns"], key["referred_table"], key["referred_columns"],
                                    sorted(key.get("options", {}).items())) for key in inspector.get_foreign_keys(table)),
            "checks": sorted(check["sqltext"] for check in inspector.get_check_constraints(table)),
        })
    return tables


def differences(migrated: dict[str, Any], models: dict[str, Any]) -> list[str]:
    """What differs, one line per table element (empty when the schemas are the same)."""
    found = [f"table {name}: only in {'the migrations' if name in migrated else 'the models'}"
             for name in sorted(set(migrated) ^ set(models))]
    for name in sorted(set(migrated) & set(models)):
        for part in migrated[name]:
            if migrated[name][part] != models[name][part]:
                found.append(f"{name}.{part}: migrations {migrated[name][part]!r} != models {models[name][part]!r}")
    return found


def scratch_database(url: str, name: str) -> Iterator[Engine]:
    """An empty database next to ``url``'s (a new file for SQLite, a new PostgreSQL database), dropped after."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        scratch = parsed.set(database=f"{parsed.database}.{name}")
        engine = create_engine(scratch)
        yield engine
        engine.dispose()
        import os

        os.remove(scratch.database)
        return
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(parsed.set(database=name))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def models_schema(engine: Engine) -> dict[str, Any]:
    """The schema the models declare, created directly (no migration) in an empty database."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:  # what migration 0005 creates before its indexes
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS btree_gin"))
    Model.metadata.create_all(engine)
    return snapshot(engine)
