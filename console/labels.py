"""The one wording users read for each enum member (statuses, channels, reasons), as msgids.

Each domain registers its enums' labels next to their definitions, marked with
``N_``; pages, Excel exports and e-mails translate ``label(member)`` with
gettext, so a status reads the same everywhere. No Flask here: domain rules
name statuses in their messages too.

French gives adjectives the gender of the noun they describe (« demande
rejetée », « chèque rejeté ») while one msgid has one translation: members of
different enums share a msgid only when their French agrees.
"""
from __future__ import annotations

from enum import Enum
from typing import Mapping, TypeVar

E = TypeVar("E", bound=Enum)

_labels: dict[Enum, str] = {}


def register(labels: Mapping[Enum, str]) -> None:
    """Record the msgid of each member (marked with ``N_`` where the enum is defined)."""
    _labels.update(labels)


def label(member: Enum) -> str:
    """The msgid of ``member``, or its value when none was registered."""
    return _labels.get(member, str(member.value))


def choices(kind: type[E]) -> dict[E, str]:
    """Every member of ``kind`` and its msgid, in definition order (for drop-downs)."""
    return {member: label(member) for member in kind}
