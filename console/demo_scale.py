"""Data sets at scale (`console demo --scale national|regional|small`): collectivités of uneven sizes.

Sizes follow a Zipf-like law (a few large collectivités, many small ones),
partners receive cheques along the same law, most distributed cheques are
registered, a partner groups its registered cheques into requests, requests
older than a few weeks are mostly paid, one in ten paid requests gets a
complaint. Every row is consistent with the FAQ rules (validity, M+1 deadline,
fees of the schedule in force, 15-day payment delay, two-month complaint
window); rows are written with ``console.bulk`` (COPY on PostgreSQL).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.engine import Connection

from console.bulk import BulkWriter, next_id
from console.complaints.models import Complaint
from console.complaints.rules import complaint_deadline
from console.config import ROLE_CORRESPONDENT, ROLE_ELECTED, ROLE_OPERATOR, ROLE_SUPPORT
from console.demo import KINDS_OF_PLACE, NAMES, STREETS, demo_siret, luhn_number
from console.extensions import db
from console.money import rules
from console.money.models import Cheque, Chequier, FeeSchedule, Prescripteur, ReimbursementLine, ReimbursementRequest
from console.partners.models import BankAccount, Partner, search_key
from console.tenants.models import Collectivite

SEED = 20261201
RATE, FEE = Decimal("2.50"), Decimal("0.25")  # 2,5 % of a 10,00 EUR cheque, rounded to the cent
IBANS = ["FR7630006000011234567890189", "FR1420041010050500013M02606", "FR7630001007941234567890185"]
PLACES = [
    "Ain", "Aisne", "Allier", "Ardèche", "Ardennes", "Ariège", "Aube", "Aude", "Aveyron", "Calvados", "Cantal",
    "Charente", "Cher", "Corrèze", "Côte-d’Or", "Creuse", "Dordogne", "Doubs", "Drôme", "Eure", "Finistère",
    "Gard", "Gers", "Hérault", "Indre", "Isère", "Jura", "Landes", "Loire", "Loiret", "Lot", "Lozère", "Manche",
    "Marne", "Mayenne", "Meuse", "Morbihan", "Moselle", "Nièvre", "Nord", "Oise", "Orne", "Pas-de-Calais",
    "Puy-de-Dôme", "Rhône", "Sarthe", "Savoie", "Somme", "Tarn", "Var", "Vaucluse", "Vendée", "Vienne", "Vosges",
    "Yonne", "Essonne", "Val-d’Oise", "Amiens", "Angers", "Besançon", "Brest", "Caen", "Dijon", "Grenoble",
    "Le Havre", "Le Mans", "Limoges", "Metz", "Montpellier", "Mulhouse", "Nancy", "Nantes", "Nice", "Nîmes",
    "Orléans", "Perpignan", "Poitiers", "Reims", "Rouen", "Saint-Étienne", "Strasbourg", "Toulon", "Toulouse",
    "Tours", "Villeurbanne", "Avignon", "Béziers", "Bourges", "Calais", "Chambéry", "Colmar", "Lorient", "Niort",
    "Pau", "Quimper", "Roubaix", "Tourcoing", "Troyes", "Valence", "Vannes",
]
KINDS = ["departement", "commune", "commune", "epci", "commune", "region"]


@dataclass(frozen=True)
class Scale:
    """How many rows of each kind, over every collectivité of the data set."""

    collectivites: int
    partners: int
    cheques: int
    requests: int
    complaints: int


SCALES = {
    "national": Scale(100, 20_000, 2_000_000, 200_000, 20_000),
    "regional": Scale(20, 2_000, 200_000, 20_000, 2_000),
    "small": Scale(5, 250, 20_000, 2_000, 200),
    "tiny": Scale(3, 30, 600, 60, 12),  # seconds: for tests, and to try the command
}


def zipf_shares(total: int, parts: int, skew: float = 0.8) -> list[int]:
    """``total`` split into ``parts`` integer shares, the k-th proportional to 1/k**skew, summing to total."""
    weights = [1 / (k + 1) ** skew for k in range(parts)]
    exact = [total * w / sum(weights) for w in weights]
    shares = [int(x) for x in exact]
    for k in sorted(range(parts), key=lambda k: shares[k] - exact[k])[: total - sum(shares)]:
        shares[k] += 1
    return shares


@dataclass
class Tenant:
    """One generated collectivité and the sizes it gets."""

    id: int
    code: str
    slug: str
    partners: int
    cheques: int
    requests: int
    complaints: int


class Generator:
    """Writes a data set of the given scale after whatever the database already holds."""

    def __init__(self, connection: Connection, scale: Scale, seed: int = SEED, today: date | None = None) -> None:
        self.connection = connection
        self.scale = scale
        self.rng = random.Random(seed)
        self.today = today or date.today()
        tables = [Collectivite.__table__, Partner.__table__, BankAccount.__table__, FeeSchedule.__table__,
                  Prescripteur.__table__, Chequier.__table__, Cheque.__table__, ReimbursementRequest.__table__,
                  ReimbursementLine.__table__, Complaint.__table__]
        self.ids = {table.name: next_id(connection, table) for table in tables}
        self.writer = BulkWriter(connection, tables)

    def _id(self, table: Any) -> int:
        value = self.ids[table.name]
        self.ids[table.name] += 1
        return value

    def run(self) -> list[Tenant]:
        shares = [zipf_shares(total, self.scale.collectivites) for total in (
            self.scale.partners, self.scale.cheques, self.scale.requests, self.scale.complaints)]
        first = self.ids["collectivite"]
        tenants = [self._collectivite(first + k, *(share[k] for share in shares))
                   for k in range(self.scale.collectivites)]
        for tenant in tenants:
            self.fill(tenant)
        self.writer.close()
        return tenants

    def _collectivite(self, number: int, partners: int, cheques: int, requests: int, complaints: int) -> Tenant:
        place = PLACES[number % len(PLACES)] + ("" if number < len(PLACES) else f" {number // len(PLACES) + 1}")
        kind = KINDS[number % len(KINDS)]
        slug = "n{:03d}-{}".format(number, search_key(place).replace(" ", "-").replace("’", ""))[:40]
        tenant = Tenant(number, f"N{number:03d}", slug, max(partners, 1), cheques, requests, complaints)
        self.writer.add(Collectivite.__table__, {
            "id": number, "name": f"{kind.title()} {place} ({tenant.code})", "kind": kind,
            "siren": luhn_number(self.rng, "2", 9), "slug": slug, "code": tenant.code,
            "contact_email": f"pass-numerique@{slug}.example.fr", "active": True, "partner_seq": tenant.partners,
            "created_at": datetime.combine(self.today - timedelta(days=1000), time(9))})
        return tenant

    def fill(self, tenant: Tenant) -> None:
        schedule = self._id(FeeSchedule.__table__)
        self.writer.add(FeeSchedule.__table__, {
            "id": schedule, "collectivite_id": tenant.id, "version": 1, "rate": RATE, "fixed": Decimal("0.00"),
            "effective_from": self.today - timedelta(days=1000), "note": "Délibération n° 1",
            "created_at": datetime.combine(self.today - timedelta(days=1000), time(9)), "created_by_id": None})
        prescripteur = self._id(Prescripteur.__table__)
        self.writer.add(Prescripteur.__table__, {
            "id": prescripteur, "collectivite_id": tenant.id, "name": "CCAS", "active": True,
            "created_at": datetime.combine(self.today - timedelta(days=1000), time(9))})
        approved = self._partners(tenant)
        accepted = self._cheques(tenant, approved, prescripteur)
        paid = self._requests(tenant, schedule, accepted)
        self._complaints(tenant, paid)
        self.writer.flush_if_full()

    def _partners(self, tenant: Tenant) -> list[tuple[int, str]]:
        """The collectivité's partners; returns the approved ones (id, frozen RIB holder)."""
        approved, rng = [], self.rng
        for number in range(1, tenant.partners + 1):
            pid = self._id(Partner.__table__)
            status = rng.choices(["approved", "submitted", "checked", "rejected", "suspended"],
                                 [70, 8, 7, 10, 5])[0]
            name = f"{rng.choice(KINDS_OF_PLACE)} {rng.choice(NAMES)} {number}"
            city = PLACES[tenant.id % len(PLACES)]
            submitted = datetime.combine(self.today - timedelta(days=rng.randint(30, 900)), time(10))
            self.writer.add(Partner.__table__, {
                "id": pid, "collectivite_id": tenant.id, "identifier": f"PN-{tenant.code}-{number:06d}",
                "name": name, "name_key": search_key(name), "siret": demo_siret(rng),
                "email": f"contact{number}@{tenant.slug}.example.fr", "phone": None,
                "address": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
                "postcode": f"{tenant.id % 95 + 1:02d}{rng.randint(0, 999):03d}", "city": city,
                "city_key": search_key(city), "status": status, "submitted_at": submitted,
                "approved_at": submitted + timedelta(days=12) if status in ("approved", "suspended") else None,
                "check_passed": None if status == "submitted" else status != "rejected", "cgu_version_id": None})
            if status in ("approved", "suspended"):
                self.writer.add(BankAccount.__table__, {
                    "id": self._id(BankAccount.__table__), "collectivite_id": tenant.id, "partner_id": pid,
                    "holder": name, "iban": IBANS[pid % len(IBANS)], "bic": "BDFEFRPPCCT",
                    "document_id": None, "created_at": submitted, "replaced_at": None, "change_request_id": None})
            if status == "approved":
                approved.append((pid, name))
        return approved

    def _cheques(self, tenant: Tenant, approved: list[tuple[int, str]], prescripteur: int
                 ) -> dict[int, list[dict]]:
        """Chéquiers and cheques; returns the registered cheques' rows by partner (their status set later)."""
        rng, by_partner = self.rng, {}
        cumulative = list(accumulate(1 / (k + 1) for k in range(len(approved))))
        for number in range(1, (tenant.cheques + 9) // 10 + 1):
            chequier = self._id(Chequier.__table__)
            issued = self.today - timedelta(days=rng.randint(20, 720))
            status = rng.choices(["distributed", "not_distributed", "issued"], [88, 4, 8])[0]
            distributed = issued + timedelta(days=rng.randint(1, 20)) if status == "distributed" else None
            validity, label = issued + timedelta(days=365), f"{tenant.code}-{number:06d}"
            self.writer.add(Chequier.__table__, {
                "id": chequier, "collectivite_id": tenant.id, "number": label, "prescripteur": "CCAS",
                "prescripteur_id": prescripteur,
                "issued_on": issued, "validity_date": validity, "distributed_on": distributed, "status": status})
            partner = rng.choices(approved, cum_weights=cumulative)[0][0] if approved else None
            used = rng.choice([0, 3, 6, 8, 10, 10]) if distributed and partner else 0
            for position in range(1, min(10, tenant.cheques - (number - 1) * 10) + 1):
                accepted_on = None
                if position <= used:
                    accepted_on = min(distributed + timedelta(days=rng.randint(0, 330)), validity)
                    accepted_on = accepted_on if accepted_on <= self.today else None
                row = {"id": self._id(Cheque.__table__), "collectivite_id": tenant.id,
                       "number": f"{label}-{position:02d}", "face_value": rules.CHEQUE_VALUE,
                       "validity_date": validity, "chequier_id": chequier, "prescripteur": "CCAS",
                       "partner_id": partner if accepted_on else None, "accepted_on": accepted_on,
                       "distributed_on": distributed,
                       "accepted_at": datetime.combine(accepted_on, time(10)) if accepted_on else None,
                       "status": "accepted" if accepted_on else "issued"}
                if accepted_on:
                    by_partner.setdefault(partner, []).append(row)
                else:
                    self.writer.add(Cheque.__table__, row)
            self.writer.flush_if_full()
        return by_partner

    def _requests(self, tenant: Tenant, schedule: int, accepted: dict[int, list[dict]]) -> list[tuple[int, date]]:
        """Each partner's registered cheques, oldest first, grouped into requests; returns (id, paid on)."""
        rng, paid = self.rng, []
        total = sum(len(rows) for rows in accepted.values())
        average = max(total / max(tenant.requests, 1), 1.0)
        for partner, rows in accepted.items():
            rows.sort(key=lambda row: row["accepted_on"])
            while rows:
                size = max(1, min(len(rows), round(rng.uniform(0.3, 1.7) * average)))
                group, rows[:] = rows[:size], rows[size:]
                submitted = min(self.today, group[-1]["accepted_on"] + timedelta(days=rng.randint(1, 20)))
                if (self.today - submitted).days < 2:
                    for row in group:
                        self.writer.add(Cheque.__table__, row)
                    continue
                request = self._request(tenant, schedule, partner, group, submitted)
                self.writer.flush_if_full()
                if request["paid_on"]:
                    paid.append((request["id"], request["paid_on"]))
        return paid

    def _request(self, tenant: Tenant, schedule: int, partner: int, group: list[dict], submitted: date) -> dict:
        rng, age = self.rng, (self.today - submitted).days
        if age > 45:
            status = rng.choices(["paid", "rejected", "validated"], [95, 3, 2])[0]
        elif age > 15:
            status = rng.choices(["validated", "paid", "rejected"], [50, 45, 5])[0]
        else:
            status = rng.choices(["submitted", "validated"], [70, 30])[0]
        decided = None if status == "submitted" else min(self.today, submitted + timedelta(days=rng.randint(1, 10)))
        validated = status in ("validated", "paid")
        paid_on = min(self.today, decided + timedelta(days=rng.randint(2, 20))) if status == "paid" else None
        count, rid = len(group), self._id(ReimbursementRequest.__table__)
        request = {
            "id": rid, "collectivite_id": tenant.id, "partner_id": partner, "status": status,
            "submitted_on": submitted, "submitted_at": datetime.combine(submitted, time(9)), "submitted_by_id": None,
            "fee_schedule_id": schedule, "cheque_count": count, "gross": rules.CHEQUE_VALUE * count,
            "fees": FEE * count, "net": (rules.CHEQUE_VALUE - FEE) * count, "decided_on": decided,
            "decided_by_id": None, "rejection_reason": "Chèques non conformes" if status == "rejected" else None,
            "due_on": rules.payment_due_date(decided) if validated else None, "bank_account_id": None,
            "rib_holder": "Structure" if validated else None, "rib_iban": IBANS[partner % 3] if validated else None,
            "rib_bic": "BDFEFRPPCCT" if validated else None, "batch_id": None, "paid_on": paid_on,
            "transfer_reference": f"VIR-{rid}" if paid_on else None, "paid_by_id": None}
        self.writer.add(ReimbursementRequest.__table__, request)
        cheque_status = {"paid": "reimbursed", "rejected": "rejected"}.get(status, "requested")
        for row in group:
            self.writer.add(Cheque.__table__, {**row, "status": cheque_status})
            self.writer.add(ReimbursementLine.__table__, {
                "id": self._id(ReimbursementLine.__table__), "collectivite_id": tenant.id, "request_id": rid,
                "cheque_id": row["id"], "fee_schedule_id": schedule, "face_value": rules.CHEQUE_VALUE,
                "fees": FEE, "net": rules.CHEQUE_VALUE - FEE})
        return request

    def _complaints(self, tenant: Tenant, paid: list[tuple[int, date]]) -> None:
        rng = self.rng
        for request, paid_on in rng.sample(paid, min(tenant.complaints, len(paid))):
            received = min(self.today, paid_on + timedelta(days=rng.choice([3, 10, 25, 40, 55, 70, 90])))
            deadline = complaint_deadline(paid_on)
            in_time = received <= deadline
            status = (rng.choices(["received", "under_review", "accepted", "rejected"], [30, 20, 25, 25])[0]
                      if in_time else rng.choice(["received", "rejected"]))
            decided = status in ("accepted", "rejected")
            self.writer.add(Complaint.__table__, {
                "id": self._id(Complaint.__table__), "collectivite_id": tenant.id, "request_id": request,
                "received_on": received, "channel": rng.choice(["email", "letter", "phone", "counter", "extranet"]),
                "description": "Montant remboursé inférieur au montant attendu.", "status": status,
                "deadline": deadline, "in_time": in_time,
                "correction_amount": Decimal("9.75") if status == "accepted" else None,
                "decision_reason": "Vérifié avec le relevé" if decided else None,
                "decided_on": min(self.today, received + timedelta(days=5)) if decided else None,
                "recorded_at": datetime.combine(received, time(11)), "recorded_by_id": None})


def add_users(password: str, tenants: list[Tenant]) -> list[tuple[str, str]]:
    """The operator (if missing) and a correspondent, a support agent and an élu per generated collectivité.

    The password is hashed once: hashing it for every account would take longer than the data.
    """
    from werkzeug.security import generate_password_hash

    sm, hashed, accounts = current_app.appbuilder.sm, generate_password_hash(password), []
    if sm.find_user(username="operateur") is None:
        sm.add_user("operateur", "Olivia", "Opératrice", "operateur@demo.passnumerique.fr",
                    sm.find_role(ROLE_OPERATOR), hashed_password=hashed)
        accounts.append(("operateur", "Opérateur"))
    for tenant in tenants:
        for suffix, role in (("correspondant", ROLE_CORRESPONDENT), ("support", ROLE_SUPPORT),
                             ("elu", ROLE_ELECTED)):
            username = f"{tenant.slug}-{suffix}"
            user = sm.add_user(username, suffix.title(), tenant.code, f"{username}@demo.passnumerique.fr",
                               sm.find_role(role), hashed_password=hashed)
            user.collectivite_id = tenant.id
            accounts.append((username, f"{suffix}, {tenant.partners} partners, {tenant.cheques} cheques"))
    db.session.commit()
    return accounts


def load_scale(scale: Scale, password: str, seed: int = SEED) -> list[tuple[str, str]]:
    """Add a data set of ``scale`` (refused if one is already there); returns the accounts created."""
    with db.engine.begin() as connection:
        if connection.scalar(select(Collectivite.id).where(Collectivite.slug.like("n___-%"))) is not None:
            raise RuntimeError("A scale data set is already loaded in this database.")
        tenants = Generator(connection, scale, seed).run()
    from console.reports.aggregates import refresh_all

    refresh_all()  # the operator's dashboard counts the new collectivités at once
    return add_users(password, sorted(tenants, key=lambda t: -t.cheques))
