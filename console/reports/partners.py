"""The partners export: identity, status, affiliation date, identifier, masked IBAN; e-mails as the look-up shows them."""
from __future__ import annotations

from typing import Any, Sequence

from flask_babel import gettext
from sqlalchemy import Select, and_, select

from console.i18n import format_label
from console.partners import lookup
from console.partners.models import BankAccount, Partner, PartnerStatus
from console.partners.validators import mask_iban
from console.reports.labels import translated
from console.reports.models import ExportKind
from console.reports.report import Report
from console.reports.xlsx import Column
from console.tenants.models import Collectivite
from console.tenants.scoping import tenant_clause


def columns() -> list[Column]:
    return [
        Column(gettext("Identifier"), "text", 20),
        Column(gettext("Name"), "text", 40),
        Column(gettext("Status"), "text", 22),
        Column(gettext("Affiliation date"), "date", 14),
        Column(gettext("Submitted on"), "date", 14),
        Column(gettext("SIRET"), "text", 16),
        Column(gettext("E-mail"), "text", 30),
        Column(gettext("Postcode"), "text", 10),
        Column(gettext("City"), "text", 22),
        Column(gettext("IBAN (masked)"), "text", 34),
        Column(gettext("Collectivité"), "text", 30),
    ]


def statement(report: Report) -> Select:
    """Every partner of the scope with its current RIB; explicit tenant clause (Core SQL is not hooked)."""
    return (
        select(Partner.identifier, Partner.name, Partner.status, Partner.approved_at, Partner.submitted_at,
               Partner.siret, Partner.email, Partner.postcode, Partner.city, BankAccount.iban, Collectivite.name)
        .join(Collectivite, Collectivite.id == Partner.collectivite_id)
        # The current RIB only (at most one per partner: unique partial index).
        .outerjoin(BankAccount, and_(BankAccount.partner_id == Partner.id, BankAccount.replaced_at.is_(None)))
        .where(tenant_clause(Partner, report.scope))
        .order_by(Partner.collectivite_id, Partner.identifier)
    )


def build(report: Report) -> None:
    """One sheet, one row per partner."""
    statuses = translated(PartnerStatus)

    def convert(row: Sequence[Any]) -> tuple:
        identifier, name, status, approved, submitted, siret, email, postcode, city, iban, collectivite = row
        return (identifier, name, statuses[status], approved.date() if approved else None,
                submitted.date() if submitted else None, siret, lookup.shown_email(email, report.roles), postcode, city,
                mask_iban(iban) if iban else None, collectivite)

    report.query_table(format_label(ExportKind.partners), columns(), statement(report), convert)
