"""Helpers of the accounts tests: read e-mailed links, ask for one, use one."""
from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from console import jobs
from console.extensions import db
from console.mail import OutboxMessage
from tests.conftest import csrf_token

LINK_RE = re.compile(r"https?://\S+(/password-link/[\w-]+)")


def mails_to(recipient: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == recipient)
                              .order_by(OutboxMessage.id)).all()


def last_link(recipient: str) -> str:
    """The path of the last password link e-mailed to ``recipient``."""
    match = LINK_RE.search(mails_to(recipient)[-1].body)
    assert match, "no password link in the e-mail"
    return match.group(1)


def ask_reset(client: FlaskClient, login: str):
    """« Mot de passe oublié ? » for ``login``; returns the response (the job is left to run)."""
    token = csrf_token(client, "/forgot-password/")
    return client.post("/forgot-password/", data={"login": login, "csrf_token": token})


def choose_password(client: FlaskClient, path: str, password: str):
    token = csrf_token(client, "/forgot-password/")  # the session's token: a used link shows no form
    return client.post(path, data={"password": password, "conf_password": password, "csrf_token": token})


def wait_for_jobs() -> None:
    jobs.runner().wait(timeout=30)
