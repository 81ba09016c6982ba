from flask import Blueprint, jsonify
import sqlalchemy as sa

from .db import get_engine

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        with get_engine().connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception:  # any database failure means "not ready"
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
