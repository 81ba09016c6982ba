"""Configuration from the environment."""
from __future__ import annotations

import pytest

from portal.config import ConfigError, database_url, load_config


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
    monkeypatch.setenv("SECOND_OPINION_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    cfg = load_config(tmp_path)
    assert cfg["DATABASE_URL"] == "postgresql+psycopg://u@h/db"
    assert cfg["INVITATION_MAX_AGE_DAYS"] == 7
    assert cfg["SESSION_COOKIE_SECURE"] is False
    # in development without SECRET_KEY a random key is kept in the instance folder, readable only by us
    key_file = tmp_path / "secret_key"
    assert key_file.read_text() == cfg["SECRET_KEY"] and len(cfg["SECRET_KEY"]) >= 40
    assert key_file.stat().st_mode & 0o077 == 0
    assert load_config(tmp_path)["SECRET_KEY"] == cfg["SECRET_KEY"]


def test_defaults_are_safe(monkeypatch, tmp_path):
    for name in ("COOKIE_SECURE", "DATABASE_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECOND_OPINION_ENV", "development")
    cfg = load_config(tmp_path)
    assert cfg["SESSION_COOKIE_SECURE"] is True and cfg["SESSION_COOKIE_HTTPONLY"] is True
    assert cfg["DATABASE_URL"].startswith("sqlite:///") and str(tmp_path) in cfg["DATABASE_URL"]
    assert cfg["INVITATION_MAX_AGE_DAYS"] == 14


@pytest.mark.parametrize(("key", "says"), [
    (None, "SECRET_KEY is not set"),
    ("abc", "too short"),
    ("x" * 31, "too short"),
    ("your-secret-key", "too short"),
    ("your_secret_key_your_secret_key_", None),
])
def test_outside_development_a_real_key_is_required(monkeypatch, tmp_path, key, says):
    """Outside development the app refuses to start without a key, with a short one or an
    example value, and says how to make one; it never makes a key file of its own."""
    monkeypatch.delenv("SECOND_OPINION_ENV", raising=False)
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    if says is None:
        assert load_config(tmp_path)["SECRET_KEY"] == key
        return
    with pytest.raises(ConfigError) as exc:
        load_config(tmp_path)
    assert says in str(exc.value) and "secrets.token_urlsafe(48)" in str(exc.value)
    assert not (tmp_path / "secret_key").exists()


def test_example_keys_are_refused_whatever_their_length(monkeypatch, tmp_path):
    monkeypatch.setattr("portal.config.EXAMPLE_KEYS", frozenset({"a" * 40}))
    monkeypatch.setenv("SECRET_KEY", "A" * 40)
    with pytest.raises(ConfigError, match="example value"):
        load_config(tmp_path)
    with pytest.raises(ConfigError, match="too short"):
        load_config(tmp_path, {"SECRET_KEY": "short"})


def test_secure_cookies_get_host_prefixed_names(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "k" * 48)
    monkeypatch.delenv("COOKIE_SECURE", raising=False)
    cfg = load_config(tmp_path)
    assert cfg["SESSION_COOKIE_NAME"] == "__Host-so_session" and cfg["REMEMBER_COOKIE_NAME"] == "__Host-so_remember"
    assert cfg["SESSION_COOKIE_PATH"] == "/" and cfg.get("SESSION_COOKIE_DOMAIN") is None
    monkeypatch.setenv("COOKIE_SECURE", "0")
    assert load_config(tmp_path)["SESSION_COOKIE_NAME"] == "so_session"
