"""Shared helpers of the partners tests: acting as a user, partners in a given state, sample files."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import select

from console.extensions import db
from console.mail import OutboxMessage
from console.partners import api as partners_api
from console.partners.demo import demo_pdf
from console.partners.models import Partner, PartnerStatus, TransitionAction
from console.tenants.context import EVERYTHING, only, scoped
from console.tenants.models import ConsoleUser
from tests.conftest import VALID_SIRETS, make_partner

FR_IBAN = "FR7630006000011234567890189"
FR_BIC = "AGRIFRPP"
OTHER_FR_IBAN = "FR1420041010050500013M02606"
OTHER_FR_BIC = "PSSTFRPPLIL"
PDF = demo_pdf("CGU")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def user(username: str) -> ConsoleUser:
    """The user row (read without any tenant scope)."""
    with scoped(EVERYTHING):
        return db.session.scalar(select(ConsoleUser).where(ConsoleUser.username == username))


@contextmanager
def acting_as(username: str) -> Iterator[ConsoleUser]:
    """Run domain calls as ``username``, with that user's scope, committing at the end like a request."""
    actor = user(username)
    scope = EVERYTHING if actor.collectivite_id is None else only(actor.collectivite_id)
    with scoped(scope):
        try:
            yield actor
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise


def partner(pk: int) -> Partner:
    with scoped(EVERYTHING):
        return db.session.get(Partner, pk, populate_existing=True)


def outbox(template: str | None = None) -> list[OutboxMessage]:
    statement = select(OutboxMessage).order_by(OutboxMessage.id)
    if template:
        statement = statement.where(OutboxMessage.template == template)
    return list(db.session.scalars(statement))


def with_rib(partner_id: int) -> int:
    """Give a partner a current RIB (as given with its affiliation request)."""
    with scoped(EVERYTHING):
        row = db.session.get(Partner, partner_id)
        partners_api.add_bank_account(db.session, row, "Association Les Lilas", FR_IBAN, FR_BIC)
        db.session.commit()
    return partner_id


def in_state(world, status: PartnerStatus, number: int = 0, tenant: str = "a", rib: bool = True) -> int:
    """A partner of A (or B) brought to ``status`` through the real workflow."""
    owner = getattr(world, tenant)
    pk = make_partner(owner.collectivite, f"Structure {number}", number)
    if rib:
        with_rib(pk)
    steps = {
        PartnerStatus.checked: [(world.operator, TransitionAction.check_pass)],
        PartnerStatus.approved: [(world.operator, TransitionAction.check_pass),
                                 (owner.users["correspondent"], TransitionAction.approve)],
        PartnerStatus.rejected: [(world.operator, TransitionAction.check_pass),
                                 (owner.users["correspondent"], TransitionAction.reject)],
        PartnerStatus.suspended: [(world.operator, TransitionAction.check_pass),
                                  (owner.users["correspondent"], TransitionAction.approve),
                                  (owner.users["correspondent"], TransitionAction.suspend)],
    }.get(status, [])
    for username, action in steps:
        with acting_as(username) as actor:
            partners_api.move(db.session, pk, action, actor, reason_code="eligibility", reason="Test")
    return pk


__all__ = ["VALID_SIRETS"]
