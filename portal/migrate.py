"""Alembic, configured from code (no alembic.ini to keep in sync)."""
from __future__ import annotations

import re
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def revision(url: str, message: str, autogenerate: bool = True) -> None:
    command.revision(alembic_config(url), message=message, autogenerate=autogenerate)


#: Tables the application may only read and append to (never update, delete or truncate).
APPEND_ONLY = ("audit_event",)
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_app_role(url: str, role: str) -> list[str]:
    """PostgreSQL: give the application's login ``role`` what it needs and no more.

    Run as the owner of the schema (the role that runs ``db upgrade``), after every
    upgrade (new tables need their grants). The app role may read and write every table
    except the append-only ones (``audit_event``), which it may only read and insert
    into; it owns nothing, so it cannot drop or alter a table, disable a trigger or
    truncate. Returns the statements it ran. Raises ``ValueError`` for another database
    or a role name that is not a plain identifier.
    """
    import sqlalchemy as sa

    if not _ROLE.match(role or ""):
        raise ValueError(f"role must be a plain lower-case identifier, not {role!r}")
    engine = sa.create_engine(url)
    try:
        if engine.dialect.name != "postgresql":
            raise ValueError("roles apply to PostgreSQL only")
        with engine.begin() as conn:
            tables = sorted(sa.inspect(conn).get_table_names(schema="public"))
            statements = [f'GRANT USAGE ON SCHEMA public TO "{role}"',
                          f'REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "{role}"']
            for table in tables:
                rights = "SELECT, INSERT" if table in APPEND_ONLY else "SELECT, INSERT, UPDATE, DELETE"
                if table == "alembic_version":
                    rights = "SELECT"
                statements.append(f'GRANT {rights} ON TABLE "{table}" TO "{role}"')
            statements.append(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
            for statement in statements:
                conn.exec_driver_sql(statement)
        return statements
    finally:
        engine.dispose()
