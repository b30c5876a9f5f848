"""Labels of the reports' cells, translated once per export in the language of the export's job."""
from __future__ import annotations

from enum import Enum
from typing import TypeVar

from console.i18n import format_label, format_yes_no

E = TypeVar("E", bound=Enum)


def translated(kind: type[E]) -> dict[E, str]:
    """Each member of ``kind`` -> its label (console.labels), translated once per export rather than per row."""
    return {member: format_label(member) for member in kind}


def yes_no() -> dict[bool, str]:
    """True/False -> "Oui"/"Non" (or "Yes"/"No"), for columns a filter is more useful on than TRUE/FALSE."""
    return {answer: format_yes_no(answer) for answer in (True, False)}
