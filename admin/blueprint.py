"""The consultant side's blueprint. The view modules add their routes to it; the package
(``admin/__init__.py``) imports them all, so that importing ``admin`` registers every route."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
