"""Deterministic, realistic demo data (`console demo --password PW`).

Each domain has a step (``steps()``, in order); a step receives the seeded random
generator and the collectivités, and flushes its rows. Everything runs as an
operator (scope EVERYTHING) in one transaction.
"""
from __future__ import annotations

import random
from typing import Callable

from flask import current_app
from schwifty import IBAN
from sqlalchemy import func, select
from stdnum import luhn
from werkzeug.security import generate_password_hash

from console.config import ROLE_CORRESPONDENT, ROLE_ELECTED, ROLE_OPERATOR, ROLE_SUPPORT
from console.extensions import db
from console.partners.models import Partner, PartnerStatus
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import Collectivite, CollectiviteKind

SEED = 20261127

COLLECTIVITES = [
    # name, kind, SIREN, slug, code, cities (postcode, city)
    ("Ville de Lyon", CollectiviteKind.commune, "216901231", "lyon", "LYO",
     [("69001", "Lyon"), ("69003", "Lyon"), ("69007", "Lyon"), ("69008", "Lyon")]),
    ("Département de la Gironde", CollectiviteKind.departement, "223300013", "gironde", "GIR",
     [("33000", "Bordeaux"), ("33500", "Libourne"), ("33260", "La Teste-de-Buch"), ("33600", "Pessac")]),
    ("Région Bretagne", CollectiviteKind.region, "233500016", "bretagne", "BZH",
     [("35000", "Rennes"), ("29200", "Brest"), ("56100", "Lorient"), ("22000", "Saint-Brieuc")]),
    ("Métropole Européenne de Lille", CollectiviteKind.epci, "200093201", "mel", "MEL",
     [("59000", "Lille"), ("59100", "Roubaix"), ("59200", "Tourcoing"), ("59650", "Villeneuve-d’Ascq")]),
]

KINDS_OF_PLACE = ["Espace public numérique", "Médiathèque", "Centre social", "Association", "Maison France services",
                  "Tiers-lieu", "Fablab", "Maison de quartier"]
NAMES = ["Les Lilas", "Jean Jaurès", "du Parc", "Émile Zola", "des Tisserands", "La Fabrique", "Victor Hugo",
         "Les Coteaux", "Louise Michel", "du Vieux Port", "Saint-Éloi", "Les Écluses", "Simone Veil", "Pasteur"]
STREETS = ["rue de la République", "avenue Jean Jaurès", "place de la Mairie", "rue Victor Hugo",
           "boulevard Gambetta", "rue des Écoles", "allée des Tilleuls", "rue Pasteur"]
FIRST_NAMES = ["Camille", "Nicolas", "Julie", "Thomas", "Sophie", "Karim", "Léa", "Antoine", "Inès", "Mathieu"]
LAST_NAMES = ["Martin", "Bernard", "Dubois", "Lefebvre", "Moreau", "Girard", "Fontaine", "Rousseau", "Benali"]

Step = Callable[[random.Random, list[Collectivite]], None]


def luhn_number(rng: random.Random, prefix: str, length: int) -> str:
    """A random number of ``length`` digits starting with ``prefix`` whose Luhn key is valid."""
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return body + luhn.calc_check_digit(body)


def demo_siret(rng: random.Random) -> str:
    """A valid SIRET: a Luhn-valid SIREN followed by a NIC making all 14 digits Luhn-valid."""
    siren = luhn_number(rng, rng.choice("3478"), 9)
    return luhn_number(rng, siren + "0001"[: rng.randint(1, 3)], 14)


def demo_debtor_iban(index: int) -> str:
    """A valid French IBAN at the Banque de France (where public accountants hold the accounts of collectivités)."""
    return IBAN.generate("FR", bank_code="3000100794", account_code=f"C{index:03d}0000000"[:11]).compact


