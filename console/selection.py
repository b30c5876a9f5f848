"""Bulk actions on the rows ticked in a list: the selection checked and bounded, then each row its own unit.

No Flask. A bulk action first shows what will happen to each row (the same checks the act runs, writing
nothing), then, once confirmed, does each act with its own audit event. A row refused by a rule is listed
with its refusal and does not stop the others: the domains' acts check everything before they change
anything, so a refused row leaves nothing behind. Any other exception is a fault: it stops the action and
the caller rolls the whole selection back (one transaction, committed once).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterable, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.errors import N_, DomainError, NotFound
from console.inputs import MAX_INTEGER

ASCII_DIGITS = re.compile("[0-9]{1,10}")  # str.isdigit() would take « ١٢ » for 12
#: At most one page of a list (lists show up to 100 rows) per bulk action.
MAX_SELECTION = 100

T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """A ticked row and, if a rule refuses it, why."""

    row: T
    refusal: DomainError | None = None

    @property
    def accepted(self) -> bool:
        return self.refusal is None


class BulkFault(Exception):
    """An unexpected fault on one row (``name``): nothing of the selection may be kept."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def selected_ids(values: Iterable[Any]) -> list[int]:
    """The ticked ids, each once in the order ticked: whole numbers, 1 to ``MAX_SELECTION`` of them."""
    ids: list[int] = []
    for value in values:
        text = str(value).strip()
        if not ASCII_DIGITS.fullmatch(text) or not 0 < int(text) <= MAX_INTEGER:
            raise DomainError(N_("%(value)s does not name a row of the list."), rule="selection",
                              value=text[:20])
        if int(text) not in ids:
            ids.append(int(text))
    if not ids:
        raise DomainError(N_("Tick at least one row of the list."), rule="selection")
    if len(ids) > MAX_SELECTION:
        raise DomainError(N_("At most %(max)s rows at a time: %(count)s were ticked."), rule="selection",
                          max=MAX_SELECTION, count=len(ids))
    return ids


def selected_rows(session: Session, model: type, ids: list[int], *options: Any) -> list:
    """The ticked rows, read through the tenancy hook, in the order ticked; one that the user cannot see
    (another collectivité's, or none) refuses the whole action before anything is done."""
    found = {row.id: row for row in session.scalars(select(model).where(model.id.in_(ids)).options(*options))}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise NotFound(N_("%(count)s of the ticked rows do not exist or belong to another collectivité:"
                          " nothing was done."), rule="selection", count=len(missing))
    return [found[pk] for pk in ids]


def each(rows: Iterable[T], act: Callable[[T], Any], name: Callable[[T], str]) -> list[Outcome[T]]:
    """Run ``act`` on each row as its own unit: a rule's refusal is kept with its row, a fault stops all."""
    outcomes = []
    for row in rows:
        try:
            act(row)
        except DomainError as refusal:
            outcomes.append(Outcome(row, refusal))
        except Exception as fault:
            raise BulkFault(name(row)) from fault
        else:
            outcomes.append(Outcome(row))
    return outcomes
