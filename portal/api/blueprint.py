"""The REST API's blueprint. ``auth`` and ``views`` add their hooks and routes to it; the
package (``portal/api/__init__.py``) imports them and registers the blueprint on the app."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")
