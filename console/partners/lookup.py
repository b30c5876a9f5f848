"""Support look-up: find partners by identifier, name, SIRET, e-mail, postcode or city; every search audited.

Each kind of query hits an index (``Partner.__table_args__``; measured by bench/lookup.py): identifier,
SIRET and postcode prefixes through pattern B-trees, e-mail, name and city (the accent-free
``name_key``/``city_key`` columns) through trigram GIN indexes, name and city ones holding the collectivité
too (the tenant criterion every query of a collectivité's user carries). On SQLite, a small database,
LIKE reads the table.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from console.audit import api as audit_api
from console.audit import read as audit_read
from console.audit.models import AuditEvent
from console.config import ROLE_CORRESPONDENT, ROLE_OPERATOR
from console.errors import N_, DomainError
from console.partners.models import Partner, PartnerStatus, search_key
from console.tenants.context import Scope
from console.tenants.models import ConsoleUser

MIN_LENGTH = 2
MAX_RESULTS = 50
UNMASKED = {ROLE_CORRESPONDENT, ROLE_OPERATOR}


@dataclass(frozen=True)
class Found:
    """One partner as a look-up shows it."""

    id: int
    identifier: str
    name: str
    status: PartnerStatus
    approved_at: datetime | None
    email: str
    postcode: str
    city: str
    collectivite: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "identifier": self.identifier, "name": self.name, "status": self.status.value,
                "approved_at": self.approved_at.isoformat() if self.approved_at else None, "email": self.email,
                "postcode": self.postcode, "city": self.city, "collectivite": self.collectivite}


def mask_email(email: str) -> str:
    """c******@structure.fr: enough for a support agent to recognise an address, not to copy it."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}{'*' * max(len(local) - 1, 3)}@{domain}"


def shown_email(email: str, role_names: Iterable[str]) -> str:
    """A partner's e-mail as a user holding these roles reads it (look-up and partners export alike):
    in full for correspondents and operators, masked for everyone else (support agents)."""
    return email if UNMASKED.intersection(role_names) else mask_email(email)


def audit(session: Session, actor: ConsoleUser, searched: str, channel: str, results: Sequence[str]) -> AuditEvent:
    """Record in the audit trail that ``actor`` read these partners (or requests) by a search: the one
    record of a look-up, which the look-up log reads (a partners export is its ``export.create`` event)."""
    return audit_api.record(session, "lookup.search", None,
                            {"query": searched[:200], "channel": channel, "count": len(results),
                             "results": list(results[:MAX_RESULTS])},
                            actor=actor, collectivite_id=actor.collectivite_id)


#: The events of the look-up log: searches, the look-ups imported from the former log (migration 0016),
#: and partners exports (the widest look-up). Details are canonical JSON (sorted keys, no spaces), so an
#: export's kind is this exact text.
LOOKUP_ACTIONS = ("lookup.search", "lookup.imported")
PARTNERS_EXPORT = '%"kind":"partners"%'


def log(filters: audit_read.Filters, scope: Scope) -> Select:
    """The look-up log of the scope, newest first: the audit trail's query restricted to look-ups."""
    partners_export = and_(AuditEvent.action == "export.create", AuditEvent.details.like(PARTNERS_EXPORT))
    return audit_read.events(filters, scope).where(or_(AuditEvent.action.in_(LOOKUP_ACTIONS), partners_export))


def _like(text: str) -> str:
    """The text with LIKE wildcards escaped (a typed % or _ means itself)."""
    return re.sub(r"([\\%_])", r"\\\1", text)


def criterion(query: str) -> Any:
    """The WHERE clause matching what was typed, each kind on its indexed column."""
    compact = re.sub(r"\s+", "", query)
    if compact.upper().startswith("PN-"):
        return Partner.identifier.like(_like(compact.upper()) + "%", escape="\\")
    if "@" in compact:
        # ILIKE, not lower(email) LIKE: PostgreSQL's trigram index on the column serves it.
        return Partner.email.ilike("%" + _like(compact) + "%", escape="\\")
    if compact.isdigit():
        if len(compact) == 5:
            return or_(Partner.postcode == compact, Partner.siret.like(compact + "%"))
        if len(compact) < 5:
            return or_(Partner.postcode.like(compact + "%"), Partner.siret.like(compact + "%"))
        return Partner.siret.like(compact + "%")
    key = _like(search_key(query))
    return or_(Partner.name_key.like(f"%{key}%", escape="\\"), Partner.city_key.like(f"{key}%", escape="\\"))


def search(session: Session, query: str | None, actor: ConsoleUser, channel: str) -> list[Found]:
    """The partners of the user's scope matching ``query`` (at most 50); the look-up is audited."""
    text = (query or "").strip()
    if len(text) < MIN_LENGTH:
        raise DomainError(N_("Type at least %(min)s characters."), rule="lookup", field="q", min=MIN_LENGTH)
    rows = session.scalars(select(Partner).where(criterion(text)).order_by(Partner.name_key, Partner.id)
                           .limit(MAX_RESULTS)).all()
    roles = actor.role_names
    found = [Found(row.id, row.identifier, row.name, row.status, row.approved_at, shown_email(row.email, roles),
                   row.postcode, row.city, row.collectivite.name)
             for row in rows]
    audit(session, actor, text, channel, [row.identifier for row in found])
    return found
