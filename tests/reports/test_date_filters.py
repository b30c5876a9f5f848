"""Dates typed DD/MM/YYYY in the dashboard and exports filters (ISO links still read), shown DD/MM/YYYY,
each with its format hint; a date that cannot be read is said in French."""
from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import func, select

from console import inputs
from console.complaints.models import Complaint, ComplaintStatus
from console.extensions import db
from console.reports.models import Export
from console.tenants.context import only, scoped
from tests.conftest import csrf_token, login


@pytest.mark.parametrize("typed, read", [
    ("29/02/2024", date(2024, 2, 29)),  # leap year
    ("1/3/2026", date(2026, 3, 1)),
    (" 31/12/2099 ", date(2099, 12, 31)),  # the last day a form takes
    ("01/01/2000", date(2000, 1, 1)),  # the first
    ("2026-02-01", date(2026, 2, 1)),  # ISO: native date inputs, older links
    ("29/02/2026", None), ("31/04/2026", None), ("31/12/1999", None), ("01/01/2100", None),
    ("01-02-2026", None), ("2026/02/01", None), ("", None), ("01/02/26", None),
])
def test_one_parser_reads_french_and_iso_days(typed, read):
    assert inputs.day(typed) == read


def field_value(page: str, name: str) -> str:
    start = page.index(f'name="{name}"')
    value = page[start:].split('value="', 1)[1]
    return value.split('"', 1)[0]


def test_dashboard_reads_french_and_iso_dates_shows_them_french_and_says_a_bad_one(client, world):
    login(client, world.a.users["elected"])
    page = client.get("/dashboard/?start=01/02/2026&end=28/02/2026").get_data(as_text=True)
    assert (field_value(page, "start"), field_value(page, "end")) == ("01/02/2026", "28/02/2026")
    assert 'aria-describedby="date-start-hint"' in page and 'id="date-start-hint"' in page
    assert "Format\u00a0: JJ/MM/AAAA" in page
    old_link = client.get("/dashboard/?start=2026-02-01&end=2026-02-28").get_data(as_text=True)
    assert (field_value(old_link, "start"), field_value(old_link, "end")) == ("01/02/2026", "28/02/2026")
    bad = unescape(client.get("/dashboard/?start=31/02/2026&end=28/02/2026").get_data(as_text=True))
    assert "«\u00a031/02/2026\u00a0» n’est pas une date\u00a0: saisissez-la au format JJ/MM/AAAA" in bad
    assert field_value(bad, "start") == f"01/01/{date.today().year}"  # the default period's start


def test_exports_take_french_dates_and_refuse_a_bad_one_without_queuing(client, world):
    login(client, world.a.users["elected"])
    token = csrf_token(client, "/exports/")
    page = client.get("/exports/").get_data(as_text=True)
    assert "/" in field_value(page, "period_start") and 'aria-describedby="date-period_start-hint"' in page
    data = {"kind": "cheques", "period_start": "32/01/2026", "period_end": "30/06/2026", "csrf_token": token}
    client.post("/exports/new", data=data)
    assert "«\u00a032/01/2026\u00a0» n’est pas une date" in unescape(client.get("/exports/").get_data(as_text=True))
    assert db.session.scalar(select(func.count(Export.id))) == 0
    client.post("/exports/new", data={**data, "period_start": "01/01/2026"})
    export = db.session.scalars(select(Export)).one()
    assert (export.parameters["period_start"], export.parameters["period_end"]) == ("2026-01-01", "2026-06-30")


INPUT = re.compile(r"<input\b[^>]*>")


def unhinted_fields(page: str) -> list[str]:
    """The date and amount inputs of a page whose format hint is missing or not tied to them."""
    missing = []
    for tag in INPUT.findall(page):
        if "console-date" not in tag and 'inputmode="decimal"' not in tag:
            continue
        described = re.search(r'aria-describedby="([^"]*)"', tag)
        hints = [re.search(rf'id="{re.escape(ref)}"[^>]*>([^<]*)<', page) for ref in
                 (described[1].split() if described else [])]
        if not any(hint and ("JJ/MM/AAAA" in hint[1] or "Virgule décimale" in hint[1]) for hint in hints):
            missing.append(tag)
    return missing


def test_every_typed_date_and_amount_field_has_its_hint(client, world, money):
    login(client, world.a.users["correspondent"])
    with scoped(only(world.a.id)):
        received = db.session.scalars(select(Complaint.id).where(Complaint.status == ComplaintStatus.received)).one()
    client.post(f"/complaints/{received}/review", data={"csrf_token": csrf_token(client, "/complaints/")})
    pages = ["/dashboard/", "/exports/", "/audit/", "/reimbursements/",
             "/complaints/new", f"/complaints/{received}", "/cguversionview/publish", "/feescheduleview/add"]
    seen, missing = {}, []
    for url in pages:
        page = client.get(url).get_data(as_text=True)
        seen[url] = sum(1 for tag in INPUT.findall(page) if "console-date" in tag or 'inputmode="decimal"' in tag)
        missing += [f"{url}: {tag}" for tag in unhinted_fields(page)]
    assert not missing, "\n".join(missing)
    assert all(seen.values()), str(seen)  # each page did hold such a field to check
