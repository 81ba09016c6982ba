"""SQL helpers for the services that work the same on SQLite and PostgreSQL. No Flask: a
service takes a session (``portal.db`` makes the app's)."""
from __future__ import annotations

from sqlalchemy.orm import Session


def insert_ignore(session: Session, model, values: dict, conflict: list[str] | None) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL.

    Used where a double submit must neither fail nor create a second row. ``conflict``
    names the unique columns to watch; None watches every unique constraint. It returns
    nothing: whether a row was inserted is not reliably known on PostgreSQL (psycopg's
    rowcount of an inline statement without RETURNING), so a caller that needs the row reads
    it back.
    """
    dialect = session.get_bind().dialect.name
    key = (dialect, model, None if conflict is None else tuple(conflict))
    stmt = _INSERT_IGNORE.get(key)
    if stmt is None:
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:  # pragma: no cover - only the two supported databases
            raise RuntimeError(f"unsupported database {dialect}")
        # A Core statement on the table, values as parameters: built and cache-keyed once
        # (the answer path inserts a row per answer), without the ORM's bulk-insert layer,
        # and inline: no RETURNING of the new key, which no caller reads.
        stmt = _INSERT_IGNORE[key] = (insert(model.__table__).on_conflict_do_nothing(index_elements=conflict)
                                      .inline())
    session.execute(stmt, values)


_INSERT_IGNORE: dict = {}
