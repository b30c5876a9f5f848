"""Four-eyes RIB change: recorded by one user, current only once another confirms; history kept; partner told."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from console.config import ROLE_CORRESPONDENT
from console.errors import DomainError, Forbidden, NotFound
from console.extensions import db
from console.partners import api as partners_api
from console.partners.models import BankAccount, PartnerStatus, RibChangeRequest, RibChangeStatus, StoredDocument
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import csrf_token, login, logout, make_user
from tests.partners.helpers import (
    FR_IBAN, OTHER_FR_BIC, OTHER_FR_IBAN, PDF, acting_as, in_state, outbox, partner,
)

NEW_RIB = {"holder": "Association Les Lilas", "iban": OTHER_FR_IBAN.lower(), "bic": OTHER_FR_BIC}


def accounts(pk: int) -> list[BankAccount]:
    with scoped(EVERYTHING):
        return list(db.session.scalars(select(BankAccount).where(BankAccount.partner_id == pk)
                                       .order_by(BankAccount.id).execution_options(populate_existing=True)))


def record(pk: int, username: str = "alpha-correspondent") -> int:
    with acting_as(username) as actor:
        return partners_api.request_rib_change(db.session, pk, NEW_RIB, actor).id


def test_a_change_is_current_only_after_another_user_confirms_it(world):
    pk = in_state(world, PartnerStatus.approved)
    change = record(pk)
    assert [a.iban for a in accounts(pk) if a.current] == [FR_IBAN]
    [requested] = outbox("partner_rib_change_requested")
    assert requested.recipient == partner(pk).email and "fraude" in requested.body
    assert OTHER_FR_IBAN not in requested.body and "FR14" in requested.body  # masked
    with acting_as("operateur") as actor:
        account = partners_api.confirm_rib_change(db.session, change, actor)
        account_id = account.id
    current, = [a for a in accounts(pk) if a.current]
    assert (current.id, current.iban, current.change_request_id) == (account_id, OTHER_FR_IBAN, change)
    assert [a.iban for a in accounts(pk) if not a.current] == [FR_IBAN]
    with acting_as("alpha-correspondent"):
        assert partners_api.current_bank_account(db.session, pk).id == account_id
    [changed] = outbox("partner_rib_changed")
    assert changed.recipient == partner(pk).email and "déjà validés" in changed.body


def test_the_recorder_cannot_confirm_their_own_change(world):
    pk = in_state(world, PartnerStatus.approved)
    change = record(pk)
    with pytest.raises(Forbidden) as refused, acting_as("alpha-correspondent") as actor:
        partners_api.confirm_rib_change(db.session, change, actor)
    assert refused.value.rule == "rib_four_eyes"
    assert [a.iban for a in accounts(pk) if a.current] == [FR_IBAN]


def test_a_second_correspondent_of_the_same_collectivite_confirms(world):
    with scoped(EVERYTHING):
        make_user("alpha-correspondent2", ROLE_CORRESPONDENT, world.a.collectivite)
    pk = in_state(world, PartnerStatus.approved)
    change = record(pk)
    with acting_as("alpha-correspondent2") as actor:
        partners_api.confirm_rib_change(db.session, change, actor)
    assert [a.iban for a in accounts(pk) if a.current] == [OTHER_FR_IBAN]


@pytest.mark.parametrize("username, error", [("beta-correspondent", NotFound), ("alpha-support", Forbidden)])
def test_another_tenant_or_a_support_agent_cannot_confirm(world, username, error):
    pk = in_state(world, PartnerStatus.approved)
    change = record(pk)
    with pytest.raises(error), acting_as(username) as actor:
        partners_api.confirm_rib_change(db.session, change, actor)
    with scoped(EVERYTHING):
        assert db.session.get(RibChangeRequest, change, populate_existing=True).status is RibChangeStatus.pending


def test_a_decided_change_cannot_be_confirmed_again(world):
    pk = in_state(world, PartnerStatus.approved)
    change = record(pk)
    with acting_as("operateur") as actor:
        partners_api.cancel_rib_change(db.session, change, actor)
    with pytest.raises(DomainError, match="déjà été traité"), acting_as("operateur") as actor:
        partners_api.confirm_rib_change(db.session, change, actor)
    assert len(accounts(pk)) == 1


def test_an_invalid_rib_is_refused_field_by_field(world):
    pk = in_state(world, PartnerStatus.approved)
    with pytest.raises(DomainError) as refused, acting_as("alpha-correspondent") as actor:
        partners_api.request_rib_change(db.session, pk, {"holder": "", "iban": "FR7630006000011234567890188",
                                                         "bic": "AGRI"}, actor)
    assert set(refused.value.errors) == {"holder", "iban", "bic"}
    with scoped(EVERYTHING):
        assert db.session.scalar(select(func.count(RibChangeRequest.id))) == 0


def page_post(client, username, url, data):
    login(client, username)
    token = csrf_token(client, "/resetmypassword/form")
    return client.post(url, data={**data, "csrf_token": token}, content_type="multipart/form-data")


def test_the_partner_page_records_and_confirms_with_a_document_and_masks_ibans(client, world):
    pk = in_state(world, PartnerStatus.approved)
    response = page_post(client, "alpha-correspondent", f"/partnerview/rib/{pk}",
                         {**NEW_RIB, "file": (io.BytesIO(PDF), "rib lilas.pdf")})
    assert response.status_code == 302
    page = client.get(f"/partnerview/show/{pk}").get_data(as_text=True)
    assert "FR76 **** **** **** **** ***0 189" in page and FR_IBAN not in page and OTHER_FR_IBAN not in page
    with scoped(EVERYTHING):
        change = db.session.scalar(select(RibChangeRequest))
        document_id = change.document_id
    assert client.get(f"/partnerview/document/{document_id}").data == PDF
    logout(client)
    response = page_post(client, "operateur", f"/partnerview/rib/{pk}/confirm/{change.id}", {})
    assert response.status_code == 302
    assert [a.document_id for a in accounts(pk) if a.current] == [document_id]


def test_a_fake_rib_document_stores_nothing(client, world):
    pk = in_state(world, PartnerStatus.approved)
    page_post(client, "alpha-correspondent", f"/partnerview/rib/{pk}",
              {**NEW_RIB, "file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "rib.pdf")})
    with scoped(EVERYTHING):
        assert db.session.scalar(select(func.count(RibChangeRequest.id))) == 0
        assert db.session.scalar(select(func.count(StoredDocument.id))) == 0
