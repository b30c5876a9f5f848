"""Search-as-you-type choices: never a drop-down of every partner, scoped to the collectivité, audited."""
from __future__ import annotations

import re

from sqlalchemy import select

from console.extensions import db
from console.money.models import ReimbursementRequest, RequestStatus
from console.partners.models import Partner
from console.tenants.context import EVERYTHING, scoped
from tests.audit.helpers import events
from tests.conftest import login, logout


def ids(model, collectivite_id, *where) -> set[int]:
    with scoped(EVERYTHING):
        return set(db.session.scalars(select(model.id).where(model.collectivite_id == collectivite_id, *where)))


def test_partner_choices_of_a_never_hold_b_rows_and_are_audited(client, filled):
    login(client, filled.world.a.users["correspondent"])
    a_partners, b_partners = ids(Partner, filled.a.id), ids(Partner, filled.b.id)
    for term in ("mediatheque", "Centre", "PN-BET-0000", "PN-ALP-0000"):
        results = client.get(f"/choices/partners/?q={term}").json["results"]
        assert {row["id"] for row in results} <= a_partners, term
    assert client.get("/choices/partners/?q=Centre").json["results"], "A's own partners are found"
    approved = client.get("/choices/partners/?q=Centre&approved=1").json["results"]
    with scoped(EVERYTHING):
        assert all(db.session.get(Partner, row["id"]).status.value == "approved" for row in approved)
    logged = [event for event in events(action="lookup.search") if event.details_dict["channel"] == "choice"]
    assert len(logged) == 6 and {entry.collectivite_id for entry in logged} == {filled.a.id}
    assert b_partners and not a_partners & b_partners


def test_paid_request_choices_of_a_never_hold_b_rows(client, filled):
    login(client, filled.world.a.users["correspondent"])
    paid = RequestStatus.paid
    a_paid = ids(ReimbursementRequest, filled.a.id, ReimbursementRequest.status == paid)
    b_paid = ids(ReimbursementRequest, filled.b.id, ReimbursementRequest.status == paid)
    own, other = min(a_paid), min(b_paid)
    assert [row["id"] for row in client.get(f"/choices/paid-requests/?q=RB-{own:07d}").json["results"]] == [own]
    assert client.get(f"/choices/paid-requests/?q=RB-{other:07d}").json["results"] == []
    found = client.get("/choices/paid-requests/?q=centre").json["results"]
    assert found and {row["id"] for row in found} <= a_paid


def test_no_page_lists_every_partner(client, filled):
    """The operator's pages with a partner or request field hold the chosen row at most, never all of them."""
    login(client, filled.world.operator)
    for url in ("/chequeview/list/", "/reimbursements/", "/reimbursements/new", "/reimbursements/accept",
                "/complaints/new"):
        page = client.get(url).get_data(as_text=True)
        assert "data-choices-url" in page, url
        assert page.count("<option") < 30, url  # statuses and channels, not 160 partners
        assert "/static/js/choices.js" in page, url
    script = client.get("/static/js/choices.js")
    script.close()  # a file response: close it, or its file stays open
    assert script.status_code == 200


def test_choices_need_the_rights_of_the_form_they_serve(client, world):
    assert client.get("/choices/partners/?q=Centre").status_code in (302, 401, 403)
    login(client, world.a.users["support"])  # uses the audited look-up page, never a money form
    assert client.get("/choices/partners/?q=Centre").status_code == 403
    assert client.get("/choices/paid-requests/?q=Centre").status_code == 403
    logout(client)
    login(client, world.a.users["correspondent"])
    assert client.get("/choices/paid-requests/?q=Centre").status_code == 200


def unescaped(page: str) -> str:
    """The page with FAB's search form fields readable: it sends their HTML as JSON (\\u003c for <)."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda match: chr(int(match.group(1), 16)), page).replace('\\"', '"')


def test_collectivite_choices_of_a_hold_a_only_and_the_operator_searches_by_name(client, world):
    login(client, world.a.users["correspondent"])
    for term in ("", "a", "Bêta", "%", "_"):
        results = client.get("/choices/collectivites/", query_string={"q": term}).json["results"]
        assert {row["id"] for row in results} <= {world.a.id}, term
    assert [row["id"] for row in client.get("/choices/collectivites/?q=alpha").json["results"]] == [world.a.id]
    logout(client)
    login(client, world.operator)
    assert [row["text"] for row in client.get("/choices/collectivites/?q=bêta").json["results"]] == \
        ["Département de Bêta"]
    assert client.get("/choices/collectivites/?q=%25").json["results"] == []  # a literal %, not a wildcard


def test_the_collectivite_filters_hold_the_chosen_collectivite_only(client, filled):
    world = filled.world
    login(client, world.operator)
    for url in ("/partnerview/list/", "/users/list/", "/dashboard/", "/exports/"):
        page = unescaped(client.get(url).get_data(as_text=True))
        assert 'data-choices-url="/choices/collectivites/"' in page, url
        assert "Alpha</option>" not in page and "Bêta</option>" not in page, url
    filtered = unescaped(client.get(f"/partnerview/list/?_flt_0_collectivite={world.b.id}").get_data(as_text=True))
    assert f'<option value="{world.b.id}" selected>Département de Bêta</option>' in filtered
    assert "PN-BET" in filtered and "PN-ALP" not in filtered
    narrowed = client.get(f"/dashboard/?collectivite={world.b.id}").get_data(as_text=True)
    assert f'<option value="{world.b.id}" selected>Département de Bêta</option>' in narrowed
