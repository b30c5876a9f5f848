"""Each row of a chéquier file checked with the chéquier form's own rules (``money.chequiers``, ``money.rules``).

No Flask here. A row is a new chéquier: its number, the authorised prescripteur it is issued to, its issue and
validity dates, and optionally the day it was handed to a citizen — the whole chéquier, or only the cheques
listed (cheque by cheque, as on the chéquier's page).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Iterable

from console.errors import N_, DomainError
from console import inputs
from console.money import chequiers, rules
from console.money.imports.files import Cell, FileRefused, Line
from console.money.models import Prescripteur

#: The file's columns (field, header msgid), in the template's order; the first four are required.
COLUMNS: list[tuple[str, str]] = [
    ("number", N_("Chéquier number")),
    ("prescripteur", N_("Prescripteur")),
    ("issued_on", N_("Issue date")),
    ("validity_date", N_("Validity date")),
    ("distributed_on", N_("Distribution date")),
    ("cheques", N_("Cheques distributed")),
]
REQUIRED = ("number", "prescripteur", "issued_on", "validity_date")


def header_key(text: str) -> str:
    """A header compared without case, accents, apostrophes' kind or spacing (« Date d’émission » = « date d'emission »)."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'")).encode("ascii", "ignore").decode()
    return " ".join(text.lower().replace("*", " ").split())


def locate(header: list[str], names: dict[str, set[str]], shown: dict[str, str]) -> dict[str, int]:
    """Which cell of a row holds each field; ``names`` gives each field's accepted header keys (French, English).
    A missing required column refuses the whole file, naming it as ``shown`` (the user's language) does."""
    found: dict[str, int] = {}
    for index, text in enumerate(header):
        for name, keys in names.items():
            if header_key(text) in keys and name not in found:
                found[name] = index
    missing = [name for name in REQUIRED if name not in found]
    if missing:
        raise FileRefused(N_("Column « %(column)s » is missing from the first line of the file."),
                          rule="import_columns", field=missing[0], column=shown[missing[0]])
    return found


@dataclass
class ValidRow:
    """A row that passed every rule: what to write."""

    number: str
    prescripteur: Prescripteur
    issued_on: date
    validity_date: date
    distributed_on: date | None
    cheques: list[str] | None  # the cheques distributed one by one; None: the whole chéquier (if a date is given)


@dataclass
class RowChecker:
    """Checks rows against the collectivité's authorised prescripteurs, the server's today and the numbers
    already used (in the file and on the platform)."""

    columns: dict[str, int]
    prescripteurs: Iterable[Prescripteur]
    today: date
    seen: dict[str, int] = field(default_factory=dict)
    by_name: dict[str, Prescripteur] = field(init=False)

    def __post_init__(self) -> None:
        self.by_name = {}
        for row in sorted(self.prescripteurs, key=lambda p: (not p.active, p.id)):
            self.by_name.setdefault(" ".join(row.name.casefold().split()), row)

    def cell(self, line: Line, name: str) -> Cell:
        index = self.columns.get(name)
        value = line.cells[index] if index is not None and index < len(line.cells) else None
        return value.strip() or None if isinstance(value, str) else value

    def check(self, line: Line) -> tuple[ValidRow | None, list[tuple[str, DomainError]]]:
        """The row to write, or its errors, one per column at fault."""
        errors: list[tuple[str, DomainError]] = []

        def attempt(name: str, check):
            try:
                return check()
            except DomainError as error:
                errors.append((name, error))
                return None

        number = attempt("number", lambda: self.number(line))
        prescripteur = attempt("prescripteur", lambda: self.prescripteur(line))
        issued_on = attempt("issued_on", lambda: day(self.cell(line, "issued_on"), required=True))
        validity_date = attempt("validity_date", lambda: day(self.cell(line, "validity_date"), required=True))
        distributed_on = attempt("distributed_on", lambda: day(self.cell(line, "distributed_on")))
        listed = self.cell(line, "cheques")
        cheques = None
        if listed is not None and number is not None:
            cheques = attempt("cheques", lambda: chequiers.pick_cheques(number, str(listed)))
        if distributed_on is None and listed is not None and "distributed_on" not in dict(errors):
            attempt("distributed_on", lambda: chequiers.require_distribution_day(None))
        if distributed_on is not None and issued_on is not None:
            attempt("distributed_on", lambda: rules.check_distribution_day(issued_on, distributed_on, self.today))
        if errors:
            return None, errors
        if cheques is not None and len(cheques) == rules.CHEQUES_PER_CHEQUIER:
            cheques = None  # every cheque listed: the chéquier is distributed whole
        return ValidRow(number, prescripteur, issued_on, validity_date, distributed_on, cheques), []

    def number(self, line: Line) -> str:
        value = self.cell(line, "number")
        number = chequiers.chequier_number(None if value is None else str(value))
        first = self.seen.setdefault(number, line.number)
        if first != line.number:
            raise DomainError(N_("Chéquier number %(number)s is already on line %(line)s of the file."),
                              rule="chequier_number", field="number", number=number, line=first)
        return number

    def prescripteur(self, line: Line) -> Prescripteur:
        value = self.cell(line, "prescripteur")
        name = " ".join(str(value or "").casefold().split())
        return chequiers.check_issuable(self.by_name.get(name))


@lru_cache(maxsize=4096)
def _typed_day(text: str) -> date | None:
    """A typed day read by the console's one parser (cached: a file repeats its few dates thousands of times)."""
    return inputs.day(text)


def day(value: Cell, required: bool = False) -> date | None:
    """A date cell: an Excel date, or text typed DD/MM/YYYY (ISO accepted), within the console's years."""
    if value is None:
        if required:
            raise DomainError(N_("This field is required."), rule="required")
        return None
    parsed = value if isinstance(value, date) else _typed_day(value)
    if parsed is None or not inputs.EARLIEST_DAY <= parsed <= inputs.LATEST_DAY:
        raise DomainError(N_("%(value)s is not a date: type it as DD/MM/YYYY, e.g. 31/01/2027."), rule="date",
                          value=value)
    return parsed
