"""Demo money: chéquiers, ~5,000 cheques in every state, requests in every status, fee schedule versions,
fraud blocks and complaints in and out of time; plus ``bulk_cheques(n)`` for benchmark volumes.

The demo goes through the domain APIs (so it obeys every rule); the bulk generator writes
with ``console.bulk`` (COPY on PostgreSQL, executemany elsewhere), for millions of rows.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from console.bulk import BulkWriter, next_id
from console.complaints import api as complaints_api
from console.errors import DomainError
from console.extensions import db
from console.money import api as money_api
from console.money import rules
from console.money.dates import EntryDate, paris_day
from console.money.models import (
    Cheque, ChequeRejection, ChequeStatus, Chequier, ChequierStatus, FeeSchedule, Prescripteur, ReimbursementLine,
    ReimbursementRequest, RequestStatus,
)
from console.partners import api as partners_api
from console.partners.models import BankAccount, Partner, PartnerStatus
from console.tenants.models import Collectivite

CHEQUIERS_PER_COLLECTIVITE = 125  # x 4 collectivités x 10 cheques = 5,000 cheques
PRESCRIPTEURS = ["CCAS", "Mission locale", "Pôle emploi", "Maison France services", "Centre social", "Mairie annexe"]
DEMO_IBANS = ["FR7630006000011234567890189", "FR1420041010050500013M02606", "FR7630001007941234567890185"]


def _schedules(collectivite: Collectivite, today: date) -> None:
    """Three versions: free at first, then a rate, then a rate plus a fixed fee."""
    for days, rate, fixed, note in ((900, "0", "0", "Lancement"), (300, "2.5", "0", "Délibération n° 1"),
                                    (45, "3", "0.10", "Délibération n° 2")):
        db.session.add(money_api.prepare_fee_schedule(FeeSchedule(
            collectivite=collectivite, effective_from=today - timedelta(days=days), rate=Decimal(rate),
            fixed=Decimal(fixed), note=note)))
        db.session.flush()  # one version per flush: each insert numbers itself after the previous one


def _ribs(partners: list[Partner]) -> None:
    """A RIB for every approved partner that has none yet (the partners' demo may have given one)."""
    for index, partner in enumerate(partners):
        if partners_api.current_bank_account(db.session, partner) is None:
            db.session.add(BankAccount(partner=partner, collectivite=partner.collectivite, holder=partner.name[:200],
                                       iban=DEMO_IBANS[index % len(DEMO_IBANS)], bic="BDFEFRPPCCT"))
    db.session.flush()


def _prescripteurs(collectivite: Collectivite) -> list[Prescripteur]:
    """The collectivité's authorised prescripteurs (the last one no longer authorised)."""
    rows = [Prescripteur(collectivite=collectivite, name=name) for name in PRESCRIPTEURS]
    rows[-1].active = False
    db.session.add_all(rows)
    db.session.flush()
    return rows[:-1]


def _cheques(rng: random.Random, collectivite: Collectivite, partners: list[Partner], today: date) -> None:
    """Chéquiers issued over the last 14 months to authorised prescripteurs; most distributed (a few cheque by
    cheque), most of their cheques accepted."""
    prescripteurs = _prescripteurs(collectivite)
    for number in range(1, CHEQUIERS_PER_COLLECTIVITE + 1):
        issued_on = today - timedelta(days=rng.randint(20, 420))
        chequier = money_api.fill_chequier(Chequier(
            collectivite=collectivite, number=f"{collectivite.code}{number:05d}",
            issued_to=rng.choice(prescripteurs), issued_on=issued_on,
            validity_date=issued_on + timedelta(days=rng.choice([180, 270, 365]))))
        roll = rng.random()
        if roll < 0.05:  # handed out cheque by cheque: the first four so far
            for cheque in chequier.cheques[:4]:
                cheque.distributed_on = min(today, issued_on + timedelta(days=rng.randint(1, 30)))
        elif roll < 0.1:
            chequier.status = ChequierStatus.not_distributed
        elif roll < 0.85:
            chequier.status, chequier.distributed_on = ChequierStatus.distributed, min(today, issued_on + timedelta(
                days=rng.randint(1, 15)))
            money_api.check_chequier(chequier, today)
        db.session.add(chequier)
        last_day = min(chequier.validity_date, today)
        for cheque in chequier.cheques:
            if cheque.distributed_on is None:
                continue
            partner = rng.choice(partners)
            # The rules of acceptance: distributed, still valid, partner approved on that day.
            first_day = max(cheque.distributed_on, _approved_on(partner))
            if rng.random() < 0.8 and first_day <= last_day:
                cheque.partner = partner
                cheque.accepted_on = first_day + timedelta(days=rng.randint(0, (last_day - first_day).days))
                cheque.accepted_at = _recorded(cheque.accepted_on)
                cheque.status = ChequeStatus.accepted
    db.session.flush()


def _approved_on(partner: Partner) -> date:
    return paris_day(partner.approved_at) if partner.approved_at else date.min


def _recorded(day: date) -> datetime:
    """When the server recorded an entry of that day (a demo's history is dated as it would have been)."""
    return datetime.combine(day, time(9, 30))


def _requests(rng: random.Random, partners: list[Partner], today: date) -> list[ReimbursementRequest]:
    """Each partner's accepted cheques grouped into requests; some left unrequested or too late."""
    made = []
    for partner in partners:
        cheques = db.session.scalars(select(Cheque).where(Cheque.partner_id == partner.id)
                                     .order_by(Cheque.accepted_on)).all()
        while cheques:
            size = rng.randint(4, 14)
            group, cheques = cheques[:size], cheques[size:]
            submitted_on = min(today, max(c.accepted_on for c in group) + timedelta(days=rng.randint(1, 40)))
            if rng.random() < 0.12:
                continue  # kept by the partner, never asked for (some will pass their M+1 deadline)
            try:
                made.append(money_api.submit_request(db.session, partner.id, [c.number for c in group],
                                                     EntryDate(submitted_on, _recorded(submitted_on))).request)
            except DomainError:
                continue  # every cheque of the group was past its deadline: refused, as in real life
    return made


def _decide(rng: random.Random, requests: list[ReimbursementRequest], today: date) -> None:
    """Validate, reject and pay as a correspondent would have, leaving some overdue and some recent ones."""
    for request in requests:
        if (today - request.submitted_on).days < 10:
            continue  # still submitted
        decided_on = request.submitted_on + timedelta(days=rng.randint(1, 8))
        if rng.random() < 0.05:
            money_api.reject_request(db.session, request.id, "Chèques sans cachet du partenaire", decided_on)
            continue
        refusals = {}
        if rng.random() < 0.1 and len(request.lines) > 1:  # one cheque refused, at the partner's charge
            reason = rng.choice([ChequeRejection.not_eligible, ChequeRejection.duplicate, ChequeRejection.other])
            refusals[request.lines[0].cheque.number] = (reason, "Chèque raturé" if reason is ChequeRejection.other
                                                        else None)
        money_api.validate_request(db.session, request.id, decided_on, None, refusals)
        if (today - decided_on).days <= 15 and rng.random() < 0.7:
            continue  # validated, not due yet
        if rng.random() < 0.08:
            continue  # validated and never paid: overdue
        paid_on = min(today, decided_on + timedelta(days=rng.choice([5, 8, 10, 12, 14, 15, 19, 24])))
        money_api.pay_request(db.session, request.id, paid_on, f"VIR-{request.id:07d}", today)


def _batch(requests: list[ReimbursementRequest], today: date) -> None:
    """The validated, unpaid, not overdue requests of each collectivité in this week's transfer list."""
    by_collectivite: dict[int, list[int]] = {}
    for request in requests:
        blocked = money_api.active_block(db.session, request.partner_id) is not None
        if request.status is RequestStatus.validated and not request.is_overdue(today) and not blocked:
            by_collectivite.setdefault(request.collectivite_id, []).append(request.id)
    for ids in by_collectivite.values():
        money_api.add_to_batch(db.session, ids[:5], today + timedelta(days=3))


def _blocks(partners: list[Partner]) -> None:
    """One partner blocked now (its requests are kept), another blocked then cleared."""
    if len(partners) < 2:
        return
    # The demo is loaded by the operator (``console demo``), before the accounts exist: no user is named.
    money_api.block_partner(db.session, partners[-2].id, "Contrôle\u00a0: justificatif contesté, enquête en cours",
                            None, by_operator=True)
    money_api.unblock_partner(db.session, partners[-2].id,
                              "Pièces justificatives reçues et vérifiées\u00a0: aucune fraude constatée.", None,
                              by_operator=True)
    money_api.block_partner(db.session, partners[-1].id,
                            "Suspicion de fraude\u00a0: chèques présentés en série le même jour", None, True)


def _complaints(rng: random.Random, requests: list[ReimbursementRequest], today: date) -> None:
    """Complaints on some paid requests, in and out of time, at every step of their workflow."""
    paid = [r for r in requests if r.status is RequestStatus.paid]
    old = [r for r in paid if (today - r.paid_on).days > 80]
    picked = [(r, rng.choice([3, 12, 30, 58])) for r in rng.sample(paid, min(len(paid), max(8, len(paid) // 30)))]
    picked += [(r, rng.choice([62, 75])) for r in rng.sample(old, min(len(old), max(3, len(old) // 80)))]
    for request, delay in picked:
        received_on = min(today, request.paid_on + timedelta(days=delay))
        complaint = complaints_api.record_complaint(
            db.session, request.id, received_on, rng.choice(["email", "letter", "phone", "extranet"]),
            "Le montant versé ne correspond pas aux chèques remis.")
        roll = rng.random()
        if roll < 0.3:
            continue
        complaints_api.start_review(db.session, complaint.id, note="Vérification des lignes")
        if roll < 0.5:
            continue
        decided_on = min(today, received_on + timedelta(days=5))
        if complaint.in_time and roll < 0.8:
            complaints_api.accept_complaint(db.session, complaint.id, Decimal("0.10") * rng.randint(1, 10),
                                            "Frais appliqués à tort", decided_on)
        else:
            complaints_api.reject_complaint(db.session, complaint.id, "Montant conforme au barème en vigueur",
                                            decided_on)


def money_step(rng: random.Random, collectivites: list[Collectivite]) -> None:
    """The demo's money: see the module docstring."""
    today = date.today()
    requests: list[ReimbursementRequest] = []
    for collectivite in collectivites:
        partners = db.session.scalars(select(Partner).where(Partner.collectivite_id == collectivite.id,
                                                            Partner.status == PartnerStatus.approved)
                                      .order_by(Partner.id)).all()
        if not partners:
            continue
        _schedules(collectivite, today)
        _ribs(partners)
        _cheques(rng, collectivite, partners, today)
        made = _requests(rng, partners, today)
        _decide(rng, made, today)
        requests += made
        _blocks(partners)
    _batch(requests, today)
    _complaints(rng, requests, today)
    db.session.flush()



# -- benchmark volumes ---------------------------------------------------------------------------

def bulk_cheques(count: int, seed: int = 1) -> int:
    """Add ``count`` cheques (in chéquiers of 10) spread over every collectivité, most accepted, a tenth of
    them in paid requests; written by ``console.bulk`` (COPY on PostgreSQL), ids given here. Returns the cheques
    written."""
    rng = random.Random(seed)
    today = date.today()
    engine = db.engine
    with engine.begin() as connection:
        partners: dict[int, list[int]] = {}
        for partner_id, collectivite_id in connection.execute(
                select(Partner.id, Partner.collectivite_id).where(Partner.status == PartnerStatus.approved)):
            partners.setdefault(collectivite_id, []).append(partner_id)
        schedules = dict(connection.execute(select(FeeSchedule.collectivite_id, func.min(FeeSchedule.id))
                                            .group_by(FeeSchedule.collectivite_id)).all())
        # Each collectivité's first authorised prescripteur (the demo's « CCAS »).
        prescripteurs = dict(connection.execute(select(Prescripteur.collectivite_id, func.min(Prescripteur.id))
                                                .group_by(Prescripteur.collectivite_id)).all())
        tenants = sorted(c for c in partners if c in schedules and c in prescripteurs)
        if not tenants:
            raise RuntimeError("Load the demo first: bulk cheques need approved partners and fee schedules.")
        tables = [Chequier.__table__, Cheque.__table__, ReimbursementRequest.__table__, ReimbursementLine.__table__]
        ids = {table.name: next_id(connection, table) for table in tables}
        chequiers = (count + 9) // 10
        writer = BulkWriter(connection, tables)  # parents first: chéquiers, cheques, requests, lines

        written = 0
        for index in range(chequiers):
            collectivite_id = tenants[index % len(tenants)]
            issued_on = today - timedelta(days=rng.randint(20, 720))
            validity = issued_on + timedelta(days=365)
            chequier_id = ids["chequier"]
            ids["chequier"] += 1
            writer.add(Chequier.__table__, {"id": chequier_id, "collectivite_id": collectivite_id,
                                     "number": f"BN{chequier_id:09d}", "prescripteur": "CCAS",
                                     "prescripteur_id": prescripteurs[collectivite_id],
                                     "issued_on": issued_on, "validity_date": validity,
                                     "distributed_on": issued_on + timedelta(days=3),
                                     "status": ChequierStatus.distributed.name})
            partner_id = rng.choice(partners[collectivite_id])
            in_request = rng.random() < 0.1
            request_id = None
            accepted_on = min(today, issued_on + timedelta(days=rng.randint(5, 300)))
            if in_request:
                request_id = ids["reimbursement_request"]
                ids["reimbursement_request"] += 1
            size = min(10, count - written)
            for position in range(1, size + 1):
                cheque_id = ids["cheque"]
                ids["cheque"] += 1
                accepted = in_request or rng.random() < 0.7
                writer.add(Cheque.__table__, {
                    "id": cheque_id, "collectivite_id": collectivite_id, "number": f"BN{chequier_id:09d}-{position:02d}",
                    "face_value": rules.CHEQUE_VALUE, "validity_date": validity, "chequier_id": chequier_id,
                    "prescripteur": "CCAS", "partner_id": partner_id if accepted else None,
                    "distributed_on": issued_on + timedelta(days=3),
                    "accepted_on": accepted_on if accepted else None,
                    "accepted_at": _recorded(accepted_on) if accepted else None,
                    "status": (ChequeStatus.reimbursed if in_request else
                               ChequeStatus.accepted if accepted else ChequeStatus.issued).name})
                if in_request:
                    writer.add(ReimbursementLine.__table__, {
                        "id": ids["reimbursement_line"], "collectivite_id": collectivite_id, "request_id": request_id,
                        "cheque_id": cheque_id, "fee_schedule_id": schedules[collectivite_id],
                        "face_value": rules.CHEQUE_VALUE, "fees": Decimal("0.00"), "net": rules.CHEQUE_VALUE})
                    ids["reimbursement_line"] += 1
            if in_request:
                submitted_on = min(today, accepted_on + timedelta(days=5))
                gross = rules.CHEQUE_VALUE * size
                writer.add(ReimbursementRequest.__table__, {
                    "id": request_id, "collectivite_id": collectivite_id, "partner_id": partner_id,
                    "status": RequestStatus.paid.name, "submitted_on": submitted_on,
                    "submitted_at": datetime.combine(submitted_on, time(9)), "fee_schedule_id": schedules[collectivite_id],
                    "cheque_count": size, "gross": gross, "fees": Decimal("0.00"), "net": gross,
                    "decided_on": submitted_on, "due_on": rules.payment_due_date(submitted_on),
                    "paid_on": submitted_on + timedelta(days=7), "transfer_reference": f"BENCH-{request_id}"})
            written += size
            writer.flush_if_full()
        writer.close()
    return written
