"""The candidate's blueprint. ``views`` and ``verify_views`` add their routes to it; the
package (``portal/candidate/__init__.py``) imports them, so that importing it registers every route."""
from flask import Blueprint

bp = Blueprint("candidate", __name__, template_folder="templates")
