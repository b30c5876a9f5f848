"""Bulk row writing for generated data sets: PostgreSQL ``COPY``, Core ``executemany`` elsewhere.

Rows are dicts keyed by column name, with their ids given by the caller
(``next_ids``); ``close()`` writes what is left and moves PostgreSQL's id
sequences past the ids used, so that the console's own inserts go on after them.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.engine import Connection

CHUNK = 20_000


def next_id(connection: Connection, table: Table) -> int:
    """The first id free after the table's largest."""
    return (connection.scalar(select(func.max(table.c.id))) or 0) + 1


class BulkWriter:
    """Buffers rows per table and writes them in chunks, parents first (in the order tables were given)."""

    def __init__(self, connection: Connection, tables: list[Table]) -> None:
        self.connection = connection
        self.tables = tables
        self.rows: dict[str, list[dict[str, Any]]] = {table.name: [] for table in tables}
        self.copy = connection.dialect.name == "postgresql"
        self.written: dict[str, int] = {table.name: 0 for table in tables}

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.rows[table.name].append(row)

    def flush_if_full(self) -> None:
        """Write the buffers once one holds a chunk; call it where every buffered child has its parent buffered."""
        if any(len(rows) >= CHUNK for rows in self.rows.values()):
            self.flush()

    def flush(self) -> None:
        # Foreign keys are checked at once: every buffered parent goes before any child.
        for table in self.tables:
            rows = self.rows[table.name]
            if not rows:
                continue
            if self.copy:
                self._copy(table, rows)
            else:
                self.connection.execute(insert(table), rows)
            self.written[table.name] += len(rows)
            self.rows[table.name] = []

    def _copy(self, table: Table, rows: list[dict[str, Any]]) -> None:
        columns = list(rows[0])
        cursor = self.connection.connection.driver_connection.cursor()
        statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[column] for column in columns])

    def close(self) -> dict[str, int]:
        """Write the remaining rows and realign PostgreSQL's id sequences; returns rows written per table."""
        self.flush()
        if self.copy:
            for table in self.tables:
                self.connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table.name}))"))
        return self.written
