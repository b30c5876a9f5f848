"""Approving several checked affiliation requests from the partner list (Flask-AppBuilder action): a page of
what will happen first, then each approval its own audited workflow step; refusals keep their rule; offered to
correspondents only; another collectivité's ids answer 404."""
import html
import re

from sqlalchemy import select

from console.audit.models import AuditEvent
from console.extensions import db
from console.partners.models import PartnerStatus
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import csrf_token, login, logout
from tests.partners.helpers import in_state, partner

ACTION = {"action": "approve_checked"}


def approvals() -> list[str]:
    with scoped(EVERYTHING):
        db.session.expire_all()
        return list(db.session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "partner.approve")
                                       .order_by(AuditEvent.id)))


def status(pk: int) -> PartnerStatus:
    with scoped(EVERYTHING):
        db.session.expire_all()
        return partner(pk).status


def test_bulk_approval_approves_the_checked_requests_and_lists_the_others_with_their_rule(client, world):
    ready, no_rib, submitted, other = (in_state(world, PartnerStatus.checked, 0),
                                       in_state(world, PartnerStatus.checked, 1, rib=False),
                                       in_state(world, PartnerStatus.submitted, 2),
                                       in_state(world, PartnerStatus.checked, 3))
    foreign = in_state(world, PartnerStatus.checked, 4, tenant="b")
    login(client, "operateur")
    assert "approve_checked" not in client.get("/partnerview/list/").get_data(as_text=True)  # not the operator's
    logout(client)
    login(client, world.a.users["correspondent"])
    listing = client.get("/partnerview/list/").get_data(as_text=True)
    assert "approve_checked" in listing and "Approuver les demandes cochées" in listing
    token = csrf_token(client, "/partnerview/list/")
    ids = [ready, no_rib, submitted, other]
    confirm = client.post("/partnerview/action_post", data={**ACTION, "rowid": ids, "csrf_token": token})
    page = html.unescape(confirm.get_data(as_text=True))
    assert confirm.status_code == 200 and re.findall(r'data-outcome="(\w+)"', page) == [
        "accepted", "refused", "refused", "accepted"]
    assert "<code>affiliation_rib</code>" in page and "<code>affiliation_transition</code>" in page
    assert status(ready) is PartnerStatus.checked and approvals() == []  # nothing done yet
    for foreign_ids in ([ready, foreign], [foreign]):
        response = client.post("/partnerview/action_post", data={**ACTION, "rowid": foreign_ids, "confirmed": "1",
                                                                  "csrf_token": token})
        assert response.status_code == 404
    assert status(foreign) is PartnerStatus.checked and status(ready) is PartnerStatus.checked
    done = client.post("/partnerview/action_post", data={**ACTION, "rowid": ids, "confirmed": "1",
                                                         "csrf_token": token})
    assert done.status_code == 200 and "le partenaire en a été informé par courriel" in html.unescape(
        done.get_data(as_text=True))
    assert [status(pk) for pk in ids] == [PartnerStatus.approved, PartnerStatus.checked, PartnerStatus.submitted,
                                          PartnerStatus.approved]
    assert approvals() == [str(ready), str(other)]
