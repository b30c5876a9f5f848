"""Sending the identifier e-mail again: from the look-up (support agents) and the partner page
(correspondents), audited, limited per partner and per user, never for another collectivité's partner."""
from __future__ import annotations

import html

from sqlalchemy import select

from console.audit.models import AuditEvent
from console.extensions import db
from console.mail import OutboxMessage
from console.partners.models import Partner
from console.tenants.context import EVERYTHING, scoped
from tests.conftest import csrf_token, login, logout, make_partner, page_text


def sent(partner_id: int) -> tuple[list[OutboxMessage], list[AuditEvent]]:
    with scoped(EVERYTHING):
        db.session.expire_all()
        mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "partner_identifier")
                                   .order_by(OutboxMessage.id)).all()
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "partner.resend_identifier",
                                                             AuditEvent.object_id == str(partner_id))).all()
        partner = db.session.get(Partner, partner_id)
        return [m for m in mails if m.recipient == partner.email], events


def test_resend_is_audited_limited_and_stays_in_the_collectivite(client, world):
    mine, other, theirs = (make_partner(world.a.collectivite, number=1), make_partner(world.a.collectivite, number=2),
                           make_partner(world.b.collectivite, number=3))
    login(client, world.a.users["support"])
    page = page_text(client.get("/lookup/?q=Zola"))
    assert f'action="/lookup/resend/{mine}"' in page  # the button sits with the look-up's results
    token = csrf_token(client, "/")
    assert client.post(f"/lookup/resend/{mine}").status_code == 400  # no CSRF token: refused
    assert client.get(f"/lookup/resend/{mine}").status_code == 405
    # Another collectivité's partner does not exist for A: 404, nothing sent, nothing recorded.
    assert client.post(f"/lookup/resend/{theirs}", data={"csrf_token": token}).status_code == 404
    assert sent(theirs) == ([], [])
    for _ in range(3):
        response = client.post(f"/lookup/resend/{mine}", data={"csrf_token": token}, follow_redirects=True)
        assert "a été renvoyé à l’adresse enregistrée" in html.unescape(page_text(response))
    refused = html.unescape(page_text(client.post(f"/lookup/resend/{mine}", data={"csrf_token": token},
                                                  follow_redirects=True)))
    assert "déjà été renvoyé 3 fois au cours de la dernière heure\u00a0: réessayez après" in refused
    mails, events = sent(mine)
    assert len(mails) == 3 and len(events) == 3 and "PN-" in mails[0].body
    assert {e.actor_login for e in events} == {world.a.users["support"]}
    logout(client)
    # A correspondent sends it from the partner page, and comes back to it; the limit is per partner.
    login(client, world.a.users["correspondent"])
    assert 'id="resend-identifier"' in page_text(client.get(f"/partnerview/show/{other}"))
    response = client.post(f"/lookup/resend/{other}", data={"csrf_token": csrf_token(client, "/"), "back": "partner"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/partnerview/show/{other}")
    assert len(sent(other)[0]) == 1
