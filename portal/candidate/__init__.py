"""The candidate's pages: the blueprint ``bp`` (made in ``blueprint``) with the routes of
``views`` and ``verify_views``."""
from . import verify_views, views  # noqa: F401 - importing them adds their routes to bp
from .blueprint import bp

__all__ = ["bp"]
