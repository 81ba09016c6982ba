"""The administrator's API keys page: create (the key shown once), revoke, last use;
CSRF on every form; administrators only; audit records."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from conftest import csrf_from
from portal.models import ApiKey, AuditEvent, Client, Role

KEY_RE = re.compile(r'value="(so_key_[A-Za-z0-9_-]{40,})"')


@pytest.fixture
def people(db, make_user):
    users = {key: make_user(f"{key}@example.com", role, name=key.title())
             for key, role in (("admin", Role.ADMIN), ("consultant", Role.CONSULTANT))}
    client = Client(name="Norrbolaget AB")
    db.add(client)
    db.commit()
    return {"admin": users["admin"], "consultant": users["consultant"], "client": client.id}


def create(browser, **fields):
    page = browser.get("/admin/api-keys")
    data = {"csrf_token": csrf_from(page), "name": "Teamtailor", "scopes": ["assignments:read", "candidates:write"],
            "client_id": ""}
    data.update(fields)
    return browser.post("/admin/api-keys", data=data)


def test_admin_creates_a_key_sees_it_once_and_it_works(app, db, people, clock, login_as):
    admin = login_as("admin")
    start = db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    response = create(admin, client_id=str(people["client"]))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = KEY_RE.search(html).group(1)
    assert "shown only this once" in html or "visas bara den här gången" in html
    row = db.scalar(sa.select(ApiKey))
    assert (row.name, row.scopes, row.client_id, row.created_by_id) == (
        "Teamtailor", ["assignments:read", "candidates:write"], people["client"], people["admin"])
    assert secret not in str(row.key_hash) and row.prefix == secret[:13]
    # The list shows the beginning of the key, never the key again.
    again = admin.get("/admin/api-keys").get_data(as_text=True)
    assert secret not in again and f"{row.prefix}…" in again and "Norrbolaget AB" in again
    assert "Set-Cookie" not in response.headers or secret not in response.headers["Set-Cookie"]
    [event] = db.scalars(sa.select(AuditEvent).where(AuditEvent.id > start, AuditEvent.object_type == "api_key"))
    assert (event.action, event.user_id, event.object_id) == ("create", people["admin"], row.id)
    assert secret not in str(event.detail)
    # Last use: "never", then the time of the first request.
    assert re.search(rf'data-key="{row.id}".*?data-last-used>([^<]+)<', again, re.S).group(1).strip() in (
        "aldrig", "never")
    api = app.test_client()
    assert api.get("/api/v1/assignments", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    db.rollback()
    assert db.get(ApiKey, row.id).last_used_at == clock()
    listed = admin.get("/admin/api-keys").get_data(as_text=True)
    assert re.search(rf'data-key="{row.id}".*?data-last-used>([^<]+)<', listed, re.S).group(1).strip() not in (
        "aldrig", "never")


def test_admin_revokes_a_key_with_csrf(app, db, people, login_as):
    admin = login_as("admin")
    secret = KEY_RE.search(create(admin).get_data(as_text=True)).group(1)
    key_id = db.scalar(sa.select(ApiKey.id))
    bearer = {"Authorization": f"Bearer {secret}"}
    # Without the CSRF token nothing happens.
    assert admin.post(f"/admin/api-keys/{key_id}/revoke").status_code == 400
    assert app.test_client().get("/api/v1/assignments", headers=bearer).status_code == 200
    page = admin.get("/admin/api-keys")
    response = admin.post(f"/admin/api-keys/{key_id}/revoke", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    db.rollback()
    assert db.get(ApiKey, key_id).revoked_at is not None
    assert app.test_client().get("/api/v1/assignments", headers=bearer).status_code == 401
    listed = admin.get("/admin/api-keys").get_data(as_text=True)
    assert f'data-key="{key_id}"' in listed and 'data-state="revoked"' in listed
    assert f"/admin/api-keys/{key_id}/revoke" not in listed
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "revoke", AuditEvent.object_type == "api_key",
                                                 AuditEvent.object_id == key_id)
                     .order_by(AuditEvent.id.desc())).user_id == people["admin"]
    assert admin.post("/admin/api-keys/987654/revoke", data={"csrf_token": csrf_from(page)}).status_code == 404


@pytest.mark.parametrize("fields, field", [
    ({"name": ""}, "name"),
    ({"scopes": []}, "scopes"),
    ({"scopes": ["assignments:read", "everything:write"]}, "scopes"),
    ({"client_id": "987654"}, "client_id"),
])
def test_invalid_forms_create_no_key(app, db, people, fields, field, login_as):
    admin = login_as("admin")
    response = create(admin, **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="error"' in html and not KEY_RE.search(html)
    db.rollback()
    assert db.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == 0


def test_without_csrf_no_key_is_made(app, db, people, login_as):
    admin = login_as("admin")
    response = admin.post("/admin/api-keys", data={"name": "X", "scopes": ["assignments:read"]})
    assert response.status_code == 400
    assert db.scalar(sa.select(sa.func.count()).select_from(ApiKey)) == 0


def test_only_administrators_manage_keys(app, people, login_as):
    consultant = login_as("consultant")
    assert consultant.get("/admin/api-keys").status_code == 403
    assert "/admin/api-keys" not in consultant.get("/admin/").get_data(as_text=True)
    admin = login_as("admin")
    assert 'href="/admin/api-keys"' in admin.get("/admin/").get_data(as_text=True)
    assert app.test_client().get("/admin/api-keys").status_code == 302  # to the login page


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_migration_0013_downgrades_and_upgrades(tmp_path, backend):
    """The API keys migration goes down to 0012 (its tables gone) and up again."""
    import uuid

    from alembic import command

    from conftest import _postgres_url
    from portal.migrate import alembic_config, upgrade

    admin = None
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'mig.sqlite3'}"
    else:
        name = f"so_test_{uuid.uuid4().hex[:12]}"
        admin, made = _postgres_url(name)
        url = made.render_as_string(hide_password=False)
    try:
        upgrade(url)
        command.downgrade(alembic_config(url), "0012")
        engine = sa.create_engine(url)
        assert not {"api_key", "api_idempotency_key"} & set(sa.inspect(engine).get_table_names())
        engine.dispose()
        upgrade(url)
        engine = sa.create_engine(url)
        assert {"api_key", "api_idempotency_key"} <= set(sa.inspect(engine).get_table_names())
        engine.dispose()
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
