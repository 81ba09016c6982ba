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


def statements_per_page(engine: sa.Engine, client, urls) -> dict[str, int]:
    """How many statements each of ``urls`` runs when ``client`` (a test client) asks for
    it a second time: the first request warms first-use caches and lazily set-up rows.
    Both requests must answer 200."""
    counts = {}
    for url in urls:
        assert client.get(url).status_code == 200, url
        with counting(engine) as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(statements)
    return counts
