"""Language selection: the candidate's choice, then the invitation's language,
then the browser's Accept-Language; Swedish by default."""
from __future__ import annotations

from flask import Flask, current_app, g, request, session

from .extensions import babel


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    # A page that knows its reader's language without a candidate session (the
    # supervised verification test: the candidate's language).
    if g.get("page_language") in languages:
        return g.page_language
    candidate = g.get("candidate")
    if candidate is not None:
        if candidate.chosen_language in languages:
            return candidate.chosen_language
        invitation = g.get("invitation")
        if invitation is not None and invitation.language in languages:
            return invitation.language
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if request:
        best = request.accept_languages.best_match(languages)
        if best:
            return best
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _lang():
        from flask_babel import get_locale

        return {"current_lang": str(get_locale() or "sv")}
