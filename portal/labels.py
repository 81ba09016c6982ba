"""Names of stored codes as people read them, shared by the consultant's pages and the
reports (which render them in the report's language)."""
from flask_babel import lazy_gettext as _l

from item_banks import leaks

from .services import names

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
EVIDENCE_SOURCES = {key: _l(message) for key, message in names.EVIDENCE_SOURCES.items()}
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

#: Why an adaptive logic test stopped (``Attempt.stop_reason``).
STOP_REASONS = {
    "se_target": _l("stopped when the result was precise enough"),
    "max_items": _l("stopped at the maximum number of questions"),
    "time_limit": _l("time ran out: questions the test would still have asked count as wrong"),
    "bank_exhausted": _l("no more questions in the bank"),
}

#: What each validity indicator means, for the consultant (see item_banks/validity.py).
VALIDITY_FLAGS = {
    "too_fast": (_l("Very fast answers"),
                 _l("Median time per statement was below %(threshold)s seconds; the statements may not have been read carefully.")),
    "long_string": (_l("Same answer many times in a row"),
                    _l("%(threshold)s or more identical answers in a row; this can mean answering without reading.")),
    "inconsistency": (_l("Inconsistent answers"),
                      _l("Statements that mean nearly the same were answered differently (mean difference %(threshold)s points or more).")),
    "acquiescence": (_l("Tendency to agree or disagree regardless of content"),
                     _l("The average answer was at least 4 or at most 2 although half the statements are reversed.")),
    "infrequency": (_l("Unusual answers to control statements"),
                    _l("%(threshold)s or more control statements that almost everyone answers the same way were answered the other way.")),
}
#: Webhook delivery states (``DeliveryStatus`` values).
DELIVERY_STATUSES = {
    "pending": _l("queued"),
    "retrying": _l("failed, will be retried"),
    "delivered": _l("delivered"),
    "dead": _l("failed for a day; given up"),
}
#: Leak monitoring states of an item (``item_banks.leaks``).
LEAK_STATUSES = {leaks.ALARM: _l("Alarm"), leaks.NO_ALARM: _l("No alarm"),
                 leaks.INSUFFICIENT: _l("Insufficient data")}
#: How the candidate's instructions name each logic item type.
ITEM_KINDS = {
    "number_series": _l("number series"),
    "letter_series": _l("letter series"),
    "matrix": _l("figure patterns"),
    "deductive": _l("short reasoning tasks"),
}
#: The optional equality questions and their answers (analytics, adverse impact), and the
#: DIF comparisons.
EQUALITY_QUESTIONS = {"gender": _l("Gender"), "age_band": _l("Age"), "first_language": _l("First language")}
EQUALITY_GROUPS = {
    "gender": {"woman": _l("Woman"), "man": _l("Man"), "other": _l("Another gender or non-binary")},
    "age_band": {"-29": _l("29 or younger"), "30-39": "30-39", "40-49": "40-49", "50-": _l("50 or older")},
    "first_language": {"sv": _l("Swedish"), "other": _l("Another language"),
                       "both": _l("Swedish and another language equally")},
}
DIF_COMPARISONS = {"language": _l("Test language: Swedish (reference) vs English (focal)"),
                   "gender": _l("Gender: men (reference) vs women (focal)")}
#: User roles (``Role`` values).
ROLES = {"admin": _l("Administrator"), "consultant": _l("Consultant"), "client": _l("Client user")}
#: Kinds of SSO rule (``SsoRuleKind`` values).
SSO_RULE_KINDS = {"domain": _l("E-mail domain"), "group": _l("Group")}
#: The e-mails a client's own texts can replace (``portal.services.branding``).
MAIL_KINDS = {"invitation": _l("Invitation"), "reminder": _l("Reminder")}
#: Retention classes (``portal.services.retention``): name and what the period covers.
RETENTION_CLASSES = {
    "assessment": (_l("Assessment data and reports"),
                   _l("Every candidate's name, results, reports, interview notes, references and e-mails, "
                      "counted from the close of the assignment. Then the candidate is erased; the anonymous "
                      "answers stay for norms and item statistics.")),
    "contact": (_l("Contact data of candidates not hired"),
                _l("E-mail address, invitation links and e-mails of candidates not marked as hired, counted "
                   "from the close of the assignment.")),
    "attachments": (_l("Background-check attachments"),
                    _l("The attached files, counted from the close of the assignment.")),
    "outbox": (_l("E-mail outbox"), _l("Stored e-mails (they hold names and links), counted from when they were written.")),
    "audit": (_l("Audit log"), _l("Who did what (ids, no personal data), counted from when it happened.")),
}


def inventory_scale_names(lang: str) -> dict[str, str]:
    """The app's inventory's own domain and facet names in ``lang``, by scale key."""
    from . import resources as res

    return names.inventory_scale_names(res.inventory(), lang)


def scale_name(scale: str, lang: str) -> str:
    """A test scale's name in ``lang`` (``services.names.scale_name``, with the app's
    inventory and translations)."""
    from flask_babel import force_locale, gettext

    from . import resources as res

    with force_locale(lang):
        return names.scale_name(scale, lang, res.inventory(), gettext)
