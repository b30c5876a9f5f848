"""« Mot de passe oublié ? » e-mails a single-use link; the current password works until it is used."""
from __future__ import annotations

import statistics
import time
from datetime import timedelta

from sqlalchemy import select, update

from console.accounts.models import PasswordLink
from console.extensions import db
from console.tenants.models import utcnow
from tests.accounts.helpers import ask_reset, choose_password, last_link, mails_to, wait_for_jobs
from tests.conftest import PASSWORD, csrf_token, login
from tests.tenants.test_users import create_user, user_named

NEW = "Nouveau-mot-de-passe-7"
SUPPORT_MAIL = "alpha-support@test.example.fr"


def api_login(client, username, password):
    return client.post("/api/v1/security/login",
                       json={"username": username, "password": password, "provider": "db"}).status_code


def test_the_link_works_once_and_the_old_password_until_then(client, app, alpha):
    response = ask_reset(client, "alpha-support")
    assert response.status_code == 302
    wait_for_jobs()
    path = last_link(SUPPORT_MAIL)
    stored = db.session.scalars(select(PasswordLink.token_hash)).one()
    assert path.rsplit("/", 1)[1] not in stored and len(stored) == 64  # only the token's hash is kept
    assert api_login(client, "alpha-support", PASSWORD) == 200  # nothing changed yet
    assert client.get(path).status_code == 200

    assert choose_password(client, path, NEW).status_code == 302
    assert api_login(client, "alpha-support", PASSWORD) == 401
    assert api_login(client, "alpha-support", NEW) == 200
    # Used: the page refuses it and sends back to the form, and a second password cannot be set through it.
    again = client.get(path)
    assert again.status_code == 302 and "/forgot-password/" in again.headers["Location"]
    assert choose_password(client, path, "Encore-un-autre-9").status_code == 302
    assert api_login(client, "alpha-support", NEW) == 200


def test_a_weak_password_is_refused_and_the_link_still_works(client, alpha):
    ask_reset(client, "alpha-support")
    wait_for_jobs()
    path = last_link(SUPPORT_MAIL)
    page = choose_password(client, path, "court-1")
    assert page.status_code == 200 and "12" in page.get_data(as_text=True)
    assert choose_password(client, path, NEW).status_code == 302


def test_expired_and_replaced_links_are_refused(client, alpha):
    ask_reset(client, "alpha-support")
    wait_for_jobs()
    first = last_link(SUPPORT_MAIL)
    ask_reset(client, SUPPORT_MAIL)  # by e-mail this time: a newer link replaces the first
    wait_for_jobs()
    second = last_link(SUPPORT_MAIL)
    assert first != second
    assert client.get(first).status_code == 302
    assert client.get(second).status_code == 200
    db.session.execute(update(PasswordLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get(second).status_code == 302
    assert choose_password(client, second, NEW).status_code == 302
    assert api_login(client, "alpha-support", PASSWORD) == 200
    assert client.get("/password-link/not-a-token").status_code == 302


def test_unknown_logins_get_the_same_answer_and_no_mail(client, alpha):
    known = ask_reset(client, "alpha-support")
    unknown = ask_reset(client, "nobody")
    wait_for_jobs()
    assert known.headers["Location"] == unknown.headers["Location"]
    page = client.get(known.headers["Location"]).get_data(as_text=True)
    assert "Si un compte correspond" in page
    assert [m.recipient for m in mails_to(SUPPORT_MAIL)] == [SUPPORT_MAIL]
    assert db.session.scalars(select(PasswordLink.user_id)).all() != []
    assert len(mails_to("nobody")) == 0


def test_known_and_unknown_logins_take_the_same_time(client, alpha):
    """Measured over several tries each, interleaved: the medians stay within a small factor."""
    timings = {"alpha-correspondent": [], "nobody-at-all": []}
    for _ in range(6):
        for login_name, times in timings.items():
            token = csrf_token(client, "/forgot-password/")
            start = time.perf_counter()
            client.post("/forgot-password/", data={"login": login_name, "csrf_token": token})
            times.append(time.perf_counter() - start)
            wait_for_jobs()  # the job's own work is not part of the answer's time
    known, unknown = (statistics.median(times) for times in timings.values())
    assert max(known, unknown) / min(known, unknown) < 2.0, timings


def test_an_account_gets_at_most_three_reset_mails_an_hour(client, alpha):
    for _ in range(4):
        ask_reset(client, "alpha-support")
        wait_for_jobs()
    assert len(mails_to(SUPPORT_MAIL)) == 3


def test_a_user_created_by_a_correspondent_receives_a_link_not_a_password(client, app, alpha):
    login(client, "alpha-correspondent")
    create_user(client, app)
    user = user_named("alpha-new-elu")
    assert user is not None and user.collectivite_id == alpha.id
    [mail] = mails_to("ines@alpha.fr")
    assert "/password-link/" in mail.body and "Mot de passe temporaire" not in mail.body
    fresh = app.test_client()
    path = last_link("ines@alpha.fr")
    assert choose_password(fresh, path, NEW).status_code == 302
    login(fresh, "alpha-new-elu", NEW)
    assert fresh.get("/dashboard/").status_code == 200
