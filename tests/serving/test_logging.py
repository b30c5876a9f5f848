"""One JSON line per request and per job; the request id in X-Request-ID and on error pages."""
from __future__ import annotations

import json
import logging

from console import jobs
from console.logging import JsonFormatter
from tests.conftest import api_token, login


def request_lines(caplog) -> list[dict]:
    return [record.fields for record in caplog.records if record.name == "console.request"]


def test_every_answer_carries_a_request_id_and_keeps_a_safe_incoming_one(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first.headers["X-Request-ID"]) == 32 and first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    assert client.get("/healthz", headers={"X-Request-ID": "lb-0f3a9c2e"}).headers["X-Request-ID"] == "lb-0f3a9c2e"
    for unsafe in ("a b;Set-Cookie: x=1", "short", "x" * 65, "<script>alert(1)</script>"):
        returned = client.get("/healthz", headers={"X-Request-ID": unsafe}).headers["X-Request-ID"]
        assert returned != unsafe and len(returned) == 32


def test_one_line_per_request_with_user_collectivite_route_status_and_duration(client, world, caplog):
    caplog.set_level(logging.INFO, logger="console.request")
    login(client, world.a.users["correspondent"])
    caplog.clear()
    response = client.get("/partnerview/list/?_flt_0_name=Zola")
    line = request_lines(caplog)[-1]
    user_id = next(u.id for u in client.application.appbuilder.sm.get_all_users()
                   if u.username == world.a.users["correspondent"])
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert (line["user_id"], line["collectivite_id"], line["status"]) == (user_id, world.a.id, response.status_code)
    assert line["route"] == "/partnerview/list/" and response.status_code == 200 and line["method"] == "GET" and line["duration_ms"] >= 0
    assert "Zola" not in json.dumps(line)  # the query string (a look-up's terms) is never logged

    headers = api_token(client, world.b.users["correspondent"])
    caplog.clear()
    client.get("/api/v1/partner/", headers=headers)
    line = request_lines(caplog)[-1]
    assert line["collectivite_id"] == world.b.id and line["route"] == "/api/v1/partner/"


def test_an_error_page_shows_the_request_id(client, world):
    login(client, world.a.users["elected"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert f"(à donner au support)\u00a0: {response.headers['X-Request-ID']}" in response.get_data(as_text=True)


def test_one_line_per_job_with_the_request_that_asked_for_it(app, caplog):
    caplog.set_level(logging.INFO, logger="console.job")
    with app.test_request_context("/", headers={"X-Request-ID": "asked-by-0001"}):
        jobs.enqueue(divide, 6, 3)
        jobs.enqueue(divide, 1, 0)
    jobs.runner().wait(timeout=30)
    lines = sorted((r.fields for r in caplog.records if r.name == "console.job"), key=lambda f: f["args"])
    assert [(line["args"], line["status"], line["request_id"]) for line in lines] == [
        ([1, 0], "failed", "asked-by-0001"), ([6, 3], "done", "asked-by-0001")]
    assert lines[0]["job"] == f"{divide.__module__}.divide" and lines[0]["job_id"] and lines[0]["duration_ms"] >= 0


def divide(a: int, b: int) -> float:
    return a / b


def test_the_json_line_format():
    record = logging.LogRecord("console.request", logging.INFO, __file__, 1, "request", None, None)
    record.fields = {"status": 200, "route": "/partner/list/"}
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "request" and line["level"] == "info" and line["status"] == 200
    assert line["time"].endswith("+00:00")
