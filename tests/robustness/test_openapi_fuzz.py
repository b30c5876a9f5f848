"""Schema-based fuzzing of the whole OpenAPI spec (schemathesis, in-process WSGI): for every operation, a
bounded number of generated requests, as a correspondent and as the operator: no 5xx, and every response
conforms to the spec (status code, content type and body schema)."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from tests.conftest import api_token, make_partner

#: Generated requests per operation and role (both databases): bounded so that the suite stays fast.
EXAMPLES = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
#: The login endpoints are fuzzed too: the tests' configuration turns rate limiting off (RATELIMIT_ENABLED,
#: tests/conftest.py), so generated sign-ins reach the endpoint instead of being answered 429.
SKIPPED: set[str] = set()
#: Flask-AppBuilder's own APIs, whose spec the console does not write: only their status is checked (the menu
#: documents its "-" separators as objects; the spec's own endpoint answers 403 for a version it lacks).
FAB_OWN = {"/api/v1/menu/", "/api/{version}/_openapi"}


def fuzz(app, spec: dict, headers: dict[str, str]) -> list[str]:
    schema = schemathesis.openapi.from_dict(spec)
    failures: list[str] = []
    count = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in SKIPPED:
            continue
        count += 1

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            with app.app_context():  # its own context and database session, as each request has in production
                response = case.call(app=app, headers=headers)
            case.validate_response(response, checks=CHECKS[:1] if operation.path in FAB_OWN else CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 — every operation's failure, not the first
            failures.append(f"{operation.method.upper()} {operation.path}: {str(error)[:600]}")
    assert count >= 15, "the spec lists fewer operations than the console has"
    return failures


@pytest.mark.parametrize("role", ["correspondent", "operator"])
def test_the_api_answers_every_generated_request_within_its_contract(app, client, world, role):
    make_partner(world.a.collectivite)
    operator = api_token(client, world.operator)
    spec = client.get("/api/v1/_openapi", headers=operator).json  # the spec is the operators' to read
    headers = operator if role == "operator" else api_token(client, world.a.users["correspondent"])
    failures = fuzz(app, spec, headers)
    assert not failures, "\n\n".join(failures)
