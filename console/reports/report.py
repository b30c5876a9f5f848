"""What every report builder works with: the session, the workbook, the scope, the period and the progress."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

from openpyxl import Workbook
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from console.reports import xlsx
from console.tenants.context import Scope

STREAM_ROWS = 2000  # rows fetched per round trip: constant memory, few round trips
PROGRESS_EVERY = 5000  # rows between two progress records


@dataclass
class Progress:
    """Rows written so far out of the rows expected, published every ``every`` rows."""

    publish: Callable[[int, Optional[int]], None]
    done: int = 0
    total: Optional[int] = None

    def expect(self, rows: int) -> None:
        self.total = (self.total or 0) + rows
        self.publish(self.done, self.total)

    def table_callback(self) -> Callable[[int], None]:
        base = self.done
        return lambda rows: self.publish(base + rows, self.total)

    def add(self, rows: int) -> None:
        self.done += rows
        self.publish(self.done, self.total)


@dataclass
class Report:
    """The context of one export job; builders add sheets to ``workbook``."""

    session: Session
    workbook: Workbook
    scope: Scope
    today: date
    period_start: Optional[date] = None
    period_end: Optional[date] = None
    progress: Progress = field(default_factory=lambda: Progress(lambda done, total: None))
    # The roles of the user the report is for: they decide what personal data shows (partners.lookup).
    roles: frozenset[str] = frozenset()

    def count(self, statement: Select) -> int:
        """How many rows ``statement`` returns (what the progress bar counts to)."""
        return self.session.execute(select(func.count()).select_from(statement.order_by(None).subquery())).scalar_one()

    def stream(self, statement: Select) -> Iterator[Sequence[Any]]:
        """The rows of ``statement``, fetched in batches by a server-side cursor (constant memory)."""
        result = self.session.execute(statement.execution_options(stream_results=True, yield_per=STREAM_ROWS))
        try:
            yield from result
        finally:
            result.close()

    def table(self, title: str, columns: Sequence[xlsx.Column], rows: Iterable[Sequence[Any]]) -> Any:
        """Write a typed table on a new sheet, publishing progress; return the sheet (for charts)."""
        written = xlsx.write_table(self.workbook, title, columns, rows,
                                   progress=self.progress.table_callback(), every=PROGRESS_EVERY)
        self.progress.add(written)
        return self.workbook.worksheets[-1]

    def query_table(self, title: str, columns: Sequence[xlsx.Column], statement: Select,
                    convert: Optional[Callable[[Sequence[Any]], Sequence[Any]]] = None) -> Any:
        """Count, then stream ``statement`` into a table (rows converted by ``convert`` if given)."""
        self.progress.expect(self.count(statement))
        rows: Iterable[Sequence[Any]] = self.stream(statement)
        if convert is not None:
            rows = map(convert, rows)
        return self.table(title, columns, rows)
