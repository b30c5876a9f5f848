"""Leases in the database: one holder at a time for a named duty (e.g. the scheduler), whatever the processes.

A lease is a row (name, holder, expiry). A process takes it when it is free or
expired and renews it while it works; a process that dies stops renewing and
another one takes over once the lease has expired. It works the same on
SQLite and PostgreSQL, with or without Redis, across every web process,
`console worker` and `console scheduler` sharing the database. Hosts' clocks
must agree (NTP) to well under a lease's duration.
"""
from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from flask_appbuilder import Model
from sqlalchemy import DateTime, String, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from console.tenants.models import utcnow


class Lease(Model):
    """Who holds a duty that only one process may perform at a time, until when."""

    __tablename__ = "console_lease"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(DateTime)


def holder_name() -> str:
    """A name unique to this process (host and pid, for people reading the table, and a random part)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(engine: Engine, name: str, holder: str, seconds: float, now: datetime | None = None) -> bool:
    """Take or renew the lease ``name`` for ``seconds``; True when ``holder`` holds it afterwards."""
    now = now or utcnow()
    expires = now + timedelta(seconds=seconds)
    table = Lease.__table__
    with engine.begin() as connection:
        # One conditional UPDATE: renew our own lease, or take an expired one; never both at once.
        taken = connection.execute(
            update(table).where(table.c.name == name, or_(table.c.holder == holder, table.c.expires_at < now))
            .values(holder=holder, expires_at=expires)
        ).rowcount
    if taken:
        return True
    try:
        with engine.begin() as connection:
            connection.execute(table.insert().values(name=name, holder=holder, expires_at=expires))
        return True
    except IntegrityError:  # the lease exists and someone else holds it
        return False


def release(engine: Engine, name: str, holder: str) -> None:
    """Give the lease up at once (a clean stop), so that another process need not wait for its expiry."""
    table = Lease.__table__
    with engine.begin() as connection:
        connection.execute(table.delete().where(table.c.name == name, table.c.holder == holder))
