"""The look-up log is read from the audit trail (one record per look-up): page, isolation, bounded SQL, and the
former lookup_audit rows appended to the chains by migration 0016."""
from __future__ import annotations

from datetime import datetime

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from console.audit import verify
from console.audit.read import Filters
from console.extensions import db
from console.partners import lookup
from console.schema import alembic_config, upgrade
from console.tenants.context import EVERYTHING, only, scoped
from tests.audit.helpers import events
from tests.conftest import api_token, login, logout, make_partner
from tests.partners.helpers import user
from tests.scale.conftest import counting


@pytest.fixture
def searched(client, world):
    """A's support agent searched by the API, B's correspondent by the page."""
    make_partner(world.a.collectivite, "Médiathèque Émile Zola", 0)
    make_partner(world.b.collectivite, "Centre Bêta", 1)
    client.get("/api/v1/lookup/?q=zola", headers=api_token(client, world.a.users["support"]))
    login(client, world.b.users["correspondent"])
    client.get("/lookup/?q=beta")
    logout(client)
    return world


def test_the_operators_log_page_lists_each_look_up_once_with_bounded_sql_and_no_one_else_reads_it(client, searched):
    world = searched
    assert [e.details_dict["channel"] for e in events(action="lookup.search")] == ["api", "page"]
    for role in ("correspondent", "support", "elected"):
        login(client, world.a.users[role])
        assert client.get("/lookup-log/").status_code in (302, 403), role
        logout(client)
    login(client, world.operator)
    page = client.get("/lookup-log/").get_data(as_text=True)
    assert "alpha-support" in page and "PN-ALP-000001" in page and "Ville d&#39;Alpha" in page
    assert "beta-correspondent" in page and "PN-BET-000001" in page
    only_b = client.get("/lookup-log/?actor=beta-correspondent").get_data(as_text=True)
    assert "beta-correspondent" in only_b and "alpha-support" not in only_b
    # The one query keeps to the scope it is given (a collectivité's reads none of the others').
    assert {e.actor_login for e in db.session.scalars(lookup.log(Filters(), only(world.a.id)))} == {"alpha-support"}
    assert len(db.session.scalars(lookup.log(Filters(), EVERYTHING)).all()) == 2
    # Bounded SQL: as many statements for 62 look-ups (a page of 50) as for 2.
    statements = []
    for count in (0, 60):
        with scoped(EVERYTHING):
            for number in range(count):
                lookup.audit(db.session, user(world.a.users["support"]), f"query {number}", "page", ["PN-ALP-1"])
            db.session.commit()
        with counting() as counter:
            assert client.get("/lookup-log/").status_code == 200
        statements.append(len(counter.statements))
    assert statements[0] == statements[1] <= 8, statements


def test_the_former_log_rows_are_appended_to_their_chains_by_the_migration(app, world):
    support = user(world.a.users["support"])
    a_id, support_id, operator_id = world.a.id, support.id, user("operateur").id
    with scoped(EVERYTHING):
        lookup.audit(db.session, support, "zola", "page", [])  # A's chain already holds one event
        db.session.commit()
    db.session.remove()
    before = ScriptDirectory.from_config(alembic_config()).get_revision("0016").down_revision
    command.downgrade(alembic_config(), before)
    try:
        with db.engine.begin() as connection:
            for number, (collectivite, who, at) in enumerate([(a_id, support_id, "2025-02-03 09:30:00"),
                                                              (None, operator_id, "2025-02-04 18:00:00")]):
                connection.execute(text(
                    "INSERT INTO lookup_audit (collectivite_id, user_id, searched, channel, result_count, at) "
                    "VALUES (:c, :u, :q, 'api', :n, :at)"), dict(c=collectivite, u=who, q=f"old {number}", n=number,
                                                                  at=at))
    finally:
        upgrade()
    imported = events(action="lookup.imported")
    assert [(e.chain, e.seq, e.actor_login, e.details_dict) for e in imported] == [
        (f"collectivite:{a_id}", 2, "alpha-support",
         {"searched_at": "2025-02-03T09:30:00.000000", "query": "old 0", "channel": "api", "count": 0}),
        ("platform", 1, "operateur",
         {"searched_at": "2025-02-04T18:00:00.000000", "query": "old 1", "channel": "api", "count": 1})]
    report = verify.verify(db.session, app.config["SECRET_KEY"])
    assert report.intact and report.events == 3, report.problems
    rows = db.session.scalars(lookup.log(Filters(), EVERYTHING)).all()
    assert {row.action for row in rows} == {"lookup.search", "lookup.imported"}
    from console.views.lookup import logged

    assert logged(imported[0], {}).searched_on == datetime(2025, 2, 3, 9, 30)
