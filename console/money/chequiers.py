"""Chéquiers and their cheques: issue to an authorised prescripteur, distribution whole or cheque by cheque.

The form, the chéquier page and the file import (``money.chequier_import``) call these same functions.
Writes flush, never commit.
"""
from __future__ import annotations

from datetime import date
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.audit import api as audit
from console.errors import N_, Conflict, DomainError
from console.money import rules
from console.money.models import Cheque, Chequier, ChequierStatus, Prescripteur
from console.partners.validators import validate_required
from console.tenants.scoping import UNSCOPED, get_scoped as get

CHEQUIER_NUMBER_MAX = 16


def chequier_number(text: str | None) -> str:
    """A chéquier number as typed: required, blanks removed, upper case, at most 16 letters, digits or dashes."""
    number = validate_required(text, "number").upper().replace(" ", "")
    if len(number) > CHEQUIER_NUMBER_MAX or not number.replace("-", "").isalnum():
        raise DomainError(N_("A chéquier number has at most %(max)s letters, digits or dashes."),
                          rule="chequier_number", field="number", max=CHEQUIER_NUMBER_MAX)
    return number


def cheque_numbers(number: str) -> list[str]:
    """The numbers of a chéquier's 10 cheques: <chéquier>-01 to <chéquier>-10."""
    return [f"{number}-{index:02d}" for index in range(1, rules.CHEQUES_PER_CHEQUIER + 1)]


def check_issuable(prescripteur: Prescripteur | None) -> Prescripteur:
    """FAQ « délivrer auprès des prescripteurs autorisés »: one of the collectivité's active prescripteurs."""
    if prescripteur is None or not prescripteur.active:
        raise DomainError(N_("A chéquier is issued to one of the collectivité's authorised prescripteurs."),
                          rule="prescripteur", field="issued_to")
    return prescripteur


def taken_numbers(session: Session, numbers: Iterable[str]) -> set[str]:
    """Which of these chéquier numbers are already used: numbers are unique on the whole platform, so they are
    read across collectivités (only to refuse a number, never to show another collectivité's row)."""
    return set(session.scalars(select(Chequier.number).where(Chequier.number.in_(list(numbers))),
                               execution_options=UNSCOPED))


def check_number_free(number: str, taken: bool) -> None:
    """A chéquier number (hence its cheques' numbers) is used once on the platform."""
    if taken:
        raise Conflict(N_("Chéquier number %(number)s is already used."), rule="chequier_number", field="number",
                       number=number)


def pick_cheques(chequier: str, numbers: Iterable[str] | str) -> list[str]:
    """The cheques of chéquier ``chequier`` named (as typed), each once, in order; another's is refused."""
    own = set(cheque_numbers(chequier))
    chosen: list[str] = []
    for number in normalise_numbers(numbers):
        if number not in own:
            raise DomainError(N_("Cheque %(cheque_number)s is not in chéquier %(chequier)s."),
                              rule="chequier_distribution", field="cheques", cheque_number=number, chequier=chequier)
        if number not in chosen:
            chosen.append(number)
    return chosen


def fill_chequier(chequier: Chequier) -> Chequier:
    """Give a new chéquier, issued to an authorised prescripteur, its 10 cheques of 10,00 EUR, numbered
    <chéquier>-01 to <chéquier>-10."""
    chequier.prescripteur = check_issuable(chequier.issued_to).name
    chequier.number = number = chequier_number(chequier.number)
    # An operator names the collectivité (by row or by id); a correspondent's is stamped by the tenancy hook.
    owner = {"collectivite": chequier.collectivite} if chequier.collectivite else {}
    for cheque_number in cheque_numbers(number):
        chequier.cheques.append(Cheque(
            number=cheque_number, face_value=rules.CHEQUE_VALUE, validity_date=chequier.validity_date,
            prescripteur=chequier.prescripteur, collectivite_id=chequier.collectivite_id, **owner,
        ))
    return chequier


