"""Collectivité A's users never reach B's partner pages, workflow, RIB documents, CGU or history."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from console.extensions import db
from console.partners import api as partners_api
from console.partners.models import (
    AffiliationTransition, BankAccount, CguVersion, PartnerStatus, RibChangeRequest,
)
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import api_token, csrf_token, login, logout, page_text
from tests.partners.helpers import FR_IBAN, PDF, acting_as, in_state, partner

ROLES = ["correspondent", "support", "elected"]


@pytest.fixture
def beta(world):
    """B's approved partner with a RIB document, a pending RIB change and a published CGU."""
    pk = in_state(world, PartnerStatus.approved, 3, tenant="b")
    with acting_as("beta-correspondent") as actor:
        change = partners_api.request_rib_change(db.session, pk, {"holder": "B", "iban": FR_IBAN, "bic": "AGRIFRPP"},
                                                 actor, ("rib.pdf", PDF))
        cgu = partners_api.publish_cgu(db.session, "B-1", change.requested_at.date(), "cgu.pdf", PDF, actor)
        ids = {"partner": pk, "change": change.id, "document": change.document_id, "cgu": cgu.id}
    return ids


def snapshot() -> tuple:
    with scoped(EVERYTHING):
        return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in
                     (AffiliationTransition, BankAccount, RibChangeRequest, CguVersion))


def denied(response) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


@pytest.mark.parametrize("role", ROLES)
def test_pages_and_downloads_of_another_collectivite_are_refused(client, world, beta, role):
    before, status = snapshot(), partner(beta["partner"]).status
    login(client, world.a.users[role])
    for url in (f"/partnerview/show/{beta['partner']}", f"/partnerview/document/{beta['document']}",
                f"/cguversionview/download/{beta['cgu']}", f"/cguversionview/show/{beta['cgu']}"):
        response = client.get(url)
        assert denied(response), (url, response.status_code)
        assert PDF not in response.data
    assert "B-1" not in page_text(client.get("/cguversionview/list/"))
    token = csrf_token(client, "/resetmypassword/form")
    for url, data in ((f"/partnerview/transition/{beta['partner']}", {"action": "suspend", "reason": "x"}),
                      (f"/partnerview/rib/{beta['partner']}/confirm/{beta['change']}", {}),
                      (f"/partnerview/rib/{beta['partner']}/cancel/{beta['change']}", {}),
                      (f"/partnerview/rib/{beta['partner']}", {"holder": "A", "iban": FR_IBAN, "bic": "AGRIFRPP"})):
        client.post(url, data={**data, "csrf_token": token})
    assert snapshot() == before and partner(beta["partner"]).status is status


@pytest.mark.parametrize("role", ROLES)
def test_apis_of_another_collectivite_are_refused(client, world, beta, role):
    before = snapshot()
    headers = api_token(client, world.a.users[role])
    pk = beta["partner"]
    assert denied(client.get(f"/api/v1/affiliation/{pk}/timeline", headers=headers))
    assert denied(client.post(f"/api/v1/affiliation/{pk}/transition", json={"action": "suspend", "reason": "x"},
                              headers=headers))
    assert denied(client.put(f"/api/v1/affiliation/{pk}/information", json={"city": "X"}, headers=headers))
    lookup = client.get("/api/v1/lookup/?q=structure", headers=headers)
    assert denied(lookup) or lookup.json["count"] == 0
    assert snapshot() == before


def test_the_partner_page_shows_the_own_collectivite_its_rib_masked(client, world, beta):
    login(client, "beta-correspondent")
    page = client.get(f"/partnerview/show/{beta['partner']}").get_data(as_text=True)
    assert "Affiliation approuvée" in page and FR_IBAN not in page and "FR76 ****" in page
    assert client.get(f"/partnerview/document/{beta['document']}").data == PDF
    logout(client)
    login(client, "beta-support")
    # Support agents read partners only through the audited look-up, never the partner page nor the RIB.
    assert denied(client.get(f"/partnerview/show/{beta['partner']}"))
    assert denied(client.get(f"/partnerview/document/{beta['document']}"))
    assert client.get(f"/cguversionview/download/{beta['cgu']}").data == PDF
