"""The chéquier import's writes: record an import, then run it — every row checked with the chéquier form's rules,
the valid ones written in bulk (``console.bulk``), one audit event with the counts. Flush, never commit."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.audit import api as audit
from console.bulk import BulkWriter
from console.config import ROLE_CORRESPONDENT, ROLE_OPERATOR
from console.errors import N_, DomainError, Forbidden
from console.money import chequiers, rules
from console.money.imports import files
from console.money.imports.models import ChequierImport, ImportStatus
from console.money.imports.rows import COLUMNS, RowChecker, ValidRow, locate
from console.money.models import Cheque, Chequier, ChequierStatus, ChequeStatus, Prescripteur
from console.tenants.context import only
from console.tenants.models import Collectivite, ConsoleUser, utcnow
from console.tenants.scoping import UNSCOPED, tenant_clause

REPORT_LIMIT = 1000  # errors kept in the report (their count is always exact)
CHUNK = 2000  # rows checked against the numbers in use, then written, at a time
SYNC_ROWS = 5000  # files up to this many rows are imported within the request; larger ones by a job
COLUMN_HEADERS = dict(COLUMNS)

#: (line, field, refusal)
Problem = tuple[int, str, DomainError]
#: how far the import is: (steps done, steps in all), a step being a row checked or a row written
Progress = Callable[[int, int | None], None]


def collectivite_of(user: ConsoleUser, chosen: int | None) -> int:
    """The collectivité an import writes into: the user's own, whatever a form says; an operator's explicit choice."""
    if user.collectivite_id is not None:
        return user.collectivite_id
    if chosen is None:
        raise DomainError(N_("Choose the collectivité this belongs to."), rule="tenant", field="collectivite")
    return chosen


def check_may_import(session: Session, user: ConsoleUser | None, collectivite_id: int) -> None:
    """DESIGN: correspondents issue their own collectivité's chéquiers, the operator any active collectivité's."""
    roles = set(user.role_names) if user is not None and user.active else set()
    allowed = (ROLE_OPERATOR in roles and user.collectivite_id is None) or (
        ROLE_CORRESPONDENT in roles and user.collectivite_id == collectivite_id)
    target = session.get(Collectivite, collectivite_id, execution_options=UNSCOPED) if allowed else None
    if target is None or not target.active:
        raise Forbidden(N_("You may not import chéquiers into this collectivité."), rule="tenant",
                        field="collectivite")


def create_import(session: Session, user: ConsoleUser, collectivite_id: int, filename: str, path: str,
                  valid_rows_only: bool, language: str) -> ChequierImport:
    """Record a queued import of the file kept at ``path``; the caller commits, then runs or enqueues it."""
    check_may_import(session, user, collectivite_id)
    imported = ChequierImport(collectivite_id=collectivite_id, user_id=user.id, filename=filename[:200],
                              file_path=path, valid_rows_only=valid_rows_only, language=language,
                              status=ImportStatus.queued, errors=[])
    session.add(imported)
    session.flush()
    return imported


@dataclass
class Outcome:
    """What an import found and did."""

    total: int = 0
    invalid: int = 0
    written: int = 0
    problems: list[Problem] = field(default_factory=list)

    def refuse(self, problems: list[Problem]) -> None:
        """Keep (at least) the first REPORT_LIMIT problems by line; rows come in order, numbers by chunk."""
        self.problems += problems
        if len(self.problems) > 2 * REPORT_LIMIT:
            self.problems = self.first_problems()

    def first_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda problem: problem[0])[:REPORT_LIMIT]


def run(session: Session, imported: ChequierImport, user: ConsoleUser, data: bytes,
        headers: tuple[dict[str, set[str]], dict[str, str]], today: date, progress: Progress) -> Outcome:
    """Check every row of the file, write the valid ones (all of them only if every row is, unless the user
    chose « importer les lignes valides »), record one audit event. ``headers``: each field's accepted header
    keys, and its header in the user's language."""
    cid = imported.collectivite_id
    header, lines = files.read(data)
    prescripteurs = session.scalars(select(Prescripteur).where(tenant_clause(Prescripteur, only(cid)))).all()
    checker = RowChecker(locate(header, *headers), prescripteurs, today)
    outcome, valid, pending = Outcome(), [], []
    for line in lines:
        outcome.total += 1
        row, problems = checker.check(line)
        if row is None:
            outcome.invalid += 1
            outcome.refuse([(line.number, name, error) for name, error in problems])
        else:
            pending.append((line.number, row))
        if len(pending) >= CHUNK:
            valid += _unused(session, pending, outcome)
            pending = []
        if outcome.total % 500 == 0:
            progress(outcome.total, None)
    valid += _unused(session, pending, outcome)
    steps = outcome.total + (len(valid) if outcome.invalid == 0 or imported.valid_rows_only else 0)
    progress(outcome.total, steps)
    if valid and (outcome.invalid == 0 or imported.valid_rows_only):
        outcome.written = write(session, cid, valid, lambda done: progress(outcome.total + done, steps))
    audit.record(session, "chequier.import", imported, {
        "file": imported.filename, "rows": outcome.total, "invalid": outcome.invalid, "written": outcome.written,
        "valid_rows_only": imported.valid_rows_only}, actor=user, collectivite_id=cid)
    return outcome


