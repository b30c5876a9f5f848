"""Every URL rule of the console, for every role, with garbage ids, parameters and bodies: no 5xx."""
from __future__ import annotations

import time
from datetime import date

import pytest
from flask import Flask

from tests.conftest import CSRF_RE, PASSWORD, api_token
from tests.money import helpers
from tests.robustness.walker import Walker

ROLES = ["anonymous", "operator", "correspondent", "support", "elected"]
#: Requests per (rule, method): the roles that reach deep get more.
PER_RULE = {"anonymous": 1, "operator": 2, "correspondent": 1, "support": 1, "elected": 1}
SESSION_ENDING = frozenset({"ConsoleAuthDBView.logout"})


def signed_in(app: Flask, username: str | None) -> Walker:
    """A walker with its own client: signed in through the form (its CSRF token kept) and holding a JWT."""
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    if username is None:
        return Walker(app, client, csrf=token, per_rule=PER_RULE["anonymous"])
    response = client.post("/login/", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return Walker(app, client, csrf=token, headers=api_token(client, username), skip_endpoints=SESSION_ENDING)


@pytest.fixture
def data(world):
    """Rows of every kind in A and B, so that real ids lead somewhere."""
    pa = helpers.approved_partner(world.a.collectivite, 0)
    helpers.approved_partner(world.b.collectivite, 1)
    helpers.schedule(world.a.id, date(2020, 1, 1))
    helpers.accept(helpers.chequier(world.a.id, "A1", date(2030, 1, 31)), pa, date(2026, 1, 5))
    return pa


def test_no_route_answers_a_server_error_to_any_role(app, world, data):
    failures = []
    for offset, role in enumerate(ROLES):
        username = None if role == "anonymous" else world.operator if role == "operator" else world.a.users[role]
        walker = signed_in(app, username)
        walker.real_id = data
        walker.per_rule = PER_RULE[role]
        started = time.monotonic()
        failures += [f"{role}: {failure}" for failure in walker.walk(offset=offset)]
        print(f"{role}: {walker.sent} requests in {time.monotonic() - started:.1f}s")
        assert walker.sent > 200
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:60])
