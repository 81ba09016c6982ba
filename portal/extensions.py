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


#: The test's item page (its GET and the answer POST, two requests per answer, the
#: product's hottest path; and the verification test's, the same path) has no rate
#: limit, so it skips the limiter altogether.
UNLIMITED_ENDPOINTS = frozenset({"candidate.item", "candidate.verify_item"})


def init_limiter(app) -> None:
    """Bind the limiter, and keep its three per-request hooks (before, after, teardown)
    off the endpoints of :data:`UNLIMITED_ENDPOINTS`. A ``request_filter`` would exempt
    them too, but only after the limiter has looked up the view's limits and set up its
    request context, about 4 % of the item page's CPU. A limit added to one of these
    endpoints would need it removed from the set."""
    from functools import wraps

    from flask import request

    hooks = (app.before_request_funcs.setdefault(None, []), app.after_request_funcs.setdefault(None, []),
             app.teardown_request_funcs.setdefault(None, []))
    before = [list(h) for h in hooks]
    limiter.init_app(app)

    def skip(hook):
        @wraps(hook)
        def wrapper(*args):
            if request.endpoint in UNLIMITED_ENDPOINTS:
                return args[0] if hook in after else None  # after_request: the response
            return hook(*args)

        return wrapper

    after = [f for f in hooks[1] if f not in before[1]]
    for funcs, old in zip(hooks, before):
        funcs[:] = [f if f in old else skip(f) for f in funcs]