def _collectivites(rng: random.Random) -> list[Collectivite]:
    rows = []
    for index, (name, kind, siren, slug, code, _cities) in enumerate(COLLECTIVITES):
        # The last one has no debtor account yet: its SEPA transfer file shows why it cannot be made.
        debtor = {} if index == len(COLLECTIVITES) - 1 else {
            "debtor_name": f"DGFIP {name}"[:70], "debtor_iban": demo_debtor_iban(index), "debtor_bic": "BDFEFRPPCCT"}
        rows.append(Collectivite(name=name, kind=kind, siren=siren, slug=slug, code=code,
                                 contact_email=f"pass-numerique@{slug}.example.fr", **debtor))
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _partners(rng: random.Random, collectivites: list[Collectivite], count: int = 200) -> None:
    cities = {c.slug: spec[5] for c, spec in zip(collectivites, COLLECTIVITES)}
    statuses = [PartnerStatus.approved] * 6 + [PartnerStatus.submitted, PartnerStatus.checked,
                                                 PartnerStatus.rejected, PartnerStatus.suspended]
    for number in range(count):
        collectivite = collectivites[number % len(collectivites)]
        postcode, city = rng.choice(cities[collectivite.slug])
        name = f"{rng.choice(KINDS_OF_PLACE)} {rng.choice(NAMES)}"
        db.session.add(Partner(
            collectivite=collectivite,
            name=f"{name} {city}" if rng.random() < 0.5 else name,
            siret=demo_siret(rng),
            email=f"contact{number + 1}@{collectivite.slug}-mediation.example.fr",
            phone="0" + str(rng.randint(1, 5)) + "".join(rng.choice("0123456789") for _ in range(8)),
            address=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
            postcode=postcode,
            city=city,
            status=rng.choice(statuses),
        ))
    db.session.flush()


def _users(password: str, collectivites: list[Collectivite]) -> list[tuple[str, str]]:
    sm = current_app.appbuilder.sm
    accounts = []
    # Hashed once: scrypt for each of the accounts would take longer than the rest of the users.
    hashed = generate_password_hash(password, method=current_app.config["FAB_PASSWORD_HASH_METHOD"])

    def add(username: str, first: str, last: str, role: str, collectivite: Collectivite | None, what: str) -> None:
        user = sm.add_user(username, first, last, f"{username}@demo.passnumerique.fr", sm.find_role(role),
                           hashed_password=hashed)
        user.collectivite = collectivite
        accounts.append((username, what))

    add("operateur", "Olivia", "Opératrice", ROLE_OPERATOR, None, "Opérateur (toutes les collectivités)")
    for index, collectivite in enumerate(collectivites):
        for suffix, role, label in (("correspondant", ROLE_CORRESPONDENT, "Correspondant"),
                                    ("support", ROLE_SUPPORT, "Agent support"),
                                    ("elu", ROLE_ELECTED, "Élu")):
            add(f"{collectivite.slug}-{suffix}", FIRST_NAMES[(index * 3 + len(suffix)) % len(FIRST_NAMES)],
                LAST_NAMES[(index + len(suffix)) % len(LAST_NAMES)], role, collectivite,
                f"{label}, {collectivite.name}")
        # The colleague created by the partners step records RIB changes that this correspondent confirms
        # (four eyes): with the demo password, anyone can walk through both sides.
        colleague = sm.find_user(username=f"{collectivite.slug}-correspondant2")
        if colleague is not None:
            colleague.password = hashed
            accounts.append((colleague.username, f"Correspondant (saisie des changements de RIB), {collectivite.name}"))
    db.session.commit()
    return accounts


#: Steps of the other domains, run after collectivités, users and partners.
def steps() -> list[Step]:
    """The domains' steps, in this order: the money step gives a RIB only to partners the partners step left
    without one (an order left to imports would change with whatever was imported first)."""
    from console.money.demo import money_step
    from console.partners.demo import partners_step

    return [partners_step, money_step]


def load_demo(password: str, if_empty: bool = False) -> list[tuple[str, str]] | None:
    """Create the demo collectivités, users and data; returns the accounts created."""
    with scoped(EVERYTHING):
        if db.session.scalar(select(func.count(Collectivite.id))):
            if if_empty:
                return None
            raise RuntimeError("The database already holds collectivités; use an empty database.")
        rng = random.Random(SEED)
        collectivites = _collectivites(rng)
        _partners(rng, collectivites)
        for step in steps():
            step(rng, collectivites)
        db.session.commit()
        # FAB's add_user commits on its own: users come last, after the data is in.
        return _users(password, collectivites)
