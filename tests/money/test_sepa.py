"""The SEPA credit transfer file of a payment batch: valid against the official pain.001.001.03 schema, the
batch's count, sums and frozen RIBs; the debtor account set by the operator only; another collectivité's
batch unreachable."""
import html
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from console.audit.models import AuditEvent
from console.extensions import db
from console.money import api as money_api
from console.tenants.context import EVERYTHING, scoped
from console.tenants.models import Collectivite
from tests.conftest import api_token, login
from tests.money import helpers
from tests.money.helpers import accept, chequier, operator, submit
from tests.money.test_views import TODAY

XSD = etree.XMLSchema(etree.parse(str(Path(__file__).parent.parent / "data" / "pain.001.001.03.xsd")))
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
DEBTOR = {"debtor_name": "Trésor public – Ville d’Alpha", "debtor_iban": "FR76 1007 1690 0000 0020 0123 464",
          "debtor_bic": "trpufrp1"}


def batch_of(money, tenant, partner, prefix: str, sizes: tuple[int, ...]) -> tuple[int, list]:
    """A payment batch of validated requests of ``sizes`` cheques each, priced with fees (odd cents)."""
    numbers = chequier(tenant.id, prefix, TODAY + timedelta(days=30))
    accept(numbers[:sum(sizes)], partner, TODAY)
    requests, start = [], 0
    for size in sizes:
        requests.append(submit(partner, numbers[start:start + size], TODAY).request)
        start += size
    with operator():
        for request in requests:
            money_api.validate_request(db.session, request.id, TODAY)
        batch = money_api.add_to_batch(db.session, [r.id for r in requests], TODAY + timedelta(days=3))
        return batch.id, [(r.reference, r.net, r.rib_iban) for r in requests]


@pytest.fixture
def batches(money):
    for tenant in (money.world.a, money.world.b):
        helpers.schedule(tenant.id, TODAY - timedelta(days=1), rate="1.5", fixed="0.10")  # 0,25 € per cheque
    a = batch_of(money, money.world.a, money.pa, "SA", (3, 1))
    b = batch_of(money, money.world.b, money.pb, "SB", (2,))
    return {"a": a, "b": b}


def set_debtor(app, collectivite_id: int, body: dict, headers: dict):
    return app.test_client().put(f"/api/v1/collectivite/{collectivite_id}", json=body, headers=headers)


# ``client``: every request in its own application context (its own ``g`` and scope), as in production.
def test_the_operator_s_debtor_account_then_a_schema_valid_file_with_the_batch_s_counts_sums_and_ribs(
        app, client, money, batches):
    batch, requests = batches["a"]
    operator = api_token(app.test_client(), "operateur")
    login(client, money.world.a.users["correspondent"])
    # no debtor account yet: the link is disabled with its reason, the file refused
    page = html.unescape(client.get(f"/reimbursements/batches/{batch}").get_data(as_text=True))
    assert 'id="sepa-file"' not in page and 'disabled aria-describedby="sepa-refused"' in page
    assert "n’a pas encore de compte à débiter" in page
    refused = client.get(f"/reimbursements/batches/{batch}/transfers.xml")
    assert refused.status_code == 302 and refused.location.endswith(f"/reimbursements/batches/{batch}")
    # the operator alone sets it, checked (IBAN key, all three together) and audited
    wrong = set_debtor(app, money.world.a.id, {**DEBTOR, "debtor_iban": "FR76 1007 1690 0000 0020 0123 457"},
                       operator)
    assert wrong.status_code == 422 and "debtor_iban" in wrong.json["message"]
    partial = set_debtor(app, money.world.a.id, {"debtor_name": "Trésor public"}, operator)
    assert partial.status_code == 422 and "debtor_iban" in partial.json["message"]
    correspondent = app.test_client().put(f"/api/v1/collectivite/{money.world.a.id}", json=DEBTOR,
                                          headers=api_token(app.test_client(), money.world.a.users["correspondent"]))
    assert correspondent.status_code in (401, 403)
    with scoped(EVERYTHING):
        db.session.expire_all()
        assert db.session.get(Collectivite, money.world.a.id).debtor_iban is None
    assert set_debtor(app, money.world.a.id, DEBTOR, operator).status_code == 200
    with scoped(EVERYTHING):
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "collectivite.update")).one()
    assert event.details_dict["changes"]["debtor_iban"] == [None, "FR7610071690000000200123464"]
    helpers.rib(money.pa, helpers.OTHER_IBAN)  # a later RIB change does not touch validated requests
    assert 'id="sepa-file"' in client.get(f"/reimbursements/batches/{batch}").get_data(as_text=True)
    response = client.get(f"/reimbursements/batches/{batch}/transfers.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert "attachment" in response.headers["Content-Disposition"]
    document = etree.fromstring(response.data)
    XSD.assertValid(document)
    total = sum(net for _, net, _ in requests)
    assert total == Decimal("9.75") * 4  # 4 cheques of 10,00 € less 0,25 € of fees each
    for block in ("p:CstmrCdtTrfInitn/p:GrpHdr", "p:CstmrCdtTrfInitn/p:PmtInf"):
        assert document.findtext(f"{block}/p:NbOfTxs", namespaces=NS) == str(len(requests))
        assert Decimal(document.findtext(f"{block}/p:CtrlSum", namespaces=NS)) == total
    info = document.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert info.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == "FR7610071690000000200123464"
    assert info.findtext("p:DbtrAgt/p:FinInstnId/p:BIC", namespaces=NS) == "TRPUFRP1"
    assert info.findtext("p:ReqdExctnDt", namespaces=NS) == (TODAY + timedelta(days=3)).isoformat()
    transfers = {tx.findtext("p:PmtId/p:EndToEndId", namespaces=NS): tx
                 for tx in info.findall("p:CdtTrfTxInf", NS)}
    assert set(transfers) == {reference for reference, _, _ in requests}
    for reference, net, iban in requests:
        amount = transfers[reference].find("p:Amt/p:InstdAmt", NS)
        assert (Decimal(amount.text), amount.get("Ccy")) == (net, "EUR")
        assert transfers[reference].findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) == iban == helpers.IBAN
    # collectivité B's batch stays out of A's reach, whatever its debtor account
    assert set_debtor(app, money.world.b.id, DEBTOR, operator).status_code == 200
    b_batch, _ = batches["b"]
    for url in (f"/reimbursements/batches/{b_batch}/transfers.xml", f"/reimbursements/batches/{b_batch}"):
        assert client.get(url).status_code == 404
