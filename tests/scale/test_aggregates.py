"""Every dashboard reads per-collectivité daily figures that equal the live ones."""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.extensions import db
from console.reports import aggregates, figures
from console.tenants.context import EVERYTHING, only, scoped
from tests.conftest import login
from tests.scale.conftest import counting

DASHBOARD = 7  # user, its session, key figures, payment delays, months, collectivités to pick, freshness


def test_daily_figures_give_the_live_figures_of_every_collectivite(app, filled):
    today = date.today()
    start, end = today - timedelta(days=800), today
    assert aggregates.refresh_all() == 2
    with scoped(EVERYTHING):
        session = db.session
        live, stored = figures.key_figures(session, EVERYTHING, start, end, today), \
            aggregates.key_figures(session, EVERYTHING, start, end, today)
        assert stored.cheques_reimbursed > 0 and stored.complaints_received > 0 and stored.overdue >= 0
        assert stored == live
        assert aggregates.monthly(session, EVERYTHING, start, end) == figures.monthly(session, EVERYTHING, start, end)
        # A shorter period reads only its days, and still agrees.
        middle = today - timedelta(days=200)
        assert aggregates.key_figures(session, EVERYTHING, middle, today, today) == \
            figures.key_figures(session, EVERYTHING, middle, today, today)
        # Each collectivité's rows are its own: A's days add up to A's live figures.
        a_cheques = session.scalar(select(func.sum(aggregates.DailyFigure.cheques_accepted))
                                   .where(aggregates.DailyFigure.collectivite_id == filled.a.id))
        assert a_cheques == sum(m.cheques_accepted for m in figures.monthly(session, only(filled.a.id), start, end))
        # A refresh replaces the collectivité's rows (the job runs every 15 minutes).
        before = session.scalar(select(func.count()).select_from(aggregates.DailyFigure))
        aggregates.refresh(session, filled.a.id)
        session.commit()
        assert session.scalar(select(func.count()).select_from(aggregates.DailyFigure)) == before


def test_operator_dashboard_reads_the_daily_figures_and_says_how_fresh(client, filled):
    login(client, filled.world.operator)
    page = client.get("/dashboard/?_l_=en").get_data(as_text=True)
    assert "are being computed" in page  # never refreshed yet: said so
    aggregates.refresh_all()
    with counting() as statements:
        page = client.get("/dashboard/?_l_=en").get_data(as_text=True)
    assert "as of" in page
    assert len(statements) <= DASHBOARD, "\n".join(s[:120] for s in statements.statements)
    assert not any("FROM cheque" in s for s in statements.statements)


def test_the_dashboard_says_how_often_its_figures_are_recomputed_in_french(client, filled, monkeypatch):
    login(client, filled.world.operator)
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "en cours de calcul (toutes les 15\u00a0minutes)" in page  # REFRESH_EVERY, 900 s
    aggregates.refresh_all()
    monkeypatch.setattr(aggregates, "REFRESH_EVERY", 600.0)  # the page follows the job's period
    assert "recalculés toutes les 10\u00a0minutes" in client.get("/dashboard/").get_data(as_text=True)


def test_a_collectivite_dashboard_reads_its_own_daily_figures(client, filled):
    today = date.today()
    start = today - timedelta(days=800)
    aggregates.refresh_all()
    with scoped(EVERYTHING):
        for tenant in (filled.a, filled.b):  # each collectivité's daily figures give its own live figures
            scope = only(tenant.id)
            assert aggregates.key_figures(db.session, scope, start, today, today) == \
                figures.key_figures(db.session, scope, start, today, today)
            assert aggregates.monthly(db.session, scope, start, today) == \
                figures.monthly(db.session, scope, start, today)
        a_figures = figures.key_figures(db.session, only(filled.a.id), start, today, today)
        b_figures = figures.key_figures(db.session, only(filled.b.id), start, today, today)
    assert a_figures.chequiers_distributed != b_figures.chequiers_distributed
    login(client, filled.world.a.users["correspondent"])
    with counting() as statements:
        page = client.get(f"/dashboard/?start={start:%d/%m/%Y}&end={today:%d/%m/%Y}&_l_=en").get_data(as_text=True)
    assert "as of" in page and "being computed" not in page
    assert len(statements) <= DASHBOARD, "\n".join(s[:120] for s in statements.statements)
    assert not any("FROM cheque" in s for s in statements.statements)
    distributed = re.search(r"Chéquiers distributed</th><td[^>]*>([^<]+)<", page)
    assert distributed and int(distributed.group(1).replace(",", "")) == a_figures.chequiers_distributed  # A's


def test_a_collectivite_never_refreshed_says_its_figures_are_being_computed(client, filled):
    with Session(db.engine) as session, scoped(EVERYTHING):
        aggregates.refresh(session, filled.b.id)  # B only: A's dashboard must not borrow B's freshness
        session.commit()
    login(client, filled.world.a.users["correspondent"])
    assert "being computed" in client.get("/dashboard/?_l_=en").get_data(as_text=True)


def test_payment_figures_at_the_edges_of_the_15_day_delay():
    """Paid on the due date: on time; the day after: late. Unpaid: late from the day after the due date, as
    of the day the dashboard is read (leap day included)."""
    validated = date(2028, 2, 20)  # due 06/03/2028: 15 days, 29/02 counted
    days: dict = defaultdict(dict)
    aggregates.payments(days, validated, date(2028, 3, 6), True, 1)   # on the due date
    aggregates.payments(days, validated, date(2028, 3, 7), True, 2)   # a day late
    aggregates.payments(days, validated, None, False, 4)              # not paid yet
    rows = [(day, *(values.get(name, 0) for name in aggregates.COUNTS + aggregates.AMOUNTS))
            for day, values in sorted(days.items())]
    on_due_date = aggregates._key_figures(rows, date(2028, 3, 6))
    assert on_due_date.overdue == 2  # the two paid late; the unpaid ones are not late yet
    assert on_due_date.average_days_to_payment == Decimal("15.7")  # (15 + 2 × 16) / 3
    assert aggregates._key_figures(rows, date(2028, 3, 7)).overdue == 6
