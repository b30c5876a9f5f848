"""Fee precision: what the fee schedule form accepts is exactly what is stored and what prices the cheques.

The rate is a percentage with at most three decimals, the fixed fee is in cents. 0,149 % of 10,00 EUR is
0,0149 EUR, rounded half-up to 0,01 EUR per cheque; stored as 0,15 % it would have been 0,02 EUR.
"""
import html
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from console.extensions import db
from console.money.dates import paris_day
from console.money.models import FeeSchedule, ReimbursementLine
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import utcnow
from tests.conftest import csrf_token
from tests.money.helpers import accept, chequier, submit
from tests.money.test_server_dates import signed_in


def schedules() -> list[tuple[Decimal, Decimal]]:
    with scoped(EVERYTHING):
        db.session.expire_all()
        return db.session.execute(select(FeeSchedule.rate, FeeSchedule.fixed).order_by(FeeSchedule.id)).all()


def text(response) -> str:
    """A page's text with its non-breaking spaces (French typography) read as spaces."""
    page = html.unescape(response.get_data(as_text=True))
    return " ".join(page.replace("\u00a0", " ").replace("\u202f", " ").split())


def test_the_form_stores_and_prices_exactly_the_rate_typed(app, money):
    today = paris_day(utcnow())
    client = signed_in(app, money.world.a.users["correspondent"])
    before = schedules()

    def add(rate: str, fixed: str):
        form = {"effective_from": today.isoformat(), "rate": rate, "fixed": fixed, "note": "Délibération",
                "csrf_token": csrf_token(client, "/feescheduleview/add")}
        client.post("/feescheduleview/add", data=form)
        return text(client.get("/feescheduleview/list/"))  # with the flash

    # More precision than is stored is refused, naming the field and the value; nothing is written.
    for rate, fixed, shown in (("0,1495", "0", "Le taux de 0,1495 % comporte plus de trois décimales"),
                               ("0.0001", "0", "Le taux de 0,0001 % comporte plus de trois décimales"),
                               ("0,149", "0,005", "Le montant des frais fixes (0,005")):
        page = add(rate, fixed)
        assert shown in page, page[page.find("alert-danger"):][:300]
    assert schedules() == before

    add("0,149", "0,00")
    stored = schedules()[-1]
    assert stored == (Decimal("0.149"), Decimal("0.00")) and len(schedules()) == len(before) + 1
    with scoped(EVERYTHING):
        new_id = db.session.scalar(select(func.max(FeeSchedule.id)))
    assert "0,149 %" in text(client.get("/feescheduleview/list/"))
    edit = client.get(f"/feescheduleview/edit/{new_id}").get_data(as_text=True)
    assert 'value="0,149"' in edit  # the edit form shows the stored rate, not 0.15

    numbers = chequier(money.world.a.id, "FP1", today + timedelta(days=300))
    accept(numbers[:3], money.pa, today)
    request = submit(money.pa, numbers[:3], today).request
    with scoped(EVERYTHING):
        lines = db.session.scalars(select(ReimbursementLine).where(ReimbursementLine.request_id == request.id)).all()
        assert {line.fee_schedule_id for line in lines} == {new_id}
        assert [line.fees for line in lines] == [Decimal("0.01")] * 3  # 0,0149 -> 0,01 (0,15 % gave 0,02)
    assert (request.gross, request.fees, request.net) == (Decimal("30.00"), Decimal("0.03"), Decimal("29.97"))
