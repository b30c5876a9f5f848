"""Generated from the model registry: for every tenant-owned model, B's rows are invisible to A's session.

For each ``TenantOwned`` model a row is written for A and one for B (straight into the table, parents made
as needed), plus, for each relationship between tenant-owned models, a child of B linked to A's parent (a
link the application refuses, written here behind its back). Then, with A's scope, listing, getting by id,
counting and loading the relationship must show none of B's rows. A model added tomorrow is covered
without editing this file; dropping the tenant criterion for any one model makes the test fail.
"""
from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from flask_appbuilder import Model
from sqlalchemy import Boolean, Date, DateTime, Enum, Integer, LargeBinary, Numeric, String, func, insert, select, true
from sqlalchemy.orm import with_loader_criteria

import console.models  # noqa: F401  (every model in the registry)
from console.extensions import db
from console.money.models import Cheque
from console.partners.models import BankAccount
from console.tenants import scoping
from console.tenants.context import only, scoped
from console.tenants.models import Collectivite, ConsoleUser, TenantOwned

TENANT_MODELS = sorted((mapper.class_ for mapper in Model.registry.mappers
                        if issubclass(mapper.class_, TenantOwned)), key=lambda model: model.__name__)
_serial = itertools.count(1)


def _model_of(table: Any) -> type:
    return next(mapper.class_ for mapper in Model.registry.mappers if mapper.local_table is table)


def _value(column: Any) -> Any:
    """A value of the column's type, distinct on every call (unique columns stay unique)."""
    number = next(_serial)
    kind = column.type
    if isinstance(kind, Enum):
        return kind.enums[0]
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, DateTime):
        return datetime(2026, 1, 1, 12, 0)
    if isinstance(kind, Date):
        return date(2026, 1, 1)
    if isinstance(kind, Numeric):
        return Decimal("1.00")
    if isinstance(kind, Integer):
        return number
    if isinstance(kind, LargeBinary):
        return b"%PDF-1.4 %%EOF"
    if isinstance(kind, String):
        return f"x{number}"[: kind.length or 20]
    return f"x{number}"


def make_row(model: type, collectivite_id: int, users: dict[int, int], **given: Any) -> int:
    """Insert a row of ``model`` for the collectivité, with the parents its non-null foreign keys need."""
    values: dict[str, Any] = {}
    for column in model.__table__.columns:
        if column.name in given:
            values[column.name] = given[column.name]
        elif column.name == "collectivite_id":
            values[column.name] = collectivite_id
        elif column.primary_key or column.nullable or column.default is not None or column.server_default is not None:
            continue
        elif column.foreign_keys:
            target = _model_of(next(iter(column.foreign_keys)).column.table)
            values[column.name] = (collectivite_id if target is Collectivite else users[collectivite_id]
                                   if target is ConsoleUser else make_row(target, collectivite_id, users))
        else:
            values[column.name] = _value(column)
    return db.session.execute(insert(model.__table__).values(**values)
                              .returning(model.__table__.c.id)).scalar_one()


def leaks(a: int, b: int, rows: dict[type, dict[int, int]], links: list[tuple[Any, int, int]]) -> list[str]:
    """What A's session can see of B: one line per model and path."""
    found = []
    with scoped(only(a)):
        db.session.expire_all()
        for model in TENANT_MODELS:
            listed = {row.collectivite_id for row in db.session.scalars(select(model))}
            if listed != {a}:
                found.append(f"{model.__name__}: list shows collectivités {sorted(listed)}")
            if db.session.get(model, rows[model][b], populate_existing=True) is not None:
                found.append(f"{model.__name__}: get by id shows B's row")
            counted = db.session.scalar(select(func.count()).select_from(model))
            own = db.session.scalar(select(func.count()).select_from(model).where(model.collectivite_id == a),
                                    execution_options=scoping.UNSCOPED)
            if counted != own:
                found.append(f"{model.__name__}: count is {counted}, A has {own} rows")
        for relationship, parent_id, child_id in links:
            parent = db.session.get(relationship.parent.class_, parent_id, populate_existing=True)
            loaded = getattr(parent, relationship.key)
            if any(child.id == child_id for child in loaded):
                found.append(f"{relationship}: loads B's row from A's")
    return found


@pytest.fixture
def registry_rows(world):
    """A row of every tenant-owned model in A and in B, and B children linked to A parents."""
    users = {world.a.id: _user_id(world.a.users["correspondent"]), world.b.id: _user_id(world.b.users["correspondent"])}
    rows = {model: {tenant.id: make_row(model, tenant.id, users) for tenant in (world.a, world.b)}
            for model in TENANT_MODELS}
    links = []
    for model in TENANT_MODELS:
        for relationship in model.__mapper__.relationships:
            if not relationship.uselist or not issubclass(relationship.mapper.class_, TenantOwned):
                continue
            child = relationship.mapper.class_
            fk = next(column for column in relationship.remote_side if column.foreign_keys)
            child_id = make_row(child, world.b.id, users, **{fk.name: rows[model][world.a.id]})
            links.append((relationship, rows[model][world.a.id], child_id))
    db.session.commit()
    return world.a.id, world.b.id, rows, links


def _user_id(username: str) -> int:
    return db.session.execute(select(ConsoleUser.id).where(ConsoleUser.username == username)).scalar_one()


def test_no_tenant_owned_model_shows_b_to_a(registry_rows):
    a, b, rows, links = registry_rows
    assert len(TENANT_MODELS) >= 17 and links
    assert leaks(a, b, rows, links) == []


@pytest.mark.parametrize("unscoped", [Cheque, BankAccount], ids=lambda model: model.__name__)
def test_dropping_the_criterion_of_one_model_is_caught(registry_rows, monkeypatch, unscoped):
    a, b, rows, links = registry_rows
    original = scoping._criteria

    def criteria_without(scope):
        cid = scope.collectivite_id
        return (with_loader_criteria(TenantOwned, lambda cls: true() if cls is unscoped else cls.collectivite_id == cid,
                                     include_aliases=True),) + original(scope)[1:]

    monkeypatch.setattr(scoping, "_criteria", criteria_without)
    found = leaks(a, b, rows, links)
    name = unscoped.__name__
    for path in ("list shows", "get by id", "count is"):
        assert any(line.startswith(f"{name}: {path}") for line in found), (path, found)
    assert all(line.startswith(f"{name}:") or f".{unscoped.__tablename__}" in line.lower()
               or name.lower() in line.lower() for line in found), found