def _unused(session: Session, pending: list[tuple[int, ValidRow]], outcome: Outcome) -> list[ValidRow]:
    """The rows whose number no chéquier uses yet (on the platform: numbers are unique everywhere)."""
    taken = chequiers.taken_numbers(session, [row.number for _, row in pending]) if pending else set()
    kept, problems = [], []
    for number, row in pending:
        try:
            chequiers.check_number_free(row.number, row.number in taken)
        except DomainError as error:
            outcome.invalid += 1
            problems.append((number, "number", error))
        else:
            kept.append(row)
    if problems:
        outcome.refuse(problems)
    return kept


def write(session: Session, collectivite_id: int, valid: list[ValidRow], progress: Callable[[int], None]) -> int:
    """Write the chéquiers and their 10 cheques each, in bulk (COPY on PostgreSQL), as ``fill_chequier`` and the
    distribution would have; returns the chéquiers written."""
    connection = session.connection()
    chequier, cheque = Chequier.__table__, Cheque.__table__
    for start in range(0, len(valid), CHUNK):
        chunk = valid[start:start + CHUNK]
        writer = BulkWriter(connection, [chequier])
        for row in chunk:
            whole = row.distributed_on is not None and row.cheques is None
            writer.add(chequier, {
                "number": row.number, "prescripteur_id": row.prescripteur.id, "prescripteur": row.prescripteur.name,
                "issued_on": row.issued_on, "validity_date": row.validity_date,
                "distributed_on": row.distributed_on if whole else None, "collectivite_id": collectivite_id,
                "status": (ChequierStatus.distributed if whole else ChequierStatus.issued).value})
        writer.flush()
        ids = dict(connection.execute(select(chequier.c.number, chequier.c.id).where(
            chequier.c.collectivite_id == collectivite_id, chequier.c.number.in_([row.number for row in chunk]))).all())
        writer = BulkWriter(connection, [cheque])
        for row in chunk:
            given = None if row.cheques is None else set(row.cheques)
            base = {"face_value": rules.CHEQUE_VALUE, "validity_date": row.validity_date,
                    "chequier_id": ids[row.number], "prescripteur": row.prescripteur.name,
                    "collectivite_id": collectivite_id, "status": ChequeStatus.issued.value}
            for number in chequiers.cheque_numbers(row.number):
                given_on = row.distributed_on if given is None or number in given else None
                writer.add(cheque, {"number": number, "distributed_on": given_on, **base})
        writer.flush()
        progress(start + len(chunk))
    return len(valid)


def finish(imported: ChequierImport, outcome: Outcome, render: Callable[[Problem], list]) -> None:
    """Record the outcome on the import: counts, status, the report in the user's language."""
    imported.rows_total, imported.rows_invalid, imported.rows_written = outcome.total, outcome.invalid, outcome.written
    imported.status = ImportStatus.refused if outcome.invalid and not imported.valid_rows_only else ImportStatus.done
    imported.errors = [render(problem) for problem in outcome.first_problems()]
    imported.finished_at = utcnow()
