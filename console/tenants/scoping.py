"""The one place that seals collectivités off from each other.

Three mechanisms, all driven by ``context.current_scope()``:

* a session ``do_orm_execute`` hook adds ``with_loader_criteria`` to every ORM
  SELECT/UPDATE/DELETE, so lists, counts, pagination, get-by-id, drop-downs,
  search filters, bulk actions and lazy loads only reach the current
  collectivité's rows (Core and ``text()`` SQL is not covered: reports filter
  explicitly with ``tenant_clause``);
* a ``before_flush`` hook stamps new tenant-owned rows with the user's
  collectivité (whatever a form or JSON body said), refuses moving a row to
  another collectivité, and refuses links between rows of two collectivités;
* ``TenantFilter``, a Flask-AppBuilder base filter applied by every console
  view and API on top of the hook (defence in depth, and what FAB's own
  count queries see).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import event, false, inspect, select, true
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.orm.interfaces import MANYTOONE

from console.errors import N_, DomainError, Forbidden, NotFound
from console.inputs import record_id
from console.tenants.context import Scope, current_scope, resolving
from console.tenants.models import Collectivite, ConsoleUser, TenantOwned

#: Execution option that disables scoping for one statement (internal checks only).
UNSCOPED = {"tenant_unscoped": True}


def tenant_column(model: type) -> Any:
    """The column that says which collectivité a row of ``model`` belongs to."""
    if model is Collectivite:
        return Collectivite.id
    if issubclass(model, (TenantOwned, ConsoleUser)):
        return model.collectivite_id
    if getattr(model, "__tenant_column__", None):  # read-scoped rows that may also belong to no collectivité
        return getattr(model, model.__tenant_column__)
    raise TypeError(f"{model.__name__} is not tenant-scoped")


def tenant_clause(model: type, scope: Scope | None = None) -> Any:
    """A WHERE clause restricting ``model`` to the scope (for Core selects and reports)."""
    scope = scope or current_scope()
    if scope.everything:
        return true()
    if scope.nothing:
        return false()
    return tenant_column(model) == scope.collectivite_id


@lru_cache(maxsize=1024)
def _criteria(scope: Scope) -> tuple:
    """The loader options that keep a statement in ``scope``; built once per scope (a collectivité's, or
    nothing): they are immutable, and every ORM statement of a collectivité's user gets them."""
    if scope.nothing:
        return (
            with_loader_criteria(TenantOwned, lambda cls: false(), include_aliases=True),
            with_loader_criteria(Collectivite, lambda cls: false(), include_aliases=True),
        )
    cid = scope.collectivite_id
    return (
        with_loader_criteria(TenantOwned, lambda cls: cls.collectivite_id == cid, include_aliases=True),
        with_loader_criteria(Collectivite, lambda cls: cls.id == cid, include_aliases=True),
    )


@event.listens_for(Session, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if state.is_column_load or state.is_relationship_load:
        return  # the criteria of the parent query propagate to these loads
    if resolving() or state.execution_options.get("tenant_unscoped"):
        return
    scope = current_scope()
    if scope.everything:
        return
    state.statement = state.statement.options(*_criteria(scope))


def get_scoped(session: Session, model: type, pk: Any,
               message: str = N_("This record does not exist or belongs to another collectivité."),
               options: tuple = ()) -> Any:
    """A row of the current scope by id, else NotFound: another collectivité's row looks absent.

    ``populate_existing`` makes it always query, so a row already in the identity map
    still goes through the tenant criteria; ``options`` are loader options (eager loads).
    """
    key = record_id(pk)  # garbage, or an id beyond 64 bits, names no row (and must not reach the database)
    row = None if key is None else session.get(model, key, populate_existing=True, options=options)
    if row is None:
        raise NotFound(message, rule="not_found")
    return row


def _owner_of(session: Session, model: type, pk: Any) -> int | None:
    """The collectivité of a row, read without scoping (used only to compare)."""
    statement = select(tenant_column(model)).where(inspect(model).primary_key[0] == pk)
    return session.execute(statement, execution_options=UNSCOPED).scalar_one_or_none()


def _claim(session: Session, obj: TenantOwned, scope: Scope) -> None:
    if scope.nothing:
        raise Forbidden(N_("You do not belong to any collectivité."), rule="tenant")
    if scope.everything:
        if obj.collectivite_id is None and obj.collectivite is None:
            raise DomainError(N_("Choose the collectivité this belongs to."), rule="tenant", field="collectivite")
        return
    # Whatever a form or a JSON body said, the row belongs to the user's collectivité.
    obj.collectivite = session.get(Collectivite, scope.collectivite_id)
    obj.collectivite_id = scope.collectivite_id


def _check_moved(obj: TenantOwned, scope: Scope) -> None:
    history = inspect(obj).attrs.collectivite_id.history
    owners = set(history.deleted or ()) | set(history.added or ())
    relation = inspect(obj).attrs.collectivite.history
    owners |= {c.id for c in (relation.added or ()) if c is not None}
    owners |= {c.id for c in (relation.deleted or ()) if c is not None}
    if len(owners) > 1 and not scope.everything:
        raise Forbidden(N_("A record cannot be moved to another collectivité."), rule="tenant")
    if not scope.everything and obj.collectivite_id != scope.collectivite_id:
        raise Forbidden(N_("This record belongs to another collectivité."), rule="tenant")


def _check_links(session: Session, obj: TenantOwned) -> None:
    """Refuse a link from a row of one collectivité to a row of another."""
    owner = obj.collectivite.id if obj.collectivite is not None else obj.collectivite_id
    mapper = inspect(obj).mapper
    for rel in mapper.relationships:
        target_cls = rel.mapper.class_
        if rel.direction is not MANYTOONE or not issubclass(target_cls, TenantOwned):
            continue
        target = obj.__dict__.get(rel.key)
        if target is not None:
            target_owner = target.collectivite.id if target.collectivite is not None else target.collectivite_id
        else:
            fk = [getattr(obj, mapper.get_property_by_column(col).key) for col in rel.local_columns]
            if None in fk:
                continue
            target_owner = _owner_of(session, target_cls, fk[0])
        if target_owner != owner:
            raise Forbidden(
                N_("%(name)s belongs to another collectivité."), rule="tenant", field=rel.key, name=rel.key
            )


@event.listens_for(Session, "before_flush")
def _stamp_and_check(session: Session, flush_context: Any, instances: Any) -> None:
    if session.info.get("tenant_unscoped"):
        return
    scope = current_scope()
    with session.no_autoflush:
        new = [obj for obj in session.new if isinstance(obj, TenantOwned)]
        dirty = [obj for obj in session.dirty if isinstance(obj, TenantOwned) and session.is_modified(obj)]
        for obj in new:
            _claim(session, obj, scope)
        for obj in dirty:
            _check_moved(obj, scope)
        for obj in session.deleted:
            if isinstance(obj, TenantOwned) and not scope.everything and obj.collectivite_id != scope.collectivite_id:
                raise Forbidden(N_("This record belongs to another collectivité."), rule="tenant")
        for obj in new + dirty:
            _check_links(session, obj)


class TenantFilter(BaseFilter):
    """FAB base filter: the rows of the current collectivité (all of them for operators)."""

    name = "Collectivité"
    arg_name = "tenant"

    def apply(self, query: Any, value: Any) -> Any:
        return query.filter(tenant_clause(self.model))


TENANT_BASE_FILTERS = [["id", TenantFilter, None]]
