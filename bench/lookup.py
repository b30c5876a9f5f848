"""Benchmark: the support look-up on 20,000 partners (10 collectivités of 2,000) on PostgreSQL.

    scripts/with-services .venv/bin/python bench/lookup.py [--database URL] [--runs 200] [--per-collectivite 2000]

Creates a throw-away database on the server of --database (default CONSOLE_DATABASE_URL, else
CONSOLE_TEST_POSTGRES_URL), runs the migrations, bulk-inserts the partners (the demo's kinds of place,
eponyms and streets, valid SIRETs, several cities per collectivité), then times
``partners.lookup.search`` -- the one function behind the look-up page and API -- for each kind of
query, as a collectivité's support agent and as an operator: p50/p95 of --runs calls, each committed
with its audit row as the page does. Then the same queries through ``GET /api/v1/lookup/`` with a JWT
(Flask test client: no network, but the whole request: token, user, permission, query, JSON). Finally
the EXPLAIN ANALYZE of the SQL the function sent (tenant criterion included).
"""
from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import event, insert, select, text, update

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.export_million import console_app, scratch_database  # noqa: E402

PASSWORD = "Banc-d-essai-1"
# Six more collectivités after the demo's four: name, kind, SIREN, slug, code, (postcode, city) pairs.
MORE_COLLECTIVITES = [
    ("Ville de Nantes", "commune", "214401093", "nantes", "NAN",
     [("44000", "Nantes"), ("44100", "Nantes"), ("44200", "Nantes"), ("44300", "Nantes")]),
    ("Département de l'Hérault", "departement", "223400019", "herault", "HER",
     [("34000", "Montpellier"), ("34500", "Béziers"), ("34200", "Sète"), ("34120", "Pézenas"), ("34300", "Agde")]),
    ("Région Grand Est", "region", "200052264", "grand-est", "GES",
     [("67000", "Strasbourg"), ("51100", "Reims"), ("57000", "Metz"), ("54000", "Nancy"), ("68100", "Mulhouse")]),
    ("Toulouse Métropole", "epci", "243100518", "toulouse", "TLS",
     [("31000", "Toulouse"), ("31700", "Blagnac"), ("31770", "Colomiers"), ("31400", "Toulouse")]),
    ("Ville de Marseille", "commune", "211300553", "marseille", "MRS",
     [("13001", "Marseille"), ("13005", "Marseille"), ("13013", "Marseille"), ("13015", "Marseille")]),
    ("Département de la Seine-Saint-Denis", "departement", "229300017", "seine-saint-denis", "SSD",
     [("93200", "Saint-Denis"), ("93100", "Montreuil"), ("93000", "Bobigny"), ("93300", "Aubervilliers"),
      ("93140", "Bondy")]),
]
# More eponyms than the demo's, so that a name is as rare as in real life (~1 partner in 50).
MORE_NAMES = ["Jules Ferry", "Jean Moulin", "Marie Curie", "Paul Éluard", "George Sand", "Colette", "Albert Camus",
              "Aimé Césaire", "Olympe de Gouges", "Gisèle Halimi", "Jacques Prévert", "Marcel Pagnol",
              "Joséphine Baker", "Pierre Mendès France", "Lucie Aubrac", "Germaine Tillion", "Frédéric Mistral",
              "Boris Vian", "Jean de La Fontaine", "Molière", "Voltaire", "Rosa Parks", "Nelson Mandela",
              "des Glycines", "du Moulin", "de la Gare", "des Peupliers", "du Château", "des Capucins",
              "de l'Europe", "du Marché", "des Forges", "de la Source", "Bellevue", "Montplaisir", "Les Acacias"]
LOCALS = ["contact", "accueil", "direction", "mediation", "numerique"]
STATUS_WEIGHTS = {"approved": 7, "submitted": 1, "checked": 1, "rejected": 1, "suspended": 0.3}


def slug(text: str) -> str:
    from console.partners.models import search_key

    return re.sub(r"[^a-z0-9]+", "-", search_key(text)).strip("-")


