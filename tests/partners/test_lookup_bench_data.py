"""The look-up benchmark's partners are valid, and every kind of look-up can be answered from an index."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import insert, inspect, select, text

from bench.lookup import partner_rows, queries
from console.extensions import db
from console.partners import lookup, validators
from console.partners.models import Partner, search_key
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import ConsoleUser

CITIES = [("33500", "Libourne"), ("33000", "Bordeaux"), ("33260", "La Teste-de-Buch")]


@pytest.fixture
def rows(world) -> list[dict]:
    rows = partner_rows(random.Random(7), 300, world.a.id, "ALP", CITIES)
    with scoped(EVERYTHING):
        db.session.execute(insert(Partner.__table__), rows)
        db.session.commit()
    return rows


def test_the_bench_partners_are_valid(rows):
    assert len({row["identifier"] for row in rows}) == len(rows) == 300
    for row in rows:
        assert validators.validate_siret(row["siret"]) == row["siret"]
        assert validators.validate_email(row["email"]) == row["email"]
        assert (row["name_key"], row["city_key"]) == (search_key(row["name"]), search_key(row["city"]))


def test_every_kind_of_look_up_finds_what_it_should(world, rows):
    target = rows[123]
    with scoped(EVERYTHING):
        operator = db.session.scalar(select(ConsoleUser).filter_by(username="operateur"))
        found = {kind: {row.identifier for row in lookup.search(db.session, query, operator, "api")}
                 for kind, query in queries(target)}
    assert found["identifier"] == found["SIRET (exact)"] == found["e-mail"] == {target["identifier"]}
    expected = {
        "postcode": [row for row in rows if row["postcode"] == "33500" or row["siret"].startswith("33500")],
        "name, partial, no accent": [row for row in rows if "zola" in row["name_key"]],
        "city": [row for row in rows if row["city"] == "Libourne"],
    }
    for kind, matching in expected.items():
        assert matching and len(found[kind]) == min(len(matching), lookup.MAX_RESULTS)
        assert found[kind] <= {row["identifier"] for row in matching}


def test_on_postgresql_an_index_serves_every_kind_of_look_up(app, rows):
    """With sequential scans priced out, a look-up still reading the whole table would have no index."""
    if db.engine.dialect.name != "postgresql":
        assert "ix_partner_identifier_prefix" in {index["name"] for index in
                                                  inspect(db.engine).get_indexes("partner")}
        return
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    for kind, query in queries(rows[42]):
        compiled = select(Partner.id).where(lookup.criterion(query)).compile(dialect=db.engine.dialect)
        plan = "\n".join(db.session.connection().exec_driver_sql("EXPLAIN " + compiled.string,
                                                                 compiled.params).scalars())
        assert "Seq Scan on partner" not in plan, (kind, plan)
    db.session.rollback()
