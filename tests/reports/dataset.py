"""A small, known money dataset in two collectivités, written row by row (no domain API in the way)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from console.complaints.models import Complaint, ComplaintChannel, ComplaintStatus
from console.complaints.rules import complaint_deadline, is_complaint_in_time
from console.extensions import db
from console.money.models import (
    Cheque, ChequeStatus, Chequier, ChequierStatus, FeeSchedule, Prescripteur, ReimbursementLine,
    ReimbursementRequest, RequestStatus,
)
from console.money.rules import CHEQUES_PER_CHEQUIER, cheque_fees, payment_due_date, price_cheques
from console.partners.models import BankAccount, Partner, PartnerStatus
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import Collectivite

IBAN = "FR7630006000011234567890189"
PERIOD = (date(2026, 1, 1), date(2026, 6, 30))


@dataclass
class Money:
    """What was written for one collectivité, for the tests to name."""

    partners: dict[str, int] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    chequiers: list[int] = field(default_factory=list)


class Builder:
    def __init__(self, collectivite: Collectivite, code: str) -> None:
        self.collectivite, self.code, self.money = collectivite, code, Money()
        self.schedule = FeeSchedule(collectivite=collectivite, version=1, effective_from=date(2025, 1, 1),
                                    rate=Decimal("2.50"), fixed=Decimal("0.10"))
        db.session.add(self.schedule)
        self.cheques: list[Cheque] = []
        self.prescripteur: Prescripteur | None = None

    def partner(self, key: str, name: str, approved: datetime | None, siret: str, iban: str | None = None) -> Partner:
        partner = Partner(collectivite=self.collectivite, name=name, siret=siret, email=f"{key}@structure.fr",
                          address="1 rue de la Paix", postcode="69001", city="Lyon",
                          status=PartnerStatus.approved if approved else PartnerStatus.submitted,
                          approved_at=approved)
        db.session.add(partner)
        db.session.flush()
        if iban:
            db.session.add(BankAccount(partner=partner, collectivite=self.collectivite, holder=name, iban=iban,
                                       bic="BDFEFRPPCCT"))
        self.money.partners[key] = partner.id
        return partner

    def chequier(self, number: int, issued_on: date, status: ChequierStatus) -> Chequier:
        if self.prescripteur is None:
            self.prescripteur = Prescripteur(collectivite=self.collectivite, name="CCAS")
        chequier = Chequier(collectivite=self.collectivite, number=f"{self.code}{number:05d}", prescripteur="CCAS",
                            issued_to=self.prescripteur, issued_on=issued_on, validity_date=date(2026, 12, 31), status=status,
                            distributed_on=issued_on if status is ChequierStatus.distributed else None)
        db.session.add(chequier)
        for index in range(CHEQUES_PER_CHEQUIER):
            cheque = Cheque(collectivite=self.collectivite, number=f"{chequier.number}-{index:02d}",
                            validity_date=chequier.validity_date, chequier=chequier, prescripteur="CCAS")
            db.session.add(cheque)
            self.cheques.append(cheque)
        db.session.flush()
        self.money.chequiers.append(chequier.id)
        return chequier

    def accept(self, count: int, partner: Partner, on: date) -> list[Cheque]:
        free = [c for c in self.cheques if c.accepted_on is None][:count]
        for cheque in free:
            cheque.partner, cheque.accepted_on, cheque.status = partner, on, ChequeStatus.accepted
        return free

    def request(self, key: str, partner: Partner, cheques: list[Cheque], submitted: date,
                validated: date | None = None, paid: date | None = None) -> ReimbursementRequest:
        pricing = price_cheques([c.face_value for c in cheques], self.schedule.rate, self.schedule.fixed)
        status = RequestStatus.paid if paid else RequestStatus.validated if validated else RequestStatus.submitted
        request = ReimbursementRequest(
            collectivite=self.collectivite, partner=partner, status=status, submitted_on=submitted,
            fee_schedule=self.schedule, cheque_count=len(cheques), gross=pricing.gross, fees=pricing.fees,
            net=pricing.net, decided_on=validated, due_on=payment_due_date(validated) if validated else None,
            paid_on=paid, transfer_reference=f"VIR-{key}" if paid else None)
        db.session.add(request)
        for cheque in cheques:
            fees = cheque_fees(cheque.face_value, self.schedule.rate, self.schedule.fixed)
            db.session.add(ReimbursementLine(collectivite=self.collectivite, request=request, cheque=cheque,
                                             fee_schedule=self.schedule, face_value=cheque.face_value,
                                             fees=fees, net=cheque.face_value - fees))
            cheque.status = ChequeStatus.reimbursed if paid else ChequeStatus.requested
        db.session.flush()
        self.money.requests[key] = request.id
        return request

    def complaint(self, request: ReimbursementRequest, received: date, status: ComplaintStatus,
                  description: str = "Montant erroné") -> Complaint:
        complaint = Complaint(collectivite=self.collectivite, request=request, received_on=received,
                              channel=ComplaintChannel.email, description=description, status=status,
                              deadline=complaint_deadline(request.paid_on),
                              in_time=is_complaint_in_time(request.paid_on, received))
        db.session.add(complaint)
        db.session.flush()
        return complaint


def load(world) -> dict[str, Money]:
    """Collectivité A: two partners, three chéquiers, three requests, two complaints; B: one of each."""
    with scoped(EVERYTHING):
        a = Builder(world.a.collectivite, "A")
        media = a.partner("media", "Médiathèque Alpha", datetime(2026, 1, 5, 10), "73282932000074", IBAN)
        fablab = a.partner("fablab", "=HYPERLINK(\"http://x\")", datetime(2026, 2, 3, 9), "35600000000048")
        a.partner("new", "@Association Nouvelle", None, "44306184100047")
        a.chequier(1, date(2026, 1, 2), ChequierStatus.distributed)
        a.chequier(2, date(2026, 1, 3), ChequierStatus.issued)
        a.chequier(3, date(2026, 2, 4), ChequierStatus.not_distributed)
        paid_on_time = a.request("r1", media, a.accept(5, media, date(2026, 1, 10)), date(2026, 1, 20),
                                 date(2026, 1, 22), date(2026, 2, 1))
        a.request("r2", fablab, a.accept(3, fablab, date(2026, 2, 5)), date(2026, 2, 10),
                  date(2026, 2, 11), date(2026, 3, 5))
        a.request("r3", media, a.accept(1, media, date(2026, 2, 20)), date(2026, 3, 1))
        a.complaint(paid_on_time, date(2026, 2, 15), ComplaintStatus.accepted)
        a.complaint(paid_on_time, date(2026, 4, 5), ComplaintStatus.received, "-1+1 virement manquant")

        b = Builder(world.b.collectivite, "B")
        tiers = b.partner("tiers", "Tiers-lieu Bêta", datetime(2026, 1, 6), "55208131766522", IBAN)
        b.chequier(1, date(2026, 1, 2), ChequierStatus.distributed)
        b.request("b1", tiers, b.accept(7, tiers, date(2026, 1, 12)), date(2026, 1, 13), date(2026, 1, 14),
                  date(2026, 1, 16))
        db.session.commit()
        return {"a": a.money, "b": b.money}
