"""The current tenant scope: which collectivité the running code may see.

Set once per request (from the logged-in user) or per job (from the user the
job runs for); read by the session hook of ``scoping``. Deny by default: code
that runs with no scope sees no tenant-owned row.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Callable, Iterator, Optional


@dataclass(frozen=True)
class Scope:
    """Everything (operators), one collectivité, or nothing."""

    everything: bool = False
    collectivite_id: Optional[int] = None

    @property
    def nothing(self) -> bool:
        return not self.everything and self.collectivite_id is None


EVERYTHING = Scope(everything=True)
NOTHING = Scope()


def only(collectivite_id: int) -> Scope:
    """The scope of a user of one collectivité."""
    return Scope(collectivite_id=collectivite_id)


_explicit: ContextVar[Optional[Scope]] = ContextVar("tenant_scope", default=None)
# Guards against re-entry while the resolver itself queries the database.
_resolving: ContextVar[bool] = ContextVar("tenant_scope_resolving", default=False)
_resolver: list[Callable[[], Optional[Scope]]] = []


def set_resolver(resolver: Callable[[], Optional[Scope]]) -> None:
    """Install the function that derives the scope of the current request."""
    _resolver[:] = [resolver]


def resolving() -> bool:
    """True while the resolver runs (its own queries must not be scoped)."""
    return _resolving.get()


def current_scope() -> Scope:
    """The explicit scope if one is set, else the request's, else NOTHING."""
    scope = _explicit.get()
    if scope is not None:
        return scope
    if _resolver and not _resolving.get():
        token = _resolving.set(True)
        try:
            scope = _resolver[0]()
        finally:
            _resolving.reset(token)
    return scope or NOTHING


@contextmanager
def scoped(scope: Scope) -> Iterator[Scope]:
    """Run a block (a job, a command, a test) with an explicit scope."""
    token = _explicit.set(scope)
    try:
        yield scope
    finally:
        _explicit.reset(token)
