"""Every console API operation documents the answers of the layers every request crosses (console/openapi.py)."""
from console.inputs import MAX_INTEGER
from console.openapi import document_operation


def test_a_protected_operation_with_an_id_documents_400_401_403_404_422_and_bounds_the_id():
    operation = {"security": [{"jwt": []}], "responses": {200: {"description": "ok"}, "422": {"description": "own"}},
                 "parameters": [{"in": "path", "name": "pk", "schema": {"type": "integer"}},
                                {"in": "query", "name": "n", "schema": {"type": "integer"}}]}
    document_operation("/api/v1/partner/{pk}", operation)
    assert set(map(str, operation["responses"])) == {"200", "400", "401", "403", "404", "422"}
    assert operation["responses"]["422"] == {"description": "own"}  # the operation's own answer is kept
    assert operation["responses"]["403"] == {"$ref": "#/components/responses/403"}
    assert operation["parameters"][0]["schema"] == {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER}
    assert operation["parameters"][1]["schema"] == {"type": "integer"}


def test_an_open_operation_without_path_parameters_documents_400_only():
    operation = {"responses": {"200": {"description": "ok"}}}
    document_operation("/api/v1/security/login", operation)
    assert set(operation["responses"]) == {"200", "400"}


def test_a_rate_limited_operation_documents_429():
    operation = {"responses": {"200": {"description": "ok"}}}
    document_operation("/api/v1/security/login", operation, limited=True)
    assert set(operation["responses"]) == {"200", "400", "429"}
