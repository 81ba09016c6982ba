"""The consultant side: the blueprint ``bp`` (made in ``admin.blueprint``) with the routes of
every view module; importing a view module adds its routes to ``bp``."""
from . import (  # noqa: F401
    analytics_views,
    api_keys_views,
    assignments,
    auth,
    banks,
    branding_views,
    candidates,
    checks,
    client_views,
    finalists_views,
    interviews,
    leak_views,
    outbox,
    profiles,
    reports_views,
    results,
    retention_views,
    sso_views,
    synthesis_views,
    two_factor_views,
    users,
    verification_views,
    views,
    webhooks_views,
)
from .blueprint import bp

__all__ = ["bp"]
