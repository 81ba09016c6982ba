"""PostgreSQL roles (docs/deployment.md): the app's login role can append to the audit log
but not rewrite it, and can still do its work."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from portal.migrate import grant_app_role
from portal.models import AuditEvent, Client


@pytest.fixture
def app_role(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("database roles are a PostgreSQL matter")
    role = f"so_app_{uuid.uuid4().hex[:8]}"
    owner = sa.create_engine(database_url)
    with owner.begin() as conn:
        conn.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN')
    grant_app_role(database_url, role)
    engine = sa.create_engine(make_url(database_url).set(username=role, password=None))
    yield engine
    engine.dispose()
    with owner.begin() as conn:
        conn.exec_driver_sql(f'DROP OWNED BY "{role}"')
        conn.exec_driver_sql(f'DROP ROLE "{role}"')
    owner.dispose()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET action = 'edited'",
    "DELETE FROM audit_event",
    # the purge's switch opens the trigger only for a role that may delete at all (the owner)
    "SET LOCAL second_opinion.purge = 'on'; DELETE FROM audit_event",
    "TRUNCATE audit_event",
    "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only",
    "ALTER TABLE audit_event DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_event_append_only ON audit_event",
    "DROP TABLE audit_event",
])
def test_app_role_cannot_rewrite_the_audit_log(app_role, statement):
    now = datetime(2026, 12, 6, tzinfo=timezone.utc)
    with app_role.begin() as conn:
        conn.execute(sa.insert(AuditEvent).values(at=now, action="login", object_type="user"))
        assert conn.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) >= 1
    with pytest.raises(sa.exc.ProgrammingError) as exc:
        with app_role.begin() as conn:
            conn.exec_driver_sql(statement)
    assert "permission denied" in str(exc.value) or "must be owner" in str(exc.value)


def test_app_role_does_its_work(app_role):
    with app_role.begin() as conn:
        client_id = conn.execute(sa.insert(Client).values(name="Rollbolaget AB").returning(Client.id)).scalar_one()
        conn.execute(sa.update(Client).where(Client.id == client_id).values(name="Rollbolaget AB (nytt namn)"))
        conn.execute(sa.delete(Client).where(Client.id == client_id))


def test_grant_refuses_a_bad_role_name(database_url):
    with pytest.raises(ValueError):
        grant_app_role(database_url, 'x"; DROP TABLE audit_event; --')
