"""Users are deactivated, never deleted (DESIGN « retention »): no role can delete one, and the database
refuses it too (ON DELETE RESTRICT from every history row), so history always names who acted."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from flask_appbuilder import Model

from console.extensions import db
from console.money.models import FeeSchedule
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import ConsoleUser
from tests.conftest import csrf_token
from tests.money.test_server_dates import signed_in


def user_id(username: str) -> int | None:
    with scoped(EVERYTHING):
        db.session.expire_all()
        return db.session.scalar(select(ConsoleUser.id).where(ConsoleUser.username == username))


def test_no_page_deletes_a_user_and_the_login_cannot_be_renamed(app, world):
    victim = user_id(world.a.users["elected"])
    operator = signed_in(app, world.operator)
    assert f"/users/delete/{victim}" not in operator.get("/users/list/").get_data(as_text=True)
    token = csrf_token(operator, "/users/list/")
    for method in (operator.get, operator.post):
        method(f"/users/delete/{victim}", data={"csrf_token": token})
    assert user_id(world.a.users["elected"]) == victim
    assert 'name="username"' not in operator.get(f"/users/edit/{victim}").get_data(as_text=True)
    correspondent = signed_in(app, world.a.users["correspondent"])
    token = csrf_token(correspondent, "/tenantuserview/list/")
    for url in (f"/tenantuserview/delete/{victim}", f"/users/delete/{victim}"):
        correspondent.post(url, data={"csrf_token": token})
    assert user_id(world.a.users["elected"]) == victim


def test_the_database_refuses_to_delete_a_user_named_in_history(app, world):
    # Every link from a history row to a user is ON DELETE RESTRICT (the migrations made it so).
    inspector = inspect(db.engine)
    links = [(table, fk["constrained_columns"][0], (fk.get("options") or {}).get("ondelete"))
             for table in inspector.get_table_names() if not table.startswith("ab_")
             for fk in inspector.get_foreign_keys(table) if fk["referred_table"] == "ab_user"]
    declared = {(fk.parent.table.name, fk.parent.name) for table in Model.metadata.sorted_tables
                if not table.name.startswith("ab_") for fk in table.foreign_keys if fk.column.table.name == "ab_user"}
    assert {(t, c) for t, c, _ in links} == declared and len(declared) >= 19
    assert {(t, c) for t, c, rule in links if (rule or "").upper() != "RESTRICT"} == set()

    with scoped(EVERYTHING):
        author = db.session.scalar(select(ConsoleUser).where(ConsoleUser.username == world.a.users["correspondent"]))
        db.session.add(FeeSchedule(collectivite_id=world.a.id, effective_from=date(2026, 1, 1), created_by=author))
        db.session.commit()
        author_id = author.id
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")  # SQLite enforces them only when asked
            connection.commit()
        with pytest.raises(IntegrityError), connection.begin():
            connection.execute(text("DELETE FROM ab_user_role WHERE user_id = :id"), {"id": author_id})
            connection.execute(text("DELETE FROM ab_user WHERE id = :id"), {"id": author_id})
    assert user_id(world.a.users["correspondent"]) == author_id
