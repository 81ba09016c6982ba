"""Names of stored codes as people read them, shared by the consultant's pages and the
reports (which render them in the report's language)."""
from flask_babel import lazy_gettext as _l

#: Background-check kinds (``BackgroundCheck.kind``; see services.checks.DEFAULT_KINDS).
CHECK_KINDS = {
    "identity": _l("Identity"),
    "education": _l("Education"),
    "employment": _l("Employment"),
    "registry": _l("Registry extract (only where the role allows it)"),
}
#: ``CheckStatus`` values.
CHECK_STATUSES = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "ok": _l("Checked, no remarks"),
    "remark": _l("Checked, with remarks"),
    "not_applicable": _l("Not applicable"),
}
#: ``Synthesis.recommendation`` values.
RECOMMENDATIONS = {
    "recommend": _l("Recommended for the role"),
    "reservations": _l("Recommended with reservations"),
    "not_recommended": _l("Not recommended"),
}
#: Role families of an assignment (``portal.models.assignments.ROLE_FAMILIES``), for
#: local norms built per family.
ROLE_FAMILIES = {
    "manager": _l("Managers"),
    "specialist": _l("Specialists"),
    "sales": _l("Sales"),
    "project_manager": _l("Project managers"),
}
#: Evidence keys of the synthesis (``portal.synthesis.Evidence.key``).
EVIDENCE_SOURCES = {
    "logic": _l("Logic test"),
    "personality": _l("Personality inventory"),
    "interview": _l("Interview"),
    "reference": _l("References"),
}
#: Why a piece of evidence counts less (``portal.synthesis.Evidence.discounts``).
DISCOUNTS = {
    "incomplete": _l("incomplete test: the answered questions only, at half weight"),
    "flagged": _l("a validity indicator was raised: at half weight"),
    "single_rater": _l("one interviewer: their own rater error is not averaged out"),
    "single_referee": _l("one referee: their own error is not averaged out"),
}
#: A must-have's status (``portal.synthesis.must_status``).
MUST_STATUSES = {
    "likely": _l("likely met"),
    "uncertain": _l("uncertain"),
    "unlikely": _l("unlikely to be met"),
}


def inventory_scale_names(lang: str) -> dict[str, str]:
    """The inventory's own domain and facet names in ``lang``, by scale key
    (``personality.CO``, ``personality.CO.order``)."""
    from . import resources as res

    names = {}
    for domain in res.inventory().domains:
        for part in (domain, *domain.facets):
            names[f"personality.{part.id}"] = part.name.get(lang) or part.id
    return names


def scale_name(scale: str, lang: str) -> str:
    """A test scale's name in ``lang``: "Logic test (reasoning ability)", or the
    inventory's own domain or facet name ("Personality: Order")."""
    from flask_babel import force_locale, gettext

    with force_locale(lang):
        if scale.startswith("logic."):
            return gettext("Logic test (reasoning ability)")
        name = inventory_scale_names(lang).get(scale)
        return gettext("Personality: %(name)s", name=name) if name else scale
