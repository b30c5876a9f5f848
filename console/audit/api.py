"""The one door of the audit trail: ``record(session, action, obj, details)``, called by the domains'
``api.py`` inside the transaction of the act it records (it never commits)."""
from __future__ import annotations

from typing import Any, Mapping, Optional

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from console.audit import context
from console.audit.actions import check_action
from console.audit.canonical import dumps
from console.audit.chain import append
from console.audit.models import AuditEvent, chain_of
from console.tenants.models import Collectivite, utcnow

#: Default of ``actor``/``collectivite_id``: decided by the server from the request and the object.
CURRENT: Any = object()


def _object_ref(session: Session, obj: Any) -> tuple[Optional[str], Optional[str]]:
    if obj is None:
        return None, None
    state = inspect(obj)
    if state.transient or state.pending:  # e.g. a FAB pre_add: the row needs its id first
        session.add(obj)
        session.flush()
    return obj.__tablename__, str(state.identity[0] if state.identity else obj.id)


def _collectivite_of(obj: Any, actor: Any) -> Optional[int]:
    """The object's collectivité, else the actor's, else none (a platform event)."""
    if isinstance(obj, Collectivite):
        return obj.id
    owner = getattr(obj, "collectivite_id", None)
    if owner is None and getattr(obj, "collectivite", None) is not None:
        owner = obj.collectivite.id
    if owner is None and actor is not None:
        owner = getattr(actor, "collectivite_id", None)
    return owner


def record(session: Session, action: str, obj: Any = None, details: Optional[Mapping[str, Any]] = None, *,
           actor: Any = CURRENT, collectivite_id: Any = CURRENT, object_type: Optional[str] = None,
           object_id: Any = None, service_account: Optional[str] = None) -> AuditEvent:
    """Append one event to the chain of its collectivité (or the platform's) and flush it.

    ``actor`` defaults to the signed-in user of the request (None in jobs and for anonymous acts such
    as a failed sign-in); ``collectivite_id`` to the object's collectivité, else the actor's.
    ``details`` is any JSON-able mapping (Decimal, dates and enums allowed), kept canonical.
    """
    check_action(action)
    if actor is CURRENT:
        actor = context.current_user()
    kind, ref = _object_ref(session, obj)
    if object_type is not None:
        kind = object_type
    if object_id is not None:
        ref = str(object_id)
    if collectivite_id is CURRENT:
        collectivite_id = _collectivite_of(obj, actor)
    name = " ".join(part for part in (getattr(actor, "first_name", None), getattr(actor, "last_name", None))
                    if part) or None
    event = AuditEvent(
        chain=chain_of(collectivite_id), at=utcnow(), collectivite_id=collectivite_id,
        actor_id=getattr(actor, "id", None), actor_login=getattr(actor, "username", None), actor_name=name,
        service_account=service_account, action=action, object_type=kind, object_id=ref,
        details=dumps(dict(details or {})), client_address=context.client_address(),
        request_id=context.request_id(),
    )
    return append(session, event)


def changed_fields(obj: Any, fields: Optional[tuple[str, ...]] = None) -> dict[str, list]:
    """{field: [before, after]} of the columns changed on ``obj`` since it was loaded (for update details)."""
    state = inspect(obj)
    names = fields or tuple(attr.key for attr in state.mapper.column_attrs)
    changes = {}
    for name in names:
        history = state.attrs[name].history
        if history.added and (history.deleted or [None])[0] != history.added[0]:
            changes[name] = [(history.deleted or [None])[0], history.added[0]]
    return changes
