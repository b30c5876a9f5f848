"""Builders of money data for tests: schedules, chéquiers, accepted cheques, requests, RIBs."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from typing import Iterator

from flask import current_app
from flask_babel import refresh
from sqlalchemy import select

from console.errors import DomainError
from console.extensions import db
from console.money import api as money_api
from console.money.dates import EntryDate
from console.money.models import Chequier, ChequierStatus, FeeSchedule, Prescripteur
from console.partners.models import BankAccount, PartnerStatus
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import make_partner

IBAN = "FR7630006000011234567890189"
OTHER_IBAN = "FR1420041010050500013M02606"


@contextmanager
def operator() -> Iterator[None]:
    """Run a block as the platform operator, committing at the end."""
    with scoped(EVERYTHING):
        yield
        db.session.commit()


def schedule(collectivite_id: int, effective_from: date, rate: str = "0", fixed: str = "0") -> int:
    with operator():
        row = FeeSchedule(collectivite_id=collectivite_id, effective_from=effective_from, rate=Decimal(rate),
                          fixed=Decimal(fixed))
        db.session.add(money_api.prepare_fee_schedule(row))
        db.session.flush()
        return row.id


def chequier(collectivite_id: int, number: str, validity_date: date, issued_on: date = date(2020, 1, 2),
             distributed: bool = True) -> list[str]:
    """A chéquier of 10 cheques, distributed the day it was issued unless told; returns their numbers."""
    with operator():
        row = money_api.fill_chequier(Chequier(collectivite_id=collectivite_id, number=number,
                                               issued_to=prescripteur(collectivite_id), issued_on=issued_on,
                                               validity_date=validity_date))
        if distributed:
            row.status, row.distributed_on = ChequierStatus.distributed, issued_on
            money_api.check_chequier(row, issued_on)
        db.session.add(row)
        db.session.flush()
        return [c.number for c in row.cheques]


def prescripteur(collectivite_id: int, name: str = "CCAS") -> Prescripteur:
    """The collectivité's authorised prescripteur of that name (created the first time)."""
    found = db.session.scalar(select(Prescripteur).where(Prescripteur.collectivite_id == collectivite_id,
                                                          Prescripteur.name == name))
    if found is None:
        found = Prescripteur(collectivite_id=collectivite_id, name=name)
        db.session.add(found)
        db.session.flush()
    return found


def dated(on: date) -> EntryDate:
    """An entry as the server would have recorded it on day ``on`` (history the tests build)."""
    return EntryDate(on, datetime.combine(on, time(10)))


def accept(numbers: list[str], partner_id: int, on: date) -> None:
    with operator():
        for number in numbers:
            money_api.accept_cheque(db.session, number, partner_id, dated(on))


def rib(partner_id: int, iban: str = IBAN) -> None:
    """Give a partner a RIB in force (replacing the previous one)."""
    from console.tenants.models import utcnow

    with operator():
        current = money_api.partners_api.current_bank_account(db.session, partner_id)
        if current is not None:
            current.replaced_at = utcnow()
            db.session.flush()
        partner = money_api.get(db.session, money_api.Partner, partner_id)
        db.session.add(BankAccount(partner=partner, collectivite_id=partner.collectivite_id, holder="Asso Test",
                                   iban=iban, bic="BDFEFRPPCCT"))


def approved_partner(collectivite, number: int = 0, status: PartnerStatus = PartnerStatus.approved) -> int:
    approved_at = datetime(2020, 1, 1) if status is PartnerStatus.approved else None
    partner_id = make_partner(collectivite, name=f"Structure {number}", number=number, status=status,
                              approved_at=approved_at)
    if status is PartnerStatus.approved:
        rib(partner_id)
    return partner_id


def submit(partner_id: int, numbers: list[str], on: date):
    with operator():
        return money_api.submit_request(db.session, partner_id, numbers, dated(on))


def messages(error: DomainError) -> dict[str, str]:
    """The error as a French and an English user read it."""
    texts = {}
    for language in ("fr", "en"):
        with current_app.test_request_context(f"/?_l_={language}"):
            refresh()  # the app context (and Flask-Babel's cached locale) outlives this request
            texts[language] = str(error)
        refresh()
    return texts
