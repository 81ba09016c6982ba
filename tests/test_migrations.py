"""The schema comes from Alembic migrations and matches the models."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from conftest import old_sqlite
from portal.migrate import alembic_config
from portal.models import Base


def head() -> str:
    """The newest migration's revision (the last file in portal/migrations/versions)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def test_migrated_schema_matches_models(database_url):
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    finally:
        engine.dispose()
    assert diff == [], f"models and migrations differ; add a migration: {diff}"
    assert version == head()


def test_db_upgrade_cli_creates_schema(make_app, tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    app = make_app(DATABASE_URL=url)
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = sa.create_engine(url)
    try:
        names = set(sa.inspect(engine).get_table_names())
        with engine.connect() as conn:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    finally:
        engine.dispose()
    assert {"candidate", "invitation", "attempt", "logic_response", "inventory_response",
            "result", "user"} <= names
    assert mode == "wal"


def test_upgrade_keeps_existing_data_on_sqlite(tmp_path):
    """Batch migrations rebuild SQLite tables; rows and references must survive."""
    from portal.migrate import upgrade

    url = old_sqlite(
        tmp_path, "0001",
        "INSERT INTO client (id, name, created_at) VALUES (1, 'Å AB', '2026-01-01')",
        "INSERT INTO assignment (id, client_id, title, language, norm_group, logic_time_limit_minutes,"
        " status, created_at) VALUES (1, 1, 'Chef', 'sv', 'general', 20, 'open', '2026-01-01')",
        "INSERT INTO candidate (id, assignment_id, name, email, extra_time_pct, stage, practice_position,"
        " created_at) VALUES (1, 1, 'Eva', 'e@x.se', 0, 'welcome', 0, '2026-01-01')",
        "INSERT INTO attempt (id, candidate_id, kind, number, bank_id, bank_version, seed, item_ids,"
        " started_at) VALUES (1, 1, 'logic', 1, 'b', '1', 7, '[]', '2026-01-01')")
    upgrade(url)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT a.title, a.uses_logic, c.name, t.seed FROM assignment a JOIN candidate c"
                " ON c.assignment_id = a.id JOIN attempt t ON t.candidate_id = c.id").one()
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    finally:
        engine.dispose()
    assert tuple(row) == ("Chef", 1, "Eva", 7)
    assert version == head()
