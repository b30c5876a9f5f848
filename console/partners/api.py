"""The partners domain's writes: validate, change, flush (the caller commits)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, event, select, update
from sqlalchemy.orm import Session

from console.errors import DomainError, ValidationFailed
from console.partners import validators
from console.partners.models import BankAccount, Partner, PartnerStatus
from console.tenants.models import Collectivite

REQUIRED = ("name", "siret", "email", "address", "postcode", "city")
RULES = {
    "siret": validators.validate_siret,
    "email": validators.validate_email,
    "postcode": validators.validate_postcode,
}


def clean_fields(data: dict[str, Any], required: tuple = REQUIRED, rules: dict = RULES) -> dict[str, Any]:
    """Normalise every field with its rule, collecting all the errors field by field."""
    cleaned, errors = dict(data), {}
    for field in dict.fromkeys((*required, *rules)):
        value = data.get(field)
        try:
            if field in required:
                value = validators.validate_required(value, field)
            if field in rules and value not in (None, ""):
                value = rules[field](value)
        except DomainError as error:
            error.field = error.field or field
            errors[field] = error
        else:
            cleaned[field] = value
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def next_identifier(connection: Connection, collectivite_id: int) -> str:
    """A new platform-unique identifier PN-<code>-000123 (atomic counter per collectivité)."""
    statement = (
        update(Collectivite)
        .where(Collectivite.id == collectivite_id)
        .values(partner_seq=Collectivite.partner_seq + 1)
        .returning(Collectivite.partner_seq, Collectivite.code)
    )
    number, code = connection.execute(statement).one()
    return f"PN-{code}-{number:06d}"


@event.listens_for(Partner, "before_insert")
def _assign_identifier(mapper: Any, connection: Connection, partner: Partner) -> None:
    # At this point the tenancy hook has stamped the collectivité, whatever the caller gave.
    if not partner.identifier:
        partner.identifier = next_identifier(connection, partner.collectivite_id)


def current_bank_account(session: Session, partner: Partner | int) -> BankAccount | None:
    """The partner's RIB in force now (None if it has none); its id is what a validated reimbursement freezes."""
    partner_id = partner if isinstance(partner, int) else partner.id
    return session.scalar(
        select(BankAccount).where(BankAccount.partner_id == partner_id, BankAccount.replaced_at.is_(None))
    )


def is_approved(partner: Partner) -> bool:
    """DESIGN: « a partner accepts cheques only while approved »."""
    return partner.status is PartnerStatus.approved
