"""Fixtures: every database test runs on SQLite and on PostgreSQL.

The PostgreSQL leg uses ``TEST_DATABASE_URL`` (default: the local server) and
creates its own uniquely named database, dropped at the end. It is skipped,
with the reason, only when no server answers (a failure in CI instead).
"""
from __future__ import annotations

import os
import re
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from portal import create_app
from portal.db import get_session
from portal.migrate import upgrade
from portal.models import Assignment, Base, Client

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_url(tmp_name: str):
    base = make_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG))
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{tmp_name}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        reason = f"PostgreSQL not reachable at {base.render_as_string(hide_password=True)}: {exc.orig}"
        if os.environ.get("REQUIRE_TEST_DATABASE"):
            pytest.fail(reason)
        pytest.skip(reason)
    return admin, base.set(database=tmp_name)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        upgrade(url)
        yield url
        return
    name = f"so_test_{uuid.uuid4().hex[:12]}"
    admin, url = _postgres_url(name)
    rendered = url.render_as_string(hide_password=False)
    upgrade(rendered)
    yield rendered
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


class Clock:
    """A settable clock for the app (``CLOCK`` config)."""

    def __init__(self):
        self.now = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock():
    return Clock()


TEST_CONFIG = {
    "SECRET_KEY": "test-secret-key-not-for-production",
    "TESTING": True,
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "BASE_URL": "http://localhost",
    "RATELIMIT_STORAGE_URI": "memory://",
    # Feature tests sign administrators in with a password alone; tests/test_two_factor.py
    # turns the requirement on.
    "REQUIRE_ADMIN_2FA": False,
}


@pytest.fixture
def make_app(database_url, clock):
    apps = []

    def factory(**overrides):
        app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url, "CLOCK": clock, **overrides})
        apps.append(app)
        return app

    yield factory
    for app in apps:
        engine = app.extensions["portal.engine"]
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                if table.name != "audit_event":  # append-only, also for tests: never emptied
                    conn.execute(table.delete())
        engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app, database_url):
    """A session of the test's own, for arranging and checking data.

    Deliberately outside any app context (a pushed context would be shared
    with the test client's requests) and on a plain engine, so that on SQLite
    its reads never hold the write lock the app's requests take.
    """
    engine = sa.create_engine(database_url)
    session = Session(engine)
    yield session
    session.rollback()
    session.close()
    engine.dispose()


CSRF_RE = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_from(response) -> str:
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, "page has no CSRF token"
    return match.group(1)


def old_sqlite(tmp_path: Path, revision: str, *statements: str) -> str:
    """The URL of a SQLite database migrated only to ``revision`` and holding the rows the
    SQL ``statements`` insert, for tests that upgrade it further."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, revision)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()
    return url


def step_of(response) -> str | None:
    match = re.search(r'data-step="([^"]*)"', response.get_data(as_text=True))
    return match.group(1) if match else None


#: The password of the users :func:`make_user` makes (long enough for the password policy).
PASSWORD = "a long enough password"


def sign_in(client, email: str, password: str):
    """Post the sign-in form as a browser would; returns the response (302 when signed in)."""
    page = client.get("/admin/login")
    return client.post("/admin/login", data={"csrf_token": csrf_from(page), "email": email, "password": password})


def sign_in_page(page, base: str, email: str, password: str) -> None:
    """Sign in through the form in a Playwright ``page`` of the server at ``base`` (in any
    language: the fields and the button are found by name, not by their labels)."""
    page.goto(base + "/admin/login")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()


@pytest.fixture
def make_user(db):
    """Add a user; returns its id. ``make_user(email, role=Role.CONSULTANT, *,
    password=PASSWORD, **values)``; ``password=None`` gives an account without a password
    (``passwords.unusable()``). The hash is a cheap PBKDF2 (tests only)."""
    from werkzeug.security import generate_password_hash

    from portal import passwords
    from portal.models import Role, User

    def factory(email: str, role=Role.CONSULTANT, *, password: str | None = PASSWORD, **values) -> int:
        stored = (passwords.unusable() if password is None
                  else generate_password_hash(password, method="pbkdf2:sha256:1000"))
        user = User(email=email, role=role, password_hash=stored, **values)
        db.add(user)
        db.commit()
        return user.id

    return factory


@pytest.fixture
def login_as(request):
    """A new test client signed in: ``login_as(who, lang=None, *, password=PASSWORD,
    check=True, app=None)``. ``who``: an e-mail address, or a name such as ``"admin"``
    for ``admin@example.com``. ``lang``: the page language to choose after signing in
    ("en" keeps assertions independent of the Swedish catalogue). ``check``: assert that
    the sign-in was accepted. ``app``: the test's ``app`` fixture unless given."""

    def login(who: str, lang: str | None = None, *, password: str = PASSWORD, check: bool = True, app=None):
        app = app if app is not None else request.getfixturevalue("app")
        email = who if "@" in who else f"{who}@example.com"
        client = app.test_client()
        response = sign_in(client, email, password)
        if check:
            assert response.status_code == 302, f"signing in as {email} failed ({response.status_code})"
        if lang is not None:
            page = client.get(response.location, follow_redirects=True) if response.status_code == 302 else response
            client.post("/admin/language", data={"csrf_token": csrf_from(page), "lang": lang})
        return client

    return login


@pytest.fixture
def make_assignment(app):
    def factory(staff: tuple[int, ...] = (), **overrides) -> int:
        """An assignment; ``staff``: ids of the consultants staffed on it."""
        from portal.models import User

        with app.app_context():
            session = get_session()
            # An explicit 20-minute limit (timing tests count on it); a new assignment's
            # default is the recommended limit (tests/test_incomplete_scores.py).
            values = dict(title="Controller", language="sv", norm_group="general", logic_time_limit_minutes=20)
            values.update(overrides)
            a = Assignment(client=Client(name="Testbolaget AB"), **values)
            a.consultants = [session.get(User, uid) for uid in staff]
            session.add(a)
            session.commit()
            return a.id

    return factory


@pytest.fixture
def make_invitation(app, make_assignment, clock):
    """Invite a candidate; returns (candidate_id, invitation_id, path of the link)."""
    from portal import resources as res
    from portal.services.invitations import invitation_url, invite_candidate

    def factory(assignment_id: int | None = None, **kwargs):
        assignment_id = assignment_id or make_assignment()
        kwargs.setdefault("name", "Kim Kandidat")
        kwargs.setdefault("email", "kim@example.com")
        with app.app_context():
            session = get_session()
            a = session.get(Assignment, assignment_id)
            candidate, inv = invite_candidate(session, a, now=clock(),
                                              settings=res.invitation_settings(), **kwargs)
            url = invitation_url(inv, res.invitation_settings())
            session.commit()
            return candidate.id, inv.id, url.removeprefix("http://localhost")

    return factory


@pytest.fixture
def artifacts(request) -> Path:
    """A folder where a test keeps what people should look at after the run (phone-width
    screenshots): ``$TEST_ARTIFACTS`` or ``test-artifacts/`` at the project root (git-
    ignored; CI can upload it), one folder per test."""
    root = Path(os.environ.get("TEST_ARTIFACTS") or Path(__file__).resolve().parent.parent / "test-artifacts")
    folder = root / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
