"""Second Opinion: the Flask application."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_login import current_user


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    from .config import load_config

    app.config.update(load_config(Path(app.instance_path), config))
    from .sessions import SessionInterface

    app.session_interface = SessionInterface()

    from . import db, errors, i18n, logs, security, templating
    from .extensions import csrf, init_limiter, login_manager

    logs.init_app(app)
    db.init_app(app)
    csrf.init_app(app)
    init_limiter(app)
    i18n.init_app(app)
    security.init_app(app)
    # Flask-Login's own context processor loads the user for every template, a candidate's
    # pages included (no user there, but a session-protection hash and the cookie checks
    # each time); the proxy loads it only where a template reads it.
    login_manager.init_app(app, add_context_processor=False)
    app.context_processor(_current_user)
    errors.init_app(app)
    templating.init_app(app)
    from . import oidc

    oidc.init_app(app)

    from admin import bp as admin_bp
    from admin.account import bp as account_bp
    from admin.auth import init_login

    from .candidate import bp as candidate_bp
    from .health import bp as health_bp

    init_login(app)
    app.register_blueprint(candidate_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(health_bp)
    from . import api, brand_assets

    api.init_app(app)
    brand_assets.init_app(app)

    from .cli import register_cli

    register_cli(app)
    return app


def _current_user() -> dict:
    return {"current_user": current_user}
