"""Alembic environment. Run through ``flask --app wsgi db upgrade``."""
from alembic import context

from portal.db import make_engine
from portal.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"), foreign_keys=False)
    with engine.connect() as conn:
        _run(conn)
        if conn.dialect.name == "sqlite":
            # Keys were not enforced while tables were rebuilt: check them now.
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            conn.commit()
            if broken:
                raise RuntimeError(f"foreign key violations after migration: {broken[:5]}")
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():  # pragma: no cover
    raise SystemExit("offline migrations are not supported; run against a database")
run_migrations()
