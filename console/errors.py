"""Domain errors: raised by rules and domain APIs, translated by the views.

Domain modules must not import Flask, so they cannot translate. They raise a
``DomainError`` carrying an untranslated message (marked with ``N_`` so that
Babel extracts it) and the raw values (dates, Decimals, enum members) it mentions;
the web layer translates the message and formats the values for the user's locale.
"""
from __future__ import annotations

from enum import Enum
from typing import Any, Callable

from console.labels import label


def _untranslated(message: str, params: dict[str, Any]) -> str:
    shown = {key: label(value) if isinstance(value, Enum) else value for key, value in params.items()}
    return message % shown if params else message


_translator: list[Callable[[str, dict[str, Any]], str]] = [_untranslated]


def install_translator(translator: Callable[[str, dict[str, Any]], str]) -> None:
    """Let the web layer translate messages and format values for the user's locale."""
    _translator[:] = [translator]


def N_(message: str) -> str:
    """Mark a message for extraction without translating it (translated by the views)."""
    return message


class DomainError(Exception):
    """A rule refused an operation; ``message`` is an msgid with %(name)s placeholders."""

    #: HTTP status the APIs answer with.
    status = 422

    def __init__(self, message: str, *, rule: str = "", field: str | None = None, **params: Any):
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.field = field
        self.params = params

    def __str__(self) -> str:
        return _translator[0](self.message, self.params)


class NotFound(DomainError):
    """The object does not exist, or belongs to another collectivité (indistinguishable on purpose)."""

    status = 404


class Forbidden(DomainError):
    """The user's role does not allow the operation."""

    status = 403


class BadRequest(DomainError):
    """The request itself is malformed (e.g. a body that is not a JSON object)."""

    status = 400


class Conflict(DomainError):
    """The operation lost a race or would duplicate something that must be unique."""

    status = 409


class ValidationFailed(DomainError):
    """Several fields are invalid; ``errors`` maps each field to its DomainError."""

    def __init__(self, errors: dict[str, DomainError]):
        self.errors = errors
        first = next(iter(errors.values()))
        super().__init__(first.message, rule=first.rule, field=first.field, **first.params)


#: Unique values the database guarantees, by the names its errors give them (SQLite: ``table.column``,
#: PostgreSQL: the constraint or index name), each with the refusal the domain gives before writing.
_UNIQUE: dict[str, tuple[str, str]] = {}


def register_unique(names: tuple[str, ...], field: str, message: str) -> None:
    """Declare the refusal that a unique constraint's violation stands for (a race past the domain's check)."""
    for name in names:
        _UNIQUE[name] = (field, message)


def unique_refusal(error: Exception) -> Conflict:
    """The documented refusal of the unique constraint a database error names (a generic one if unknown)."""
    text = str(getattr(error, "orig", None) or error.__cause__ or error)
    for name, (field, message) in _UNIQUE.items():
        if name in text:
            return Conflict(message, rule="unique", field=field)
    return Conflict(N_("Someone else saved a conflicting change meanwhile: reload the page and try again."),
                    rule="unique")
