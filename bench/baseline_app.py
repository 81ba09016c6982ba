"""Baseline for bench/answers.py: the floor cost of one durable write.

A minimal Flask app with one POST endpoint that does a single INSERT into a
small table of its own (``bench_answer``) and commits, through SQLAlchemy with
the *same* engine settings as the portal (``portal.db.make_engine``: on SQLite
WAL, busy_timeout and BEGIN IMMEDIATE; on PostgreSQL pool_pre_ping). No
templates, no session cookie, no CSRF, no reads.

Served by gunicorn exactly like the portal:

    DATABASE_URL=... gunicorn -w 2 --pythonpath bench 'baseline_app:create_app()'

The table is created by the benchmark runner (``create_schema``) before any
worker starts, so workers never race on DDL.
"""
from __future__ import annotations

import os
from datetime import datetime, timezone

import sqlalchemy as sa
from flask import Flask, jsonify, request
from sqlalchemy.orm import sessionmaker

from portal.db import make_engine

metadata = sa.MetaData()

bench_answer = sa.Table(
    "bench_answer",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("candidate", sa.Integer, nullable=False),
    sa.Column("item", sa.Integer, nullable=False),
    sa.Column("value", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


def create_schema(url: str) -> None:
    """Create ``bench_answer`` in the bench database (idempotent)."""
    engine = make_engine(url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()


def create_app(url: str | None = None) -> Flask:
    app = Flask(__name__)
    engine = make_engine(url or os.environ["DATABASE_URL"])
    make_session = sessionmaker(bind=engine)
    app.extensions["bench.engine"] = engine

    @app.post("/answer")
    def answer():
        try:
            candidate = int(request.form.get("candidate", ""))
            item = int(request.form.get("item", ""))
        except ValueError:
            return "bad request", 400
        value = request.form.get("value", "")[:64]
        with make_session() as session:
            session.execute(
                bench_answer.insert().values(
                    candidate=candidate, item=item, value=value,
                    created_at=datetime.now(timezone.utc),
                )
            )
            session.commit()
        return "ok", 200

    @app.get("/healthz")
    def healthz():
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return jsonify(status="ok")

    return app
