"""A world whose lists hold more than a page: collectivités A and B filled by the scale generator."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import pytest
from sqlalchemy import event

from console.demo_scale import Generator, Scale, Tenant
from console.extensions import db

#: Per collectivité: enough rows that every list has 50 of them (one page of 50).
SIZES = {"partners": 80, "cheques": 1500, "requests": 150, "complaints": 60}


@dataclass
class Filled:
    world: object
    a: Tenant
    b: Tenant


@pytest.fixture
def filled(world) -> Filled:
    with db.engine.begin() as connection:
        generator = Generator(connection, Scale(2, 0, 0, 0, 0), seed=7)
        tenants = [Tenant(t.id, t.collectivite.code, t.collectivite.slug, **SIZES) for t in (world.a, world.b)]
        for tenant in tenants:
            generator.fill(tenant)
        generator.writer.close()
    return Filled(world, *tenants)


class StatementCounter:
    """The SQL statements sent to the database while it is active."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)


@contextmanager
def counting() -> Iterator[StatementCounter]:
    counter = StatementCounter()
    engine = db.engine

    def record(conn, cursor, statement, parameters, context, executemany):
        counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", record)
