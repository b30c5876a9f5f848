"""`console demo --scale` loads the counts of its scale, on an empty database (the demo first) or on a demo one
(kept as it was), once: a second run is refused and adds nothing."""
from __future__ import annotations

import functools
import re

import pytest
from sqlalchemy import func, select

from console.complaints.models import Complaint
from console.demo_scale import SCALES
from console.extensions import db
from console.money.models import Cheque, ReimbursementLine, ReimbursementRequest
from console.partners.models import Partner
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import Collectivite, ConsoleUser

PASSWORD = "demo-pass-numerique-test"
TINY = SCALES["tiny"]
MODELS = (Collectivite, Partner, Cheque, ReimbursementRequest, Complaint)


def counts(generated: bool) -> dict[str, int]:
    """Rows of each kind in the scale's collectivités (slugs n001-…) or in the others (the demo's)."""
    with scoped(EVERYTHING):
        scale_ids = select(Collectivite.id).where(Collectivite.slug.like("n___-%"))
        result = {}
        for model in MODELS:
            column = model.id if model is Collectivite else model.collectivite_id
            where = column.in_(scale_ids) if generated else column.not_in(scale_ids)
            result[model.__name__] = db.session.scalar(select(func.count()).select_from(model).where(where))
        users = ConsoleUser.collectivite_id.in_(scale_ids) if generated else ConsoleUser.id.isnot(None)
        result["users"] = db.session.scalar(select(func.count(ConsoleUser.id)).where(users))
        return result


def demo(app, *args: str):
    result = app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD, *args])
    db.session.expire_all()
    return result


@pytest.fixture
def small_demo(monkeypatch):
    """The demo of one collectivité, its users and 10 partners, without the other domains' steps (the whole
    demo takes a minute here, its money history through the audited API most of it): the scale's rows go
    after whatever the database holds, however much."""
    from console import demo

    monkeypatch.setattr(demo, "COLLECTIVITES", demo.COLLECTIVITES[:1])
    monkeypatch.setattr(demo, "_partners", functools.partial(demo._partners, count=10))
    monkeypatch.setattr(demo, "steps", lambda: [])


@pytest.mark.parametrize("start", ["empty", "demo"])
def test_demo_scale_loads_its_counts_once_on_an_empty_or_a_demo_database(app, small_demo, start):
    if start == "demo":
        assert demo(app).exit_code == 0
    before = counts(generated=False)
    result = demo(app, "--scale", "tiny")
    assert result.exit_code == 0, result.output
    demo_part = counts(generated=False)
    if start == "demo":
        assert {k: v for k, v in demo_part.items() if k != "users"} == {k: v for k, v in before.items()
                                                                         if k != "users"}
    else:
        assert before["Collectivite"] == 0 and demo_part["Collectivite"] == 1  # the demo came first
        assert demo_part["Partner"] >= 10 and demo_part["users"] >= 4
    generated = counts(generated=True)
    # Exact where the scale fixes them; requests group the registered cheques and complaints pick paid ones.
    assert (generated["Collectivite"], generated["Partner"], generated["Cheque"], generated["users"]) == (
        TINY.collectivites, TINY.partners, TINY.cheques, 3 * TINY.collectivites)
    assert 0 < generated["ReimbursementRequest"] <= 2 * TINY.requests
    assert 0 < generated["Complaint"] <= TINY.complaints
    with scoped(EVERYTHING):  # every line's cheque belongs to the line's collectivité
        assert not db.session.scalar(select(func.count(ReimbursementLine.id))
                                     .join(Cheque, Cheque.id == ReimbursementLine.cheque_id)
                                     .where(Cheque.collectivite_id != ReimbursementLine.collectivite_id))
    # The accounts of the generated collectivités are printed.
    assert len(re.findall(r"n\d{3}-\S+-correspondant\s", result.output)) == TINY.collectivites
    again = demo(app, "--scale", "tiny")
    assert again.exit_code == 1 and "already loaded" in again.output
    assert counts(generated=True) == generated
