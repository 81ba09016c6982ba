"""Engine and request-scoped session.

One session per request (or CLI command), created on first use. The request's
single commit point is ``commit_on_success`` (an ``after_request`` hook), and it commits
only a success: a response with status >= 400 (or an exception) rolls back, so a refused
form stores nothing. Writes that must survive a refusal (the audit record of a failed
sign-in or second factor) say so with :func:`keep_on_refusal`; a candidate's answer is
committed by its view itself, so that a database error can be retried there. Services only ``flush()``. Teardown rolls back whatever was not
committed and closes.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

#: Seconds a client is asked to wait before trying again when the database is away.
RETRY_AFTER_SECONDS = 5


class DatabaseUnavailable(Exception):
    """The database did not answer, also after a retry (see ``candidate.views``); the
    error handlers (``portal.errors``, ``portal.api.problems``) answer it with a 503."""


def make_engine(url: str, *, foreign_keys: bool = True) -> sa.Engine:
    """The app's engine. ``foreign_keys=False`` is for SQLite migrations only: a batch
    migration rebuilds a table by copy-drop-rename, which enforced keys would refuse."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        _configure_sqlite(engine, foreign_keys)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _configure_sqlite(engine: sa.Engine, foreign_keys: bool = True) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # We emit BEGIN ourselves (below); pysqlite's own transaction handling
        # would otherwise defer it and break SAVEPOINT/upsert semantics.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()
        # SQLite's own lower() folds ASCII only; searches must find "Åsa" from "åsa", as
        # PostgreSQL's lower() does.
        dbapi_conn.create_function("lower", 1, _lower, deterministic=True)

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn):
        # IMMEDIATE takes the write lock up front: a deferred transaction that
        # reads and then writes can fail with SQLITE_BUSY under concurrent
        # candidates instead of waiting for its turn.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["portal.engine"] = engine
    app.extensions["portal.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.after_request(commit_on_success)
    app.teardown_appcontext(close_session)


def get_session() -> Session:
    if "db_session" not in g:
        # The app's public address goes with the session (``Session.info``), for the
        # services that write absolute links into what they queue (webhook payloads).
        g.db_session = current_app.extensions["portal.sessionmaker"](
            info={"base_url": current_app.config.get("BASE_URL", "")})
    return g.db_session


def get_engine() -> sa.Engine:
    return current_app.extensions["portal.engine"]


def commit_on_success(response):
    session = g.get("db_session")
    if session is not None:
        if response.status_code < 400 or g.get("db_keep_on_refusal"):
            # A view that committed already (the answer path does) leaves nothing to do;
            # committing anyway would begin and commit an empty transaction.
            if session.in_transaction() or session.new or session.dirty or session.deleted:
                session.commit()
        else:
            session.rollback()
    return response


def keep_on_refusal() -> None:
    """Commit this request's writes even though it answers with a 4xx status. For records
    that must outlive the refusal itself; never for the refused input."""
    g.db_keep_on_refusal = True


def close_session(_exc=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
