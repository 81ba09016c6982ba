"""Configuration from the environment."""
from __future__ import annotations

import pytest

from portal.config import database_url, load_config


@pytest.mark.parametrize("given, used", [
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_url_uses_psycopg3(given, used):
    assert database_url(given) == used


def test_environment_is_read_when_the_app_is_made(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("INVITATION_MAX_AGE_DAYS", "7")
    monkeypatch.setenv("COOKIE_SECURE", "0")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    cfg = load_config(tmp_path)
    assert cfg["DATABASE_URL"] == "postgresql+psycopg://u@h/db"
    assert cfg["INVITATION_MAX_AGE_DAYS"] == 7
    assert cfg["SESSION_COOKIE_SECURE"] is False
    # without SECRET_KEY a random key is kept in the instance folder, readable only by us
    key_file = tmp_path / "secret_key"
    assert key_file.read_text() == cfg["SECRET_KEY"] and len(cfg["SECRET_KEY"]) >= 40
    assert key_file.stat().st_mode & 0o077 == 0
    assert load_config(tmp_path)["SECRET_KEY"] == cfg["SECRET_KEY"]


def test_defaults_are_safe(monkeypatch, tmp_path):
    for name in ("COOKIE_SECURE", "DATABASE_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    cfg = load_config(tmp_path)
    assert cfg["SESSION_COOKIE_SECURE"] is True and cfg["SESSION_COOKIE_HTTPONLY"] is True
    assert cfg["DATABASE_URL"].startswith("sqlite:///") and str(tmp_path) in cfg["DATABASE_URL"]
    assert cfg["INVITATION_MAX_AGE_DAYS"] == 14
