"""SEPA credit transfer file (ISO 20022 ``pain.001.001.03``) of a payment batch, for the collectivité's bank or
public accountant: one transfer per request, to the RIB frozen at its validation, for its net amount.

Built with sepaxml (maintained, MIT), which also validates the file against the official XSD it ships before
returning it. No Flask.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sepaxml import SepaTransfer

from console.errors import N_, DomainError
from console.money import decisions
from console.money.models import PaymentBatch
from console.tenants.models import Collectivite

SCHEMA = "pain.001.001.03"
CENT = Decimal("0.01")


def check_debtor_account(collectivite: Collectivite) -> None:
    """A transfer file needs the account the collectivité pays from, which only the operator sets."""
    if not (collectivite.debtor_name and collectivite.debtor_iban and collectivite.debtor_bic):
        raise DomainError(N_("%(collectivite)s has no debtor account yet: the operator sets its holder, IBAN and"
                             " BIC on the collectivité before a SEPA transfer file can be made."),
                          rule="sepa_debtor", collectivite=collectivite.name)


def cents(amount: Decimal) -> int:
    """An amount in whole cents, exactly (sepaxml counts in cents; a fraction of a cent is a bug upstream)."""
    value = Decimal(amount) * 100
    if value != value.to_integral_value() or value <= 0:
        raise DomainError(N_("%(amount)s is not an amount a transfer can carry."), rule="sepa_amount", amount=amount)
    return int(value)


def execution_date(batch: PaymentBatch, today: date) -> date:
    """The batch's payment date, or today (the server's Paris day) if that date has passed: a bank refuses a
    transfer asked for in the past."""
    return max(batch.payment_date, today)


def transfer_file(batch: PaymentBatch, today: date) -> bytes:
    """The ``pain.001.001.03`` document of the batch: one payment information block, one transfer per request
    (end-to-end id = the request's reference), control sum and count of the batch."""
    collectivite = batch.collectivite
    check_debtor_account(collectivite)
    rows = decisions.transfer_rows(batch)
    if not rows:
        raise DomainError(N_("Payment batch %(batch)s holds no request."), rule="sepa_empty", batch=batch.reference)
    transfer = SepaTransfer({"name": collectivite.debtor_name, "IBAN": collectivite.debtor_iban,
                             "BIC": collectivite.debtor_bic, "batch": True, "currency": "EUR"}, schema=SCHEMA)
    on = execution_date(batch, today)
    for row in rows:
        transfer.add_payment({"name": row["holder"], "IBAN": row["iban"], "BIC": row["bic"],
                              "amount": cents(row["amount"]), "execution_date": on,
                              "description": row["label"], "endtoend_id": row["reference"]})
    return transfer.export(validate=True)
