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
