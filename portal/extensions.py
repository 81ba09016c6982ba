"""Unbound extension objects, bound to the app in ``create_app``."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@limiter.request_filter
def _unlimited_item_page() -> bool:
    """The test's item page (its GET and the answer POST, two requests per answer, the
    product's hottest path; and the verification test's, the same path) has no rate limit, so it skips the limiter's per-request work.
    A limit added to it would need this filter removed."""
    from flask import request

    return request.endpoint in ("candidate.item", "candidate.verify_item")
