from flask import Blueprint

bp = Blueprint("candidate", __name__, template_folder="templates")

from . import views, verify_views  # noqa: E402,F401
