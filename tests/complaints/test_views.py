"""Complaints pages: recording in and out of time, days left, isolation between collectivités, role limits."""
import html
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from console.complaints import api as complaints_api
from console.complaints.models import Complaint, ComplaintEvent, ComplaintStatus
from console.extensions import db
from console.tenants.context import EVERYTHING, scoped
from tests.complaints.test_api import paid_request
from tests.conftest import csrf_token, login
from tests.money.helpers import operator

TODAY = date.today()


def complaint_state(complaint_id: int) -> tuple[ComplaintStatus, int]:
    with scoped(EVERYTHING):
        db.session.expire_all()
        status = db.session.scalar(select(Complaint.status).where(Complaint.id == complaint_id))
        events = db.session.scalar(select(func.count()).where(ComplaintEvent.complaint_id == complaint_id))
    return status, events


@pytest.fixture
def complaints(money):
    """A paid request and a complaint under review in each collectivité."""
    made = {}
    for key in ("a", "b"):
        request_id = paid_request(money, TODAY - timedelta(days=10), f"CV{key.upper()}", key)
        with operator():
            complaint = complaints_api.record_complaint(db.session, request_id, TODAY, "phone", "Écart")
            complaints_api.start_review(db.session, complaint.id)
        made[key] = {"request": request_id, "complaint": complaint.id}
    return made


def test_a_correspondent_records_a_late_complaint_which_is_flagged_and_cannot_be_accepted(app, money):
    request_id = paid_request(money, TODAY - timedelta(days=70), "LATE")
    client = login(app.test_client(), money.world.a.users["correspondent"])
    token = csrf_token(client, "/complaints/new")
    response = client.post("/complaints/new", data={"request": request_id, "received_on": TODAY.isoformat(),
                                                    "channel": "letter", "description": "Trop tard",
                                                    "csrf_token": token})
    assert response.status_code == 302
    listing = client.get("/complaints/").get_data(as_text=True)
    assert "out-of-time" in listing and 'class="days-left">Délai clos' in listing
    with scoped(EVERYTHING):
        complaint_id = db.session.scalar(select(Complaint.id))
    client.post(f"/complaints/{complaint_id}/review", data={"csrf_token": token})
    page = client.post(f"/complaints/{complaint_id}/accept", data={"correction_amount": "1,50", "reason": "ok",
                                                                  "csrf_token": token}, follow_redirects=True)
    assert "devait être reçue au plus tard le" in html.unescape(page.get_data(as_text=True))
    assert complaint_state(complaint_id) == (ComplaintStatus.under_review, 2)


def test_complaint_pages_and_actions_never_reach_another_collectivite(app, money, complaints):
    client = login(app.test_client(), money.world.a.users["correspondent"])
    b = complaints["b"]
    listing = client.get("/complaints/").get_data(as_text=True)
    assert f'data-complaint="{complaints["a"]["complaint"]}"' in listing
    assert f'data-complaint="{b["complaint"]}"' not in listing
    assert client.get(f"/complaints/{b['complaint']}").status_code == 404
    assert f'value="{b["request"]}"' not in client.get("/complaints/new").get_data(as_text=True)
    token = csrf_token(client, "/complaints/new")
    for url, data in ((f"/complaints/{b['complaint']}/accept", {"correction_amount": "1", "reason": "x"}),
                      (f"/complaints/{b['complaint']}/reject", {"reason": "x"}),
                      ("/complaints/new", {"request": b["request"], "received_on": TODAY.isoformat(),
                                           "channel": "email", "description": "x"})):
        assert client.post(url, data={**data, "csrf_token": token}).status_code == 404, url
    assert complaint_state(b["complaint"]) == (ComplaintStatus.under_review, 2)
    with scoped(EVERYTHING):
        assert db.session.scalar(select(func.count()).select_from(Complaint)) == 2


@pytest.mark.parametrize("role", ["elected", "support"])
def test_elus_and_support_agents_cannot_accept_complaints(app, money, complaints, role):
    client = login(app.test_client(), money.world.a.users[role])
    a = complaints["a"]
    assert client.get("/complaints/").status_code in (302, 403)
    token = csrf_token(client, "/exports/")
    response = client.post(f"/complaints/{a['complaint']}/accept",
                           data={"correction_amount": "1", "reason": "x", "csrf_token": token})
    assert response.status_code in (302, 403)
    assert complaint_state(a["complaint"]) == (ComplaintStatus.under_review, 2)
