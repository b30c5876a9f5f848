"""What every operation of the console's REST APIs may answer besides its own responses, in its OpenAPI spec.

The answers below come from layers every request crosses, not from the operation itself, so each operation's
docstring would otherwise have to repeat them (and FAB's generated ones never do):
- 400: ``views/guards.py`` refuses, before any view, a query string or body with bytes that are not UTF-8,
  bad page numbers or sizes, a rison ``q`` nested too deeply, a JSON body that is not an object or holds
  NaN, NUL, unpaired surrogates or integers beyond 2³¹−1;
- 401, 403, 422 (protected operations): no or expired token; roles that do not allow the operation;
  a token Flask-JWT-Extended cannot use (malformed, or an access token where a refresh token is due);
- 404 (operations with a path parameter): an id no row can have, or a row of another collectivité;
- 429 (rate-limited operations, e.g. the API sign-in): too many attempts from the client's address.
Ids in paths are documented as what the routes accept: integers from 1 to 2³¹−1 (anything else is 404).
"""
from __future__ import annotations

from typing import Any

from console.inputs import MAX_INTEGER

PROTECTED = ("401", "403", "422")
TOO_MANY = {"description": "Too many attempts from this address: try again later",
            "content": {"application/json": {"schema": {"type": "object",
                                                        "properties": {"message": {"type": "string"}}}}}}


def _reference(code: str) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{code}"}


def document_operation(path: str, operation: dict[str, Any], limited: bool = False) -> None:
    """Add the generic responses an operation can answer, and bound its integer path ids (in place);
    ``limited``: the operation is rate-limited."""
    responses = operation.setdefault("responses", {})
    codes = {str(code) for code in responses}
    generic = ["400"]
    if operation.get("security"):
        generic += PROTECTED
    if "{" in path:
        generic.append("404")
    for code in generic:
        if code not in codes:
            responses[code] = _reference(code)
    if limited and "429" not in codes:
        responses["429"] = TOO_MANY
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {}) if isinstance(parameter, dict) else {}
        if parameter.get("in") == "path" and schema.get("type") == "integer":
            schema.update(minimum=1, maximum=MAX_INTEGER)


class DocumentedResponses:
    """Mixin of the console's APIs (before FAB's ``BaseApi`` in the bases): each operation of their spec
    documents the generic responses above."""

    def operation_helper(self, path: Any = None, operations: Any = None, methods: Any = None, func: Any = None,
                         **kwargs: Any) -> None:
        super().operation_helper(path, operations, methods, func, **kwargs)
        # FAB's Limit objects name the methods they apply to (the API sign-in: POST).
        limited = {method.lower() for limit in getattr(self, "limits", None) or []
                   for method in (getattr(limit, "methods", None) or ())}
        for method, operation in (operations or {}).items():
            document_operation(str(path or ""), operation, method in limited)
