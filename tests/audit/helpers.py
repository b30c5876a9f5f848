"""Helpers of the audit tests: read the trail, tamper with it as a database superuser would."""
from __future__ import annotations

from sqlalchemy import select, text

from console.audit.models import AuditEvent
from console.extensions import db


def events(**where) -> list[AuditEvent]:
    """Every event (optionally filtered by column values), in the order they were written."""
    db.session.expire_all()
    statement = select(AuditEvent).filter_by(**where).order_by(AuditEvent.id)
    return list(db.session.scalars(statement))


def lookups() -> list[tuple]:
    """The look-up events: (searcher's login, query, channel, count, collectivité), in the order written."""
    return [(e.actor_login, e.details_dict["query"], e.details_dict["channel"], e.details_dict["count"],
             e.collectivite_id) for e in events(action="lookup.search")]


def tamper(*statements: str, **params) -> None:
    """Run SQL past the append-only trigger (a superuser skipping triggers: the worst case)."""
    db.session.remove()
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        for statement in statements:
            connection.execute(text(statement), params)


def verify_output(app, *args: str) -> tuple[int, str]:
    """Exit code and output (stdout and stderr) of `console audit verify`."""
    result = app.test_cli_runner().invoke(args=["audit", "verify", *args])
    return result.exit_code, result.output
