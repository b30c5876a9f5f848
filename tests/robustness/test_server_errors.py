"""500 only for real faults: logged with the request id, which the page and the API's JSON show; and the
route walker reports a route that fails (it would catch a broken route added tomorrow)."""
from __future__ import annotations

import logging

from flask import Flask

from console.views import money_api
from tests.conftest import api_token, login
from tests.robustness.walker import Walker


def _boom(*args, **kwargs):
    raise RuntimeError("a real fault")


def test_a_fault_answers_500_with_the_logged_request_id(app, client, world, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setitem(app.view_functions, "DashboardView.show", _boom)
    login(client, world.a.users["correspondent"])
    with caplog.at_level(logging.ERROR):
        response = client.get("/dashboard/", headers={"X-Request-ID": "abc-1234"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "abc-1234"
    page = response.get_data(as_text=True)
    assert "Erreur du serveur" in page and "référence à l’équipe d’assistance\u00a0: abc-123" in page
    assert "a real fault" not in page
    assert any("abc-1234" in record.getMessage() and record.exc_info for record in caplog.records)


def test_an_api_fault_names_the_request_id_in_its_json(app, client, world, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setattr(money_api, "filtered_requests", _boom)  # inside FAB's @safe: FAB answers "Fatal error"
    headers = api_token(client, world.a.users["correspondent"])
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/reimbursement/", headers={**headers, "X-Request-ID": "<script>"})
    assert response.status_code == 500
    reference = response.json["request_id"]
    assert reference != "<script>" and len(reference) == 32 and response.headers["X-Request-ID"] == reference
    assert reference in response.json["message"] and "Fatal" not in response.json["message"]
    assert any(reference in record.getMessage() for record in caplog.records)


def test_the_walker_reports_a_broken_route_it_was_never_told_about():
    broken = Flask("broken")
    broken.testing = True  # as the console in the tests: a fault escapes as an exception

    @broken.route("/fine/<pk>")
    def fine(pk):
        return "ok"

    @broken.route("/broken/<pk>", methods=["GET", "POST"])
    def crashes(pk):
        return str(int(pk) + 1)  # garbage ids are a ValueError here: a server error

    @broken.route("/unavailable/")
    def unavailable():
        return "down", 503

    walker = Walker(broken, broken.test_client(), per_rule=4)
    failures = walker.walk()
    assert {failure.url.split("?")[0].rsplit("/", 1)[0] for failure in failures} == {"/broken", "/unavailable"}
    assert any(failure.status == "ValueError" for failure in failures)
    assert any(failure.status == 503 for failure in failures)