def require_distribution_day(distributed_on: date | None) -> date:
    """A distribution says on which day the cheques were handed to the citizen."""
    if distributed_on is None:
        raise DomainError(N_("Give the date the chéquier was handed to the citizen."),
                          rule="chequier_distribution", field="distributed_on")
    return distributed_on


def check_chequier(chequier: Chequier, today: date) -> None:
    """A distributed chéquier says when it was handed to the citizen (not in the future); its cheques not
    distributed one by one are distributed with it."""
    if chequier.status is ChequierStatus.distributed:
        require_distribution_day(chequier.distributed_on)
    if chequier.distributed_on is not None:
        rules.check_distribution_day(chequier.issued_on, chequier.distributed_on, today)
    if chequier.status is ChequierStatus.distributed:
        for cheque in chequier.cheques:
            cheque.distributed_on = cheque.distributed_on or chequier.distributed_on


def distribute_cheques(session: Session, chequier_id: int, numbers: Iterable[str] | str, distributed_on: date,
                       today: date) -> list[Cheque]:
    """Hand some cheques of a chéquier to a citizen, cheque by cheque (the whole chéquier: ``check_chequier``)."""
    chequier = get(session, Chequier, chequier_id)
    rules.check_distribution_day(chequier.issued_on, distributed_on, today)
    cheques = {cheque.number: cheque for cheque in chequier.cheques}
    chosen = []
    for number in pick_cheques(chequier.number, numbers):
        cheque = cheques[number]
        if cheque.distributed_on is not None:
            raise Conflict(N_("Cheque %(cheque_number)s was already distributed on %(distributed_on)s."),
                           rule="chequier_distribution", cheque_number=number, distributed_on=cheque.distributed_on)
        chosen.append(cheque)
    for cheque in chosen:
        cheque.distributed_on = distributed_on
    if all(cheque.distributed_on for cheque in chequier.cheques):
        chequier.status = ChequierStatus.distributed
        chequier.distributed_on = min(cheque.distributed_on for cheque in chequier.cheques)
    session.flush()
    audit.record(session, "cheque.distribute", chequier, {"cheques": [c.number for c in chosen],
                                                         "distributed_on": distributed_on})
    return chosen


def add_prescripteur(session: Session, prescripteur: Prescripteur) -> Prescripteur:
    """Authorise a prescripteur (the « Prescripteurs autorisés » form), audited."""
    session.add(prescripteur)
    session.flush()
    audit.record(session, "prescripteur.create", prescripteur, {"name": prescripteur.name})
    return prescripteur


def edit_prescripteur(session: Session, prescripteur: Prescripteur) -> Prescripteur:
    """Rename or deactivate an authorised prescripteur, audited."""
    audit.record(session, "prescripteur.update", prescripteur, {"changes": audit.changed_fields(prescripteur)})
    return prescripteur


def issue_chequier(session: Session, chequier: Chequier) -> Chequier:
    """A new chéquier (the « Chéquiers » form): its cheques created, the issue audited."""
    fill_chequier(chequier)
    check_number_free(chequier.number, bool(taken_numbers(session, [chequier.number])))
    session.add(chequier)
    session.flush()
    audit.record(session, "chequier.create", chequier, {"number": chequier.number, "issued_on": chequier.issued_on,
                                                        "validity_date": chequier.validity_date,
                                                        "prescripteur": chequier.prescripteur})
    return chequier


def edit_chequier(session: Session, chequier: Chequier, today: date) -> Chequier:
    """Its distribution recorded (the only fields a form may change), audited."""
    check_chequier(chequier, today)
    audit.record(session, "chequier.update", chequier, {"changes": audit.changed_fields(chequier)})
    return chequier


def normalise_numbers(numbers: Iterable[str] | str | None) -> list[str]:
    """Cheque numbers as typed (one per line, or separated by commas or spaces), upper-cased, in order."""
    if isinstance(numbers, str):
        numbers = numbers.replace(",", " ").split()
    cleaned = [str(number).strip().upper() for number in numbers or () if str(number).strip()]
    if not cleaned:
        raise DomainError(N_("Give at least one cheque number."), rule="required", field="cheques")
    return cleaned


