"""A partners export is a look-up: audited when asked for, e-mails masked for support agents as in the look-up."""
from __future__ import annotations

import openpyxl
import pytest
from sqlalchemy import select

from console.extensions import db
from console.partners.lookup import mask_email
from console.audit.read import Filters
from console.partners import lookup
from console.reports.models import Export
from console.tenants.context import EVERYTHING
from console.views.lookup import logged
from tests.conftest import login
from tests.reports.conftest import ask, export_and_open, exports, last_export, table

A_EMAILS = {"media@structure.fr", "fablab@structure.fr", "new@structure.fr"}


def audits() -> list[tuple]:
    """The look-up log as its page reads it: (user, what, channel, partners, collectivité), oldest first."""
    db.session.expire_all()
    rows = [logged(event, {}) for event in db.session.scalars(lookup.log(Filters(), EVERYTHING))]
    return [(row.event.actor_login, row.query, row.channel, row.count, row.event.collectivite_id)
            for row in reversed(rows)]


def cells(workbook: openpyxl.Workbook) -> set:
    """Every value of the partners sheet."""
    headers, rows = table(workbook, "Partenaires")
    return {value for row in rows for value in row.values()}


def test_a_support_agents_export_is_audited_and_shows_e_mails_masked(client, world, money):
    login(client, world.a.users["support"])
    values = cells(export_and_open(client, "partners"))
    assert {mask_email(email) for email in A_EMAILS} <= values
    assert "m****@structure.fr" in values and not A_EMAILS & values
    assert {"PN-ALP-000001", "Médiathèque Alpha", "73282932000074"} <= values  # what support agents may read
    assert "tiers@structure.fr" not in values and mask_email("tiers@structure.fr") not in values  # B's partner
    assert audits() == [("alpha-support", f"export {last_export().id}", "export", 3, world.a.id)]


def test_a_correspondents_export_shows_e_mails_in_full_and_is_audited(client, world, money):
    login(client, world.b.users["correspondent"])
    values = cells(export_and_open(client, "partners"))
    assert "tiers@structure.fr" in values and not A_EMAILS & values
    assert audits() == [("beta-correspondent", f"export {last_export().id}", "export", 1, world.b.id)]


def test_an_operators_export_counts_what_it_covers(client, world, money):
    login(client, world.operator)
    values = cells(export_and_open(client, "partners", collectivite=str(world.b.id)))
    assert "tiers@structure.fr" in values
    export_and_open(client, "partners")
    first, second = (export.id for export in exports())
    assert audits() == [("operateur", f"export {first}", "export", 1, world.b.id),
                        ("operateur", f"export {second}", "export", 4, None)]


@pytest.mark.parametrize("kind, fields", [("partners", {"collectivite": "beta"}), ("reimbursements", {})])
def test_a_refused_export_writes_neither_export_nor_audit(client, world, money, kind, fields):
    login(client, world.a.users["support"])
    fields = {key: str(world.b.id) for key in fields}  # support of A asking for B's partners
    ask(client, kind, **fields)
    db.session.expire_all()
    assert db.session.scalars(select(Export)).all() == []
    assert audits() == []


def test_other_exports_are_not_look_ups(client, world, money):
    login(client, world.a.users["elected"])
    ask(client, "cheques")
    assert len(exports()) == 1 and audits() == []