def partner_rows(rng: random.Random, count: int, collectivite_id: int, code: str,
                 cities: list[tuple[str, str]]) -> list[dict]:
    """``count`` partners of one collectivité as Core rows (identifier and search keys computed here)."""
    from console.demo import KINDS_OF_PLACE, NAMES, STREETS, demo_siret
    from console.partners.models import search_key

    eponyms = NAMES + MORE_NAMES
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    rows, sirets = [], set()
    for number in range(1, count + 1):
        siret = demo_siret(rng)
        while siret in sirets:  # one open request per SIRET and collectivité
            siret = demo_siret(rng)
        sirets.add(siret)
        postcode, city = rng.choice(cities)
        name = f"{rng.choice(KINDS_OF_PLACE)} {rng.choice(eponyms)}"
        if rng.random() < 0.3:
            name = f"{name} {city}"
        status = rng.choices(statuses, weights)[0]
        submitted = datetime(2025, 1, 6) + timedelta(minutes=rng.randint(0, 600 * 24 * 60))
        rows.append({
            "collectivite_id": collectivite_id, "identifier": f"PN-{code}-{number:06d}", "name": name,
            "name_key": search_key(name), "siret": siret,
            "email": f"{rng.choice(LOCALS)}{number}@{slug(name)}.example.fr",
            "phone": "0" + str(rng.randint(1, 5)) + "".join(rng.choice("0123456789") for _ in range(8)),
            "address": f"{rng.randint(1, 120)} {rng.choice(STREETS)}", "postcode": postcode, "city": city,
            "city_key": search_key(city), "status": status, "submitted_at": submitted,
            "approved_at": submitted + timedelta(days=rng.randint(3, 40)) if status in ("approved", "suspended")
            else None, "check_passed": None if status == "submitted" else status != "rejected",
        })
    return rows


@contextmanager
def fresh_console(server: str) -> Iterator[Any]:
    """The console on a new database of ``server``, migrated; the database is dropped afterwards."""
    from console.extensions import db
    from console.schema import init_database

    database, drop = scratch_database(server)
    try:
        with tempfile.TemporaryDirectory() as directory:
            app = console_app(database, directory)
            with app.app_context():
                init_database()
            yield app
            with app.app_context():
                db.engine.dispose()
    finally:
        drop()


def load(app: Any, per_collectivite: int) -> dict[str, Any]:
    """Ten collectivités of ``per_collectivite`` partners, a support agent of the second one and an operator."""
    from console.config import ROLE_OPERATOR, ROLE_SUPPORT
    from console.demo import COLLECTIVITES
    from console.extensions import db
    from console.partners.models import Partner
    from console.tenants.context import EVERYTHING, scoped
    from console.tenants.models import Collectivite, CollectiviteKind

    rng = random.Random(20000)
    specs = [(name, CollectiviteKind(kind) if isinstance(kind, str) else kind, siren, slug_, code, cities)
             for name, kind, siren, slug_, code, cities in [*COLLECTIVITES, *MORE_COLLECTIVITES]]
    with app.app_context(), scoped(EVERYTHING):
        collectivites = [Collectivite(name=name, kind=kind, siren=siren, slug=slug_, code=code,
                                      contact_email=f"pass-numerique@{slug_}.example.fr")
                         for name, kind, siren, slug_, code, _ in specs]
        db.session.add_all(collectivites)
        db.session.flush()
        for collectivite, spec in zip(collectivites, specs):
            rows = partner_rows(rng, per_collectivite, collectivite.id, spec[4], spec[5])
            db.session.execute(insert(Partner.__table__), rows)
        db.session.execute(update(Collectivite).values(partner_seq=per_collectivite))
        db.session.commit()
        sm = app.appbuilder.sm
        gironde = collectivites[1]
        support = sm.add_user("support-gironde", "Camille", "Martin", "support@gironde.example.fr",
                              sm.find_role(ROLE_SUPPORT), PASSWORD)
        support.collectivite_id = gironde.id
        sm.add_user("operateur", "Olivia", "Opératrice", "operateur@example.fr", sm.find_role(ROLE_OPERATOR), PASSWORD)
        db.session.commit()
        target = db.session.execute(
            text("SELECT identifier, siret, email FROM partner WHERE identifier = :identifier"),
            {"identifier": f"PN-{gironde.code}-001234"}).one()
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
        return {"gironde": gironde.id, "identifier": target.identifier, "siret": target.siret,
                "email": target.email}


def queries(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, what the agent types) for every kind of query, on a partner of the Gironde."""
    return [("identifier", data["identifier"]), ("SIRET (exact)", data["siret"]), ("e-mail", data["email"]),
            ("postcode", "33500"), ("name, partial, no accent", "zola"), ("city", "libourne")]


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95, in milliseconds."""
    cuts = statistics.quantiles(samples, n=20, method="inclusive")
    return statistics.median(samples) * 1000, cuts[18] * 1000


def timed(call: Callable[[], int], runs: int) -> tuple[int, float, float]:
    """(partners found, p50 ms, p95 ms) of ``runs`` calls, after a few warm-up calls."""
    for _ in range(5):
        found = call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        found = call()
        samples.append(time.perf_counter() - start)
    return (found, *percentiles(samples))


