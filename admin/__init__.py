"""The consultant side. Minimal for now: login and the assignment overview."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

from . import api_keys_views, assignments, auth, banks, candidates, checks, client_views, finalists_views, interviews, outbox, profiles, reports_views, results, retention_views, sso_views, synthesis_views, two_factor_views, users, views  # noqa: E402,F401
from . import webhooks_views  # noqa: E402,F401
from . import analytics_views, leak_views  # noqa: E402,F401
from . import verification_views  # noqa: E402,F401
from . import branding_views  # noqa: E402,F401
