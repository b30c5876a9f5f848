"""Authorised prescripteurs and distribution per cheque: a chéquier is issued to one of the collectivité's
authorised prescripteurs (never free text, never another collectivité's), is handed out whole or cheque by
cheque, and a cheque not distributed is refused at acceptance. Existing chéquiers are migrated."""
import html
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, select, text

from console import create_app
from console.errors import DomainError
from console.extensions import db
from console.money.dates import paris_day
from console.money.models import Cheque, Chequier
from console.schema import upgrade
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import utcnow
from tests.conftest import csrf_token
from tests.money import helpers
from tests.money.helpers import accept, operator
from tests.money.test_server_dates import signed_in


def chequiers() -> list[tuple[str, int]]:
    with scoped(EVERYTHING):
        db.session.expire_all()
        return db.session.execute(select(Chequier.number, Chequier.prescripteur_id).order_by(Chequier.id)).all()


def test_chequiers_go_to_authorised_prescripteurs_and_cheques_are_distributed_one_by_one(app, money):
    today = paris_day(utcnow())
    with operator():
        ccas = helpers.prescripteur(money.world.a.id).id
        retired = helpers.prescripteur(money.world.a.id, "Ancienne mission locale")
        retired.active, retired = False, retired.id
        other = helpers.prescripteur(money.world.b.id, "CCAS de Bêta").id
    browser = signed_in(app, money.world.a.users["correspondent"])
    form = browser.get("/chequierview/add").get_data(as_text=True)
    assert f'value="{ccas}"' in form and f'value="{retired}"' not in form and f'value="{other}"' not in form
    data = {"number": "PR 1", "issued_on": today.isoformat(), "collectivite": money.world.a.id,
            "validity_date": (today + timedelta(days=90)).isoformat()}
    for refused in ({"prescripteur": "Mon voisin"}, {"issued_to": other}, {"issued_to": retired}):
        browser.post("/chequierview/add", data={**data, **refused,
                                                "csrf_token": csrf_token(browser, "/chequierview/add")})
        assert chequiers() == [], refused
    browser.post("/chequierview/add", data={**data, "issued_to": ccas,
                                            "csrf_token": csrf_token(browser, "/chequierview/add")})
    assert chequiers() == [("PR1", ccas)]
    with scoped(EVERYTHING):
        chequier = db.session.scalar(select(Chequier))
        pk, numbers = chequier.id, [c.number for c in chequier.cheques]
        assert {c.prescripteur for c in chequier.cheques} == {"CCAS"}

    def distribute(who, cheques: str, on: date):
        return who.post(f"/chequierview/distribute/{pk}", data={
            "cheques": cheques, "distributed_on": on.isoformat(), "csrf_token": csrf_token(who, "/chequierview/add")})

    for cheques, on, shown in ((numbers[0], today + timedelta(days=1), "nous sommes le"),
                               ("XX-01", today, "ne fait pas partie"),
                               (f"{numbers[0]} {numbers[1]}", today, None),
                               (numbers[1], today, "a déjà été remis")):
        distribute(browser, cheques, on)
        page = html.unescape(browser.get(f"/chequierview/show/{pk}").get_data(as_text=True))
        assert shown is None or shown in page, (cheques, shown)
    with scoped(EVERYTHING):
        db.session.expire_all()
        given = dict(db.session.execute(select(Cheque.number, Cheque.distributed_on)).all())
    assert [given[n] for n in numbers[:3]] == [today, today, None]
    assert distribute(signed_in(app, money.world.b.users["correspondent"]), numbers[2], today).status_code == 404

    accept(numbers[:1], money.pa, today)
    with operator(), pytest.raises(DomainError) as refusal:
        accept(numbers[2:3], money.pa, today)
    assert refusal.value.rule == "not_distributed"
    # Another collectivité's correspondent neither lists nor reaches A's prescripteurs.
    other_browser = signed_in(app, money.world.b.users["correspondent"])
    assert "CCAS</td>" not in other_browser.get("/prescripteurview/list/").get_data(as_text=True)
    assert other_browser.get(f"/prescripteurview/show/{ccas}").status_code in (302, 404)
    assert signed_in(app, money.world.a.users["elected"]).get("/prescripteurview/list/").status_code in (302, 403)


def test_existing_chequiers_are_migrated_to_authorised_prescripteurs_on_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrate.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False,
                      "SERVER_NAME": "console.test"})
    with app.app_context():
        upgrade("0006")
        engine = create_engine(url)
        with engine.begin() as connection:
            for slug, cid in (("a", 1), ("b", 2)):
                connection.execute(text("INSERT INTO collectivite (id, name, slug, code, siren, kind, active,"
                                        " contact_email, created_at) VALUES (:id, :n, :s, :c, :siren, 'commune',"
                                        " 1, 'x@y.fr', '2026-01-01')"),
                                   {"id": cid, "n": slug, "s": slug, "c": slug.upper() * 3, "siren": f"21690123{cid}"})
            rows = [(1, 1, "CCAS"), (2, 1, "CCAS"), (3, 1, "Mairie"), (4, 2, "CCAS")]
            for pk, cid, name in rows:
                connection.execute(text("INSERT INTO chequier (id, number, prescripteur, issued_on, validity_date,"
                                        " status, distributed_on, collectivite_id) VALUES (:id, :num, :p,"
                                        " '2026-01-02', '2026-12-31', 'distributed', '2026-01-05', :cid)"),
                                   {"id": pk, "num": f"N{pk}", "p": name, "cid": cid})
                connection.execute(text("INSERT INTO cheque (number, face_value, validity_date, chequier_id,"
                                        " prescripteur, status, collectivite_id) VALUES (:num, 10, '2026-12-31',"
                                        " :id, :p, 'issued', :cid)"), {"num": f"N{pk}-01", "id": pk, "p": name,
                                                                        "cid": cid})
        upgrade("head")
        with engine.connect() as connection:
            issued = connection.execute(text(
                "SELECT c.id, p.collectivite_id, p.name FROM chequier c JOIN prescripteur p"
                " ON p.id = c.prescripteur_id ORDER BY c.id")).all()
            assert issued == rows
            assert connection.execute(text("SELECT count(*) FROM prescripteur")).scalar() == 3
            assert connection.execute(text("SELECT DISTINCT distributed_on FROM cheque")).scalars().all() == [
                "2026-01-05"]
        engine.dispose()
