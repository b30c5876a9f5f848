"""Demo money: chéquiers, ~5,000 cheques in every state, requests in every status, fee schedule versions,
fraud blocks and complaints in and out of time; plus ``bulk_cheques(n)`` for benchmark volumes.

The demo goes through the domain APIs (so it obeys every rule); the bulk generator writes
with Core ``executemany`` inserts in chunks, for millions of rows.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Iterator

from sqlalchemy import func, insert, select, text

from console.complaints import api as complaints_api
from console.demo import STEPS
from console.errors import DomainError
from console.extensions import db
from console.money import api as money_api
from console.money import rules
from console.money.models import (
    Cheque, ChequeStatus, Chequier, ChequierStatus, FeeSchedule, ReimbursementLine, ReimbursementRequest,
    RequestStatus,
)
from console.partners import api as partners_api
from console.partners.models import BankAccount, Partner, PartnerStatus
from console.tenants.models import Collectivite

CHEQUIERS_PER_COLLECTIVITE = 125  # x 4 collectivités x 10 cheques = 5,000 cheques
PRESCRIPTEURS = ["CCAS", "Mission locale", "Pôle emploi", "Maison France services", "Centre social", "Mairie annexe"]
DEMO_IBANS = ["FR7630006000011234567890189", "FR1420041010050500013M02606", "FR7630001007941234567890185"]
CHUNK = 10_000


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


def _cheques(rng: random.Random, collectivite: Collectivite, partners: list[Partner], today: date) -> None:
    """Chéquiers issued over the last 14 months; most distributed, most of their cheques accepted."""
    for number in range(1, CHEQUIERS_PER_COLLECTIVITE + 1):
        issued_on = today - timedelta(days=rng.randint(20, 420))
        chequier = money_api.fill_chequier(Chequier(
            collectivite=collectivite, number=f"{collectivite.code}{number:05d}",
            prescripteur=rng.choice(PRESCRIPTEURS), issued_on=issued_on,
            validity_date=issued_on + timedelta(days=rng.choice([180, 270, 365]))))
        roll = rng.random()
        if roll < 0.1:
            chequier.status = ChequierStatus.not_distributed
        elif roll < 0.85:
            chequier.status, chequier.distributed_on = ChequierStatus.distributed, issued_on + timedelta(
                days=rng.randint(1, 15))
        db.session.add(chequier)
        if chequier.distributed_on is None:
            continue
        last_day = min(chequier.validity_date, today)
        for cheque in chequier.cheques:
            if rng.random() < 0.8 and chequier.distributed_on <= last_day:
                span = (last_day - chequier.distributed_on).days
                cheque.partner = rng.choice(partners)
                cheque.accepted_on = chequier.distributed_on + timedelta(days=rng.randint(0, span))
                cheque.status = ChequeStatus.accepted
    db.session.flush()


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
                                                     submitted_on).request)
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
        money_api.validate_request(db.session, request.id, decided_on)
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
    money_api.block_partner(db.session, partners[-2].id, "Contrôle : justificatif contesté, enquête en cours")
    money_api.unblock_partner(db.session, partners[-2].id,
                              "Pièces justificatives reçues et vérifiées : aucune fraude constatée.")
    money_api.block_partner(db.session, partners[-1].id,
                            "Suspicion de fraude\u00a0: chèques présentés en série le même jour")


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


STEPS.append(money_step)


# -- benchmark volumes ---------------------------------------------------------------------------

def _next_id(connection: Any, table: Any) -> int:
    return (connection.scalar(select(func.max(table.c.id))) or 0) + 1


def _chunks(rows: Iterator[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def bulk_cheques(count: int, seed: int = 1) -> int:
    """Add ``count`` cheques (in chéquiers of 10) spread over every collectivité, most accepted, a tenth of
    them in paid requests; Core executemany in chunks, ids given here. Returns the cheques written."""
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
        tenants = sorted(c for c in partners if c in schedules)
        if not tenants:
            raise RuntimeError("Load the demo first: bulk cheques need approved partners and fee schedules.")
        tables = [Chequier.__table__, Cheque.__table__, ReimbursementRequest.__table__, ReimbursementLine.__table__]
        ids = {table.name: _next_id(connection, table) for table in tables}
        chequiers, rows = (count + 9) // 10, {"chequier": [], "cheque": [], "reimbursement_request": [],
                                                "reimbursement_line": []}

        def flush(final: bool = False) -> None:
            if not final and len(rows["cheque"]) < CHUNK:
                return
            # Parents first (chéquiers, cheques, requests, then lines): foreign keys are checked at once.
            for table in tables:
                if rows[table.name]:
                    connection.execute(insert(table), rows[table.name])
                    rows[table.name] = []

        written = 0
        for index in range(chequiers):
            collectivite_id = tenants[index % len(tenants)]
            issued_on = today - timedelta(days=rng.randint(20, 720))
            validity = issued_on + timedelta(days=365)
            chequier_id = ids["chequier"]
            ids["chequier"] += 1
            rows["chequier"].append({"id": chequier_id, "collectivite_id": collectivite_id,
                                     "number": f"BN{chequier_id:09d}", "prescripteur": "CCAS",
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
                rows["cheque"].append({
                    "id": cheque_id, "collectivite_id": collectivite_id, "number": f"BN{chequier_id:09d}-{position:02d}",
                    "face_value": rules.CHEQUE_VALUE, "validity_date": validity, "chequier_id": chequier_id,
                    "prescripteur": "CCAS", "partner_id": partner_id if accepted else None,
                    "accepted_on": accepted_on if accepted else None,
                    "status": (ChequeStatus.reimbursed if in_request else
                               ChequeStatus.accepted if accepted else ChequeStatus.issued).name})
                if in_request:
                    rows["reimbursement_line"].append({
                        "id": ids["reimbursement_line"], "collectivite_id": collectivite_id, "request_id": request_id,
                        "cheque_id": cheque_id, "fee_schedule_id": schedules[collectivite_id],
                        "face_value": rules.CHEQUE_VALUE, "fees": Decimal("0.00"), "net": rules.CHEQUE_VALUE})
                    ids["reimbursement_line"] += 1
            if in_request:
                submitted_on = min(today, accepted_on + timedelta(days=5))
                gross = rules.CHEQUE_VALUE * size
                rows["reimbursement_request"].append({
                    "id": request_id, "collectivite_id": collectivite_id, "partner_id": partner_id,
                    "status": RequestStatus.paid.name, "submitted_on": submitted_on,
                    "submitted_at": datetime.combine(submitted_on, time(9)), "fee_schedule_id": schedules[collectivite_id],
                    "cheque_count": size, "gross": gross, "fees": Decimal("0.00"), "net": gross,
                    "decided_on": submitted_on, "due_on": rules.payment_due_date(submitted_on),
                    "paid_on": submitted_on + timedelta(days=7), "transfer_reference": f"BENCH-{request_id}"})
            written += size
            flush()
        flush(final=True)
        if connection.dialect.name == "postgresql":
            for table in tables:
                connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                                        f" (SELECT max(id) FROM {table.name}))"))
    return written