def function_times(app: Any, who: str, scope: Any, query: str, runs: int) -> tuple[tuple, tuple[str, dict]]:
    """Time ``lookup.search`` as the page calls it; also return the partner SELECT it sent."""
    from console.extensions import db
    from console.partners import lookup
    from console.tenants.context import scoped
    from console.tenants.models import ConsoleUser

    sent: list[tuple[str, dict]] = []

    def capture(connection, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM partner" in statement:
            sent.append((statement, parameters))

    with app.app_context(), scoped(scope):
        user = db.session.scalar(select(ConsoleUser).filter_by(username=who))

        def call() -> int:
            found = lookup.search(db.session, query, user, "page")
            db.session.commit()
            return len(found)

        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            call()
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)
        return timed(call, runs), sent[0]


def api_times(app: Any, who: str, query: str, runs: int) -> tuple[int, float, float]:
    """Time ``GET /api/v1/lookup/?q=`` with a JWT, each request in its own application context."""
    client = app.test_client()
    login = client.post("/api/v1/security/login", json={"username": who, "password": PASSWORD, "provider": "db"})
    headers = {"Authorization": f"Bearer {login.json['access_token']}"}

    def call() -> int:
        response = client.get("/api/v1/lookup/", query_string={"q": query}, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json["count"]

    return timed(call, runs)


def explain(app: Any, sent: tuple[str, dict]) -> tuple[str, str, int]:
    """(one-line summary of the scans, the whole plan, partner rows visited) of EXPLAIN ANALYZE."""
    from console.extensions import db

    statement, parameters = sent
    with app.app_context(), db.engine.connect() as connection:
        plan = connection.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters).scalar()[0]
        lines = connection.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) " + statement,
                                           parameters).scalars().all()
    scans: list[str] = []
    read = 0

    def walk(node: dict) -> None:
        nonlocal read
        kind = node["Node Type"]
        if "Scan" in kind:
            target = node.get("Index Name") or node.get("Relation Name")
            scans.append(f"{kind} {target}")
            if node.get("Relation Name") == "partner":  # the rows of the table visited, kept or not
                read += node["Actual Loops"] * (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
                                                + node.get("Rows Removed by Index Recheck", 0))
        for child in node.get("Plans", []):
            walk(child)

    walk(plan["Plan"])
    return " + ".join(dict.fromkeys(scans)), "\n".join(lines), read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("CONSOLE_DATABASE_URL")
                        or os.environ.get("CONSOLE_TEST_POSTGRES_URL"),
                        help="a PostgreSQL URL whose server may hold a scratch database")
    parser.add_argument("--runs", type=int, default=200, help="timed calls per query kind and user")
    parser.add_argument("--per-collectivite", type=int, default=2000, help="partners in each of the 10 collectivités")
    parser.add_argument("--plans", action="store_true", help="print every EXPLAIN ANALYZE plan in full")
    arguments = parser.parse_args()
    if not arguments.database or not arguments.database.startswith("postgresql"):
        sys.exit("Give a PostgreSQL server: run under scripts/with-services, or pass --database URL")
    from console.tenants.context import EVERYTHING, only

    with fresh_console(arguments.database) as app:
        started = time.perf_counter()
        data = load(app, arguments.per_collectivite)
        total = 10 * arguments.per_collectivite
        print(f"(loaded {total:,} partners in {time.perf_counter() - started:.0f} s)", file=sys.stderr)
        print(f"PostgreSQL, {total:,} partners in 10 collectivités, {arguments.runs} runs each,"
              f" Python {sys.version.split()[0]}, {os.cpu_count()} cores")
        print("| user | query | found | search() p50 / p95 ms | API p50 / p95 ms | partner rows read | plan |")
        print("|---|---|--:|--:|--:|--:|---|")
        plans = []
        users = [("support (Gironde)", "support-gironde", only(data["gironde"])), ("operator", "operateur", EVERYTHING)]
        for label, username, scope in users:
            for kind, query in queries(data):
                (found, p50, p95), sent = function_times(app, username, scope, query, arguments.runs)
                api_found, api50, api95 = api_times(app, username, query, arguments.runs)
                assert api_found == found, (api_found, found)
                summary, whole, read = explain(app, sent)
                plans.append((label, kind, query, whole))
                print(f"| {label} | {kind} `{query}` | {found} | {p50:.1f} / {p95:.1f} | {api50:.1f} / {api95:.1f}"
                      f" | {read:,} | {summary} |", flush=True)
        if arguments.plans:
            for label, kind, query, whole in plans:
                print(f"\n{label}, {kind} {query!r}:\n{whole}")


if __name__ == "__main__":
    main()
