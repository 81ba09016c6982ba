"""OpenID Connect providers: their configuration and their Authlib clients.

Providers come from the environment (read once, in ``load_config``)::

    OIDC_PROVIDERS=entra,google
    OIDC_ENTRA_ISSUER=https://login.microsoftonline.com/<tenant>/v2.0
    OIDC_ENTRA_CLIENT_ID=...
    OIDC_ENTRA_CLIENT_SECRET=...
    OIDC_ENTRA_NAME=Microsoft            (the button says "Sign in with Microsoft")
    OIDC_ENTRA_GROUPS_CLAIM=groups       (optional: the claim that lists the user's groups)
    OIDC_ENTRA_EMAIL_VERIFIED_CLAIM=...  (optional; default email_verified)

Each app gets its own Authlib ``OAuth`` registry (``init_app``): the registry caches its
clients, and the clients depend on the app's configuration, so one module-level registry
would mix the providers of two apps (tests make many). The client discovers the
provider's endpoints and keys from ``<issuer>/.well-known/openid-configuration``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

from flask import Flask, current_app


#: Scopes asked of every provider: the ID token's subject, the e-mail address and the name.
SCOPES = "openid email profile"
#: Seconds to wait for a provider's discovery, keys and token endpoints.
HTTP_TIMEOUT = 10
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
EXTENSION = "portal.oidc"


class ProviderError(ValueError):
    """Provider settings that are incomplete or unsafe; the message names the setting
    (``load_config`` reports it as a ``ConfigError``)."""


@dataclass(frozen=True)
class Provider:
    name: str  #: the configured name, lower case; part of the redirect URI
    issuer: str
    client_id: str
    client_secret: str = ""
    label: str = ""  #: shown on the button: "Sign in with <label>"
    groups_claim: str | None = None
    email_verified_claim: str = "email_verified"

    def __repr__(self) -> str:  # never the secret, also not in a traceback or a log line
        return f"Provider(name={self.name!r}, issuer={self.issuer!r}, client_id={self.client_id!r})"

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def _loopback(host: str | None) -> bool:
    return host in {"127.0.0.1", "localhost", "::1"}


def parse_providers(names, lookup: Callable[[str], str | None]) -> tuple[Provider, ...]:
    """The providers named in ``OIDC_PROVIDERS`` (comma-separated), each from its
    ``OIDC_<NAME>_*`` settings. Incomplete or unsafe settings raise :class:`ProviderError`
    saying which setting to fix, so a deployment fails at start, not at a user's sign-in."""
    if isinstance(names, (tuple, list)) and all(isinstance(p, Provider) for p in names):
        return tuple(names)
    wanted: list[str] = []
    for raw in (names or "").split(","):
        name = raw.strip().lower()
        if not name:
            continue
        if not NAME_RE.match(name):
            raise ProviderError(f"OIDC_PROVIDERS: {raw.strip()!r} is not a valid provider name (letters, digits "
                              "and _, starting with a letter, at most 40).")
        if name in wanted:
            raise ProviderError(f"OIDC_PROVIDERS names {name!r} twice.")
        wanted.append(name)
    found: list[Provider] = []
    for name in wanted:
        prefix = f"OIDC_{name.upper()}_"

        def get(key: str, prefix=prefix) -> str:
            return (lookup(prefix + key) or "").strip()

        missing = [prefix + key for key in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET") if not get(key)]
        if missing:
            raise ProviderError(f"OIDC provider {name!r} is incomplete: set {', '.join(missing)} "
                              "(see docs/sso.md).")
        issuer = get("ISSUER")
        parts = urlsplit(issuer)
        if parts.scheme != "https" and not (parts.scheme == "http" and _loopback(parts.hostname)):
            raise ProviderError(f"{prefix}ISSUER must be an https:// URL (plain http only on 127.0.0.1 for tests).")
        if parts.query or parts.fragment or not parts.hostname:
            raise ProviderError(f"{prefix}ISSUER must be the provider's issuer URL, without query or fragment.")
        found.append(Provider(name=name, issuer=issuer, client_id=get("CLIENT_ID"),
                              client_secret=get("CLIENT_SECRET"), label=get("NAME") or name.capitalize(),
                              groups_claim=get("GROUPS_CLAIM") or None,
                              email_verified_claim=get("EMAIL_VERIFIED_CLAIM") or "email_verified"))
    return tuple(found)


def init_app(app: Flask) -> None:
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth()
    oauth.init_app(app)  # registers itself under app.extensions too
    for p in app.config.get("OIDC_PROVIDERS", ()):
        oauth.register(
            p.name,
            client_id=p.client_id,
            client_secret=p.client_secret,
            server_metadata_url=p.metadata_url,
            client_kwargs={"scope": SCOPES, "code_challenge_method": "S256",
                           "default_timeout": HTTP_TIMEOUT},
        )
    app.extensions[EXTENSION] = oauth
    app.jinja_env.globals["sso_providers"] = providers


def providers() -> tuple[Provider, ...]:
    return tuple(current_app.config.get("OIDC_PROVIDERS", ()))


def provider(name: str) -> Provider | None:
    return next((p for p in providers() if p.name == name), None)


def client(name: str):
    """The Authlib client of a configured provider."""
    return current_app.extensions[EXTENSION].create_client(name)
