"""Configuration: defaults, then environment variables, then explicit overrides.

Read only inside ``create_app`` so tests can pass a plain dict instead of patching
the environment.
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


#: Placeholder and example values that must never sign anything (lower case).
EXAMPLE_KEYS = frozenset({
    "abc", "secret", "secret-key", "secret_key", "changeme", "change-me", "change_me", "replace-me",
    "your-secret-key", "your_secret_key", "dev", "development", "test", "xxx", "default", "key",
})
MIN_SECRET_BYTES = 32
KEY_HOWTO = ("Make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(48))' and set it as "
             "SECRET_KEY in the environment, the same on every host (see README, Deploying).")


class ConfigError(RuntimeError):
    """The configuration is not safe to run with; the message says what to do."""


def development(env=None) -> bool:
    """``SECOND_OPINION_ENV=development`` (set by ``make run``): a single local
    installation, where a key kept in ``instance/`` is acceptable."""
    return (env if env is not None else os.environ).get("SECOND_OPINION_ENV", "").strip().lower() == "development"


def check_secret_key(key: str) -> None:
    """Refuse a key shorter than 32 bytes or known as an example value."""
    if len(key.encode("utf-8")) < MIN_SECRET_BYTES:
        raise ConfigError(f"SECRET_KEY is too short ({len(key.encode('utf-8'))} bytes; at least "
                          f"{MIN_SECRET_BYTES} are needed). {KEY_HOWTO}")
    if key.strip().lower() in EXAMPLE_KEYS:
        raise ConfigError(f"SECRET_KEY is an example value. {KEY_HOWTO}")


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment; in development only, else a random key kept in
    ``instance/``. Outside development a missing, short or example key is refused: several
    hosts must share one key, and a key file made silently on each host would make them
    reject each other's links and sessions."""
    key = os.environ.get("SECRET_KEY")
    if key:
        check_secret_key(key)
        return key
    if not development():
        raise ConfigError(f"SECRET_KEY is not set. {KEY_HOWTO} (For a local try-out, `make run` "
                          "sets SECOND_OPINION_ENV=development and keeps a key in instance/.)")
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def database_url(url: str) -> str:
    """Accept the common ``postgres://`` / ``postgresql://`` forms and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config(instance_path: Path, overrides: dict | None = None) -> dict:
    env = os.environ
    overrides = dict(overrides or {})
    cfg: dict = {
        "DATABASE_URL": env.get("DATABASE_URL")
        or f"sqlite:///{instance_path / 'second_opinion.sqlite3'}",
        #: Invitation links stop working after this many days.
        "INVITATION_MAX_AGE_DAYS": int(env.get("INVITATION_MAX_AGE_DAYS", "14")),
        #: A new user's e-mailed set-password link (or a new one) stops working after this
        #: many hours.
        "SET_PASSWORD_LINK_HOURS": int(env.get("SET_PASSWORD_LINK_HOURS") or 72),
        #: Grace period after the logic test deadline for answers still in flight.
        "ANSWER_GRACE_SECONDS": 5,
        "BASE_URL": env.get("BASE_URL", "http://127.0.0.1:5000"),
        "SESSION_COOKIE_SECURE": _bool(env.get("COOKIE_SECURE"), True),
        "REMEMBER_COOKIE_SECURE": _bool(env.get("COOKIE_SECURE"), True),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_PATH": "/",
        "REMEMBER_COOKIE_PATH": "/",
        # A candidate may spend hours in the battery; keep the session and the
        # CSRF token valid long enough to survive a long test.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=int(env.get("SESSION_HOURS", "12"))),
        "WTF_CSRF_TIME_LIMIT": int(env.get("CSRF_TIME_LIMIT_SECONDS", str(12 * 3600))),
        "WTF_CSRF_ENABLED": True,
        "BABEL_DEFAULT_LOCALE": "sv",
        "BABEL_DEFAULT_TIMEZONE": env.get("TIMEZONE", "Europe/Stockholm"),
        "LANGUAGES": ("sv", "en"),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per 15 minutes"),
        #: Wrong verification codes per client address (``/verify``), in the limiter's storage.
        "VERIFICATION_CODE_RATE_LIMIT": env.get("VERIFICATION_CODE_RATE_LIMIT", "10 per 15 minutes"),
        #: Requests per API key (``portal/api``), in the limiter's storage.
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "120 per minute"),
        #: Integrity beacons per candidate session (``static/integrity.js``; each attempt
        #: also keeps at most ``services.integrity.MAX_BEACONS``).
        "SIGNAL_RATE_LIMIT": env.get("SIGNAL_RATE_LIMIT", "60 per minute"),
        #: The privacy notice candidates read: the controller (the consultancy) and where to
        #: send questions and requests about their data.
        "CONTROLLER_NAME": env.get("CONTROLLER_NAME", "").strip(),
        "PRIVACY_CONTACT": env.get("PRIVACY_CONTACT", "").strip(),
        #: Retention per data class, e.g. "assessment=24,contact=6,audit=keep" (months;
        #: portal/services/retention.py lists the classes and defaults). An administrator
        #: may change them on the Retention page.
        "RETENTION_MONTHS": env.get("RETENTION_MONTHS", ""),
        #: Administrators must use two-factor sign-in (admin/two_factor_views.py).
        "REQUIRE_ADMIN_2FA": _bool(env.get("REQUIRE_ADMIN_2FA"), True),
        "RATELIMIT_HEADERS_ENABLED": False,
        "LOGIC_BANK_PATH": env.get("LOGIC_BANK_PATH") or None,
        "INVENTORY_PATH": env.get("INVENTORY_PATH") or None,
        #: Unscored pretest items per logic attempt (at most 2 by design; 0 disables), given
        #: only when the attempt's bank version has pretest items (portal/services/journey.py).
        "PRETEST_ITEMS_PER_ATTEMPT": min(2, max(0, int(env.get("PRETEST_ITEMS_PER_ATTEMPT") or 2))),
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        #: E-mail (portal/services/mail.py), sent by the mail worker (flask mail work).
        #: No SMTP_HOST: messages stay in the development outbox. The password is only
        #: ever handed to smtplib.
        "SMTP_HOST": env.get("SMTP_HOST", "").strip(),
        "SMTP_PORT": int(env.get("SMTP_PORT") or (465 if _bool(env.get("SMTP_SSL"), False) else 587)),
        "SMTP_USERNAME": env.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": _bool(env.get("SMTP_STARTTLS"), True),
        #: Implicit TLS (port 465) instead of STARTTLS.
        "SMTP_SSL": _bool(env.get("SMTP_SSL"), False),
        "SMTP_TIMEOUT": float(env.get("SMTP_TIMEOUT") or 10),
        "MAIL_FROM": env.get("MAIL_FROM") or "Second Opinion <no-reply@localhost>",
        #: The mail worker does not send a message it never tried that is older than
        #: this, so turning SMTP on later does not mail stale development messages.
        "MAIL_MAX_AGE_HOURS": float(env.get("MAIL_MAX_AGE_HOURS") or 48),
        #: Minimum time between two reminders (or the invitation and the first reminder).
        "REMINDER_COOLDOWN_HOURS": int(env.get("REMINDER_COOLDOWN_HOURS") or 24),
        #: Single sign-on (portal/oidc.py, docs/sso.md): provider names, each configured by
        #: OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _NAME, _GROUPS_CLAIM.
        "OIDC_PROVIDERS": env.get("OIDC_PROVIDERS", ""),
        #: Skip the portal's own second factor after single sign-on when the provider's ID
        #: token says it used multi-factor authentication (amr contains "mfa").
        "OIDC_TRUST_IDP_MFA": _bool(env.get("OIDC_TRUST_IDP_MFA"), False),
        #: Webhooks (portal/services/webhooks.py), delivered by the same worker: seconds
        #: per delivery attempt (1-60), and whether endpoints may be private, loopback or
        #: link-local addresses (development and tests only; off in production).
        "WEBHOOK_TIMEOUT": float(env.get("WEBHOOK_TIMEOUT") or 10),
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": _bool(env.get("WEBHOOK_ALLOW_PRIVATE_TARGETS"), False),
    }
    cfg.update(overrides)
    cfg["DATABASE_URL"] = database_url(cfg["DATABASE_URL"])
    if isinstance(cfg["RETENTION_MONTHS"], str):
        from .services.retention import RetentionError, parse_months

        try:
            cfg["RETENTION_MONTHS"] = parse_months(cfg["RETENTION_MONTHS"])
        except RetentionError as exc:
            raise ConfigError(str(exc)) from exc
    from .oidc import ProviderError, parse_providers

    try:
        cfg["OIDC_PROVIDERS"] = parse_providers(cfg["OIDC_PROVIDERS"], lambda key: cfg.get(key, env.get(key)))
    except ProviderError as exc:
        raise ConfigError(str(exc)) from exc
    try:
        from limits import parse as parse_limit

        parse_limit(cfg["API_RATE_LIMIT"])
    except ValueError as exc:
        raise ConfigError(f"API_RATE_LIMIT is not a rate limit such as '120 per minute': {exc}") from exc
    if "SECRET_KEY" not in cfg:
        cfg["SECRET_KEY"] = _secret_key(instance_path)
    else:
        check_secret_key(cfg["SECRET_KEY"])
    if cfg["SESSION_COOKIE_SECURE"]:
        # __Host- cookies: sent only over HTTPS, for this host and path / only, so a
        # sibling subdomain cannot set or shadow them.
        cfg.setdefault("SESSION_COOKIE_NAME", "__Host-so_session")
        cfg.setdefault("REMEMBER_COOKIE_NAME", "__Host-so_remember")
    else:  # plain HTTP (development, tests): browsers refuse __Host- cookies without Secure
        cfg.setdefault("SESSION_COOKIE_NAME", "so_session")
        cfg.setdefault("REMEMBER_COOKIE_NAME", "so_remember")
    return cfg
