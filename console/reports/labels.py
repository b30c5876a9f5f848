"""Labels shared by several reports, translated in the language of the export's job."""
from __future__ import annotations

from enum import Enum
from typing import Mapping

from flask_babel import lazy_gettext as _l

YES = _l("Yes")
NO = _l("No")


def translated(labels: Mapping[Enum, object]) -> dict[Enum, str]:
    """Enum value -> label, translated once per export rather than once per row."""
    return {value: str(label) for value, label in labels.items()}


def yes_no() -> dict[bool, str]:
    """True/False -> "Oui"/"Non" (or "Yes"/"No"), for columns a filter is more useful on than TRUE/FALSE."""
    return {True: str(YES), False: str(NO)}
