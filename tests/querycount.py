"""Count the SQL statements an engine runs (SQLAlchemy events), for query budgets."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def counting(engine: sa.Engine) -> Iterator[list[str]]:
    """The statements ``engine`` runs inside the block, in order (one entry per
    ``execute``/``executemany``; the SQLite connection set-up pragmas are not counted)."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
