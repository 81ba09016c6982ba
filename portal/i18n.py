"""Language selection: the candidate's choice, then the invitation's language,
then the browser's Accept-Language; Swedish by default."""
from __future__ import annotations

from flask import Flask, current_app, g, request, session
from flask_babel import get_locale, get_translations

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


def current_language() -> str:
    """The language of the page being made ("sv" or "en"): Flask-Babel's locale, which
    :func:`select_locale` chose (or a ``force_locale`` block set); Swedish when there is
    none."""
    return str(get_locale() or "sv")


def _translations():
    """``flask_babel.get_translations()``, looked up once per request and locale.

    A template calls ``_()`` a dozen or more times per page, and Flask-Babel resolves the
    domain, the locale and its catalogue again on every call (three lookups of ``g``
    each). The result is kept on Flask-Babel's own per-request namespace with the locale
    and domain objects it was found for, so a ``force_locale`` block (an e-mail or a
    report in another language) or a ``refresh()`` gets its own lookup."""
    try:
        ctx = g._flask_babel
    except (AttributeError, RuntimeError):  # not looked up yet in this context, or none
        return get_translations()
    locale, domain = getattr(ctx, "babel_locale", None), getattr(ctx, "babel_domain", None)
    cached = getattr(ctx, "portal_translations", None)
    if cached is not None and locale is not None and cached[0] is locale and cached[1] is domain:
        return cached[2]
    translations = get_translations()
    ctx.portal_translations = (getattr(ctx, "babel_locale", None), getattr(ctx, "babel_domain", None),
                               translations)
    return translations


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel's callables for templates, with the catalogue looked up once (above).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )

    @app.context_processor
    def _lang():
        return {"current_lang": current_language()}
