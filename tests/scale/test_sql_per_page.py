"""Bounded SQL per page: every list, detail page and API list sends a fixed number of statements,
whatever its number of rows (pages of 50 here), for a correspondent and for the operator.

The user, its roles, collectivité and session row are one statement; a list is a select carrying its count
(relations eager-loaded; a page without rows is counted alone); a relation filter adds its own choices; a detail page adds one statement per
collection it shows. A lazy load per row (N+1) would add 50.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from console.complaints.models import Complaint
from console.extensions import db
from console.money.models import Cheque, ChequeStatus, Chequier, ReimbursementRequest
from console.partners.models import Partner, PartnerStatus
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import api_token, login, logout
from tests.scale.conftest import counting

# One statement reads the user with its roles, groups, collectivité and the row of its session (web or JWT),
# checked in memory; a list adds its page, which carries its count (a page without rows counts alone: at
# most two); a collection shown per row adds one (selectinload).
USER = 1
LIST = USER + 2
LIST_WITH_COLLECTION = LIST + 1
# A relation filter searches as one types; applied, FAB reads the row it names for the count and for the page,
# and the field reads it to show it: three statements.
LIST_WITH_FILTER = LIST + 3
DETAIL = LIST + 4  # the partner's page: its requests, bank accounts, documents and history
# An audited look-up is a write: the look-up log row, the audit event appended to its chain (3 statements,
# 5 for a chain's first event) and the user read again after the commit.
AUDITED_LOOKUP = LIST + 4
ROWS = 50

#: (page, most statements allowed); {x} are ids of collectivité A's rows.
PAGES = [
    (f"/partnerview/list/?psize_PartnerView={ROWS}", LIST),
    (f"/partnerview/list/?psize_PartnerView={ROWS}&_flt_0_collectivite={{collectivite}}", LIST_WITH_FILTER),
    (f"/chequeview/list/?psize_ChequeView={ROWS}", LIST),  # its partner filter searches as one types
    (f"/chequeview/list/?psize_ChequeView={ROWS}&_flt_0_partner={{partner}}", LIST_WITH_FILTER),
    (f"/chequierview/list/?psize_ChequierView={ROWS}", LIST),
    ("/feescheduleview/list/", LIST + 1),  # which versions are in use (no edit button on them): one query
    ("/cguversionview/list/", LIST),
    ("/collectiviteview/list/", LIST),
    ("/tenantuserview/list/", LIST_WITH_COLLECTION),  # their roles
    ("/reimbursements/", LIST),
    ("/reimbursements/?status=paid&partner={partner}", LIST + 1),  # the chosen partner, named in its field
    ("/reimbursements/batches/", LIST),
    ("/complaints/", LIST),
    ("/complaints/?status=received", LIST),
    ("/exports/", LIST),  # the operator's collectivité is searched as one types
    ("/dashboard/", LIST),  # the user, the period's daily figures, their freshness
    ("/dashboard/?collectivite={collectivite}", LIST + 1),  # an operator's chosen collectivité, named
    ("/lookup/?q=structure", AUDITED_LOOKUP),
    ("/choices/collectivites/?q=a", USER + 1),  # at most 20 names
    ("/partnerview/show/{partner}", DETAIL),
    ("/chequeview/show/{cheque}", DETAIL),
    ("/chequierview/show/{chequier}", DETAIL),
    ("/reimbursements/{request}", DETAIL),
    ("/reimbursements/partner/{partner}", DETAIL),
    ("/complaints/{complaint}", DETAIL),
]
API_LISTS = [
    (f"/api/v1/partner/?q=(page_size:{ROWS})", LIST),
    ("/api/v1/reimbursement/", LIST_WITH_COLLECTION),  # the lines with their cheques
    ("/api/v1/reimbursement/{request}", LIST),
    ("/api/v1/collectivite/", LIST),
    ("/api/v1/cgu/", LIST),
]


def ids_of_a(filled) -> dict[str, int]:
    """One row of each kind in collectivité A (the busiest partner, a request with many lines)."""
    a = filled.a.id
    with scoped(EVERYTHING):
        session = db.session
        assert session.scalar(select(db.func.count(Complaint.id)).where(Complaint.collectivite_id == a)) >= ROWS
        assert session.scalar(select(db.func.count(ReimbursementRequest.id))
                              .where(ReimbursementRequest.collectivite_id == a)) >= ROWS
        request = session.scalars(select(ReimbursementRequest).where(ReimbursementRequest.collectivite_id == a)
                                  .order_by(ReimbursementRequest.cheque_count.desc())).first()
        return {
            "partner": request.partner_id,
            "request": request.id,
            "cheque": session.scalar(select(Cheque.id).where(Cheque.collectivite_id == a,
                                                             Cheque.status == ChequeStatus.reimbursed)),
            "chequier": session.scalar(select(Chequier.id).where(Chequier.collectivite_id == a)),
            "complaint": session.scalar(select(Complaint.id).where(Complaint.collectivite_id == a)),
            "collectivite": a,
        }


def measure(client, pages, ids, **kwargs) -> list[str]:
    """The pages over their bound, each with its statements."""
    over = []
    for template, bound in pages:
        url = template.format(**ids)
        with counting() as statements:
            response = client.get(url, **kwargs)
        assert response.status_code == 200, (url, response.status_code)
        if len(statements) > bound:
            over.append(f"{url}: {len(statements)} statements > {bound}\n  " +
                        "\n  ".join(s.split("\n")[0][:160] for s in statements.statements))
    return over


@pytest.mark.parametrize("who", ["correspondent", "operator"])
def test_every_page_and_api_list_sends_a_bounded_number_of_statements(client, filled, who):
    ids = ids_of_a(filled)
    username = filled.world.a.users["correspondent"] if who == "correspondent" else filled.world.operator
    login(client, username)
    over = measure(client, PAGES, ids)
    logout(client)
    headers = api_token(client, username)
    over += measure(client, API_LISTS, ids, headers=headers)
    assert not over, "\n".join(over)
    # The bounded API page did carry 50 requests with their lines and cheques (no lazy load per line).
    result = client.get("/api/v1/reimbursement/", headers=headers).json["result"]
    assert len(result) == ROWS and sum(len(item["lines"]) for item in result) > ROWS


def test_a_list_with_rows_reads_its_page_and_count_in_one_statement(client, filled):
    ids = ids_of_a(filled)
    login(client, filled.world.a.users["correspondent"])
    busy = [(f"/partnerview/list/?psize_PartnerView={ROWS}", USER + 1), (f"/chequeview/list/?psize_ChequeView={ROWS}",
            USER + 1), ("/reimbursements/", USER + 1), ("/complaints/", USER + 1)]
    assert not measure(client, busy, ids)
    logout(client)
    assert not measure(client, [(f"/api/v1/partner/?q=(page_size:{ROWS})", USER + 1)], ids,
                       headers=api_token(client, filled.world.a.users["correspondent"]))


def test_counts_are_capped_and_deep_pages_refused_with_a_message(client, filled, monkeypatch):
    """With the cap lowered to 100 rows: the count says « more than », a page past it is not served."""
    from console.views import lists

    monkeypatch.setattr(lists, "MAX_ROWS", 100)
    login(client, filled.world.operator)
    page = client.get("/chequeview/list/?psize_ChequeView=25&_l_=en").get_data(as_text=True)
    assert "more than 100" in page
    deep = client.get("/chequeview/list/?psize_ChequeView=25&page_ChequeView=9&_l_=en").get_data(as_text=True)
    assert "Only the first 100 rows can be paged through" in deep
    follow_up = client.get("/reimbursements/?page=7&_l_=en").get_data(as_text=True)
    assert "Only the first 100 rows can be paged through" in follow_up and "More than 2 pages" in follow_up
    logout(client)
    headers = api_token(client, filled.world.operator)
    assert client.get("/api/v1/reimbursement/?page=3", headers=headers).status_code == 400
    assert client.get("/api/v1/reimbursement/?page=2", headers=headers).status_code == 200


def test_capped_counts_count_the_collectivite_s_rows_only(filled):
    """Counts select ids only (an index can serve them): still scoped by the tenancy hook."""
    from console.complaints.models import Complaint as C
    from console.tenants.context import only
    from console.views import lists

    with scoped(EVERYTHING):
        own = {model: db.session.scalar(select(db.func.count(model.id)).where(model.collectivite_id == filled.a.id))
               for model in (C, ReimbursementRequest, Partner, Cheque)}
        everyone = db.session.scalar(select(db.func.count(C.id)))
    assert everyone > own[C] > 0
    with scoped(only(filled.a.id)):
        for model in (C, ReimbursementRequest):
            assert lists.capped_count(db.session, select(model).order_by(model.id)) == own[model], model
        for model in (Partner, Cheque):
            interface = lists.ScaledInterface(model, db.session)
            assert interface.query_count(db.session.query(model)) == min(own[model], lists.MAX_ROWS), model
            # A list page reads its count in its own statement: scoped there too, and alone past the last row.
            count, rows = interface.query(page=0, page_size=5)
            assert count == own[model] and len(rows) == 5 and {r.collectivite_id for r in rows} == {filled.a.id}
            assert interface.query(page=own[model], page_size=5) == (own[model], [])
