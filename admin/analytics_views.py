"""Analytics (issue 16): item statistics, DIF, information curves, inventory scale
statistics and adverse impact, with CSV exports.

Who: administrators and consultants (``staff_required``). An administrator's figures come
from every assignment; a consultant's only from the assignments they are staffed on
(``access.assignment_scope``), so nobody sees data of assignments they do not work on.
Client users are refused (403). Every page view and export is audit-logged with its
filters (ids and settings only). No page or export holds a row per candidate.
"""
from __future__ import annotations

from datetime import date

from flask import abort, make_response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from portal import resources as res
from portal.db import get_session
from portal.i18n import current_language
from portal.labels import DIF_COMPARISONS, EQUALITY_GROUPS, EQUALITY_QUESTIONS
from portal.services import access, audit
from portal.services import analytics as an
from portal.services.equality import MIN_GROUP
from portal.services.paging import Page, page_number
from portal.services.scoring import LOGIC_SCALE

from .blueprint import bp
from .auth import staff_required
from .charts import curve_chart_svg


class BadFilter(ValueError):
    """A filter value that cannot be used; the message is shown to the user."""


def _assignment_id() -> int | None:
    value = request.args.get("assignment", "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        abort(404)


def _scope():
    """(scope subquery, assignment id or None); 404 for an assignment the user may not see."""
    assignment_id = _assignment_id()
    try:
        return an.scope_ids(current_user, assignment_id, get_session()), assignment_id
    except access.NotVisible:
        abort(404)


def _version_bank(current, bank_id: str, version: str):
    """The bank of a version: the one in use, or a stored version through
    ``resources.logic_bank_version`` where bank versions are stored (``banks calibrate``,
    issue 16); None when it cannot be loaded."""
    if (current.bank_id, current.version) == (bank_id, version):
        return current
    loader = getattr(res, "logic_bank_version", None)
    if loader is None:
        return None
    try:
        return loader(bank_id, version)
    except LookupError:
        return None


def _bank_choice(db, scope):
    """(bank of the chosen version or None, the versions offered, (bank id, version), the
    bank with the a-priori parameters)."""
    current = res.logic_bank()
    versions = an.bank_versions(db, scope, current)
    wanted = request.args.get("bank", "")
    chosen = next(((b, v) for b, v, _n in versions if f"{b}@{v}" == wanted), (versions[0][0], versions[0][1]))
    shipped = getattr(res, "shipped_logic_bank", res.logic_bank)()
    return _version_bank(current, *chosen), versions, chosen, shipped


def _date(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadFilter(_("Write dates as YYYY-MM-DD.")) from None


def _impact_filters(inventory):
    scales = an.impact_scales(inventory)
    scale = request.args.get("scale", LOGIC_SCALE)
    if scale not in scales:
        raise BadFilter(_("Choose a scale from the list."))
    raw = request.args.get("cut", "50").strip()
    # Whole percentiles only: finer cut-offs would only sharpen differencing between queries.
    if not raw.isdigit() or not 1 <= int(raw) <= 99:
        raise BadFilter(_("The cut-off must be a whole percentile between 1 and 99."))
    cut = float(raw)
    since, until = _date("since"), _date("until")
    if since and until and since > until:
        raise BadFilter(_("The first date must not be after the last."))
    return scales, scale, cut, since, until


def _scale_names(inventory) -> dict[str, str]:
    lang = current_language()
    names = {LOGIC_SCALE: _("Logic test")}
    for d in inventory.domains:
        names[f"personality.{d.id}"] = d.name.get(lang) or d.name.get("en") or d.id
    return names


def _csv(text: str, filename: str):
    response = make_response("\ufeff" + text)  # BOM: spreadsheet programs then read UTF-8
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _logic_analysis(db, *, with_fit: bool = True):
    """The logic-item analysis the item, DIF and export views share: the scope from the
    query string, the chosen bank version and its analysis. Returns (result, assignment id,
    the versions offered, (bank id, version), the chosen version's bank)."""
    scope, assignment_id = _scope()
    bank, versions, chosen, shipped = _bank_choice(db, scope)
    result = an.logic_analysis(db, scope, bank, bank_id=chosen[0], version=chosen[1], apriori=shipped,
                               with_fit=with_fit)
    return result, assignment_id, versions, chosen, bank


def _log(action: str, object_type: str, **detail) -> None:
    audit.record(get_session(), user_id=current_user.id, action=action, object_type=object_type,
                 detail={k: v for k, v in detail.items() if v is not None}, now=res.now())


def _common(db, assignment_id):
    return {"assignments": an.visible_assignments(db, current_user), "assignment_id": assignment_id,
            "min_group": MIN_GROUP}


@bp.get("/analytics")
@staff_required
def analytics():
    db = get_session()
    result, assignment_id, versions, (bank_id, version), bank = _logic_analysis(db)
    sort = request.args.get("sort", "exposure")
    sort = sort if sort in an.SORT_KEYS else "exposure"
    descending = request.args.get("dir", "desc" if sort in ("exposure",) else "asc") == "desc"
    rows = an.sort_rows(result.items, sort, descending)
    page = Page(page_number(request.args.get("page"), len(rows), an.PER_PAGE), an.PER_PAGE, len(rows))
    shown = rows[(page.number - 1) * an.PER_PAGE: page.number * an.PER_PAGE]
    charts = None
    if result.params is not None:
        curves = an.curves(result.params, result.theta, result.se)
        charts = _curve_charts(curves)
    _log("view", "analytics_items", assignment_id=assignment_id, bank=f"{bank_id}@{version}")
    args = {"assignment": assignment_id or "", "bank": f"{bank_id}@{version}"}
    return render_template("admin/analytics.html", result=result, rows=shown, page=page, sort=sort,
                           descending=descending, versions=versions, bank_key=f"{bank_id}@{version}", args=args,
                           charts=charts, min_item_n=an.MIN_ITEM_N, bank=bank, **_common(db, assignment_id))


def _curve_charts(curves: an.Curves) -> dict:
    x = [float(t) for t in curves.theta]
    info = curve_chart_svg(
        x, [{"values": [float(v) for v in curves.bank_information], "dash": None, "label": _("whole bank")},
            {"values": [float(v) for v in curves.test_information], "dash": "6 3",
             "label": _("best %(n)s items", n=curves.length)}],
        x_label=_("Ability (θ)"), y_label=_("Information"), title=_("Test information"))
    se = curve_chart_svg(
        x, [{"values": [float(v) for v in curves.test_se], "dash": None,
             "label": _("SE, best %(n)s items", n=curves.length)}],
        x_label=_("Ability (θ)"), y_label=_("Standard error"), title=_("Conditional standard error"),
        y_max=1.0, reference=curves.se_target, points=[(c, s) for c, s, _n in curves.observed])
    return {"information": info, "se": se, "curves": curves}


@bp.get("/analytics/dif")
@staff_required
def analytics_dif():
    db = get_session()
    result, assignment_id, versions, (bank_id, version), _bank = _logic_analysis(db, with_fit=False)
    _log("view", "analytics_dif", assignment_id=assignment_id, bank=f"{bank_id}@{version}")
    tables = []
    for key, reference, focal in an.DIF_COMPARISONS:
        rows = [(r, r.dif[key]) for r in result.items if key in r.dif]
        counts = {c: sum(1 for _r, d in rows if d.category == c) for c in ("A", "B", "C")}
        insufficient = sum(1 for _r, d in rows if d.status != "classified")
        order = {"C": 0, "B": 1, "A": 2, None: 3}
        listed = sorted([(r, d) for r, d in rows if d.status == "classified"],
                        key=lambda rd: (order[rd[1].category], -abs(rd[1].mh.delta)))
        n_ref, n_foc = result.dif_counts.get(key, (0, 0))
        # Group sizes are shown only when each is at least MIN_GROUP and the tests in neither
        # group (other answers, no answer) are none or at least MIN_GROUP, so that no small
        # group follows from the total above.
        rest = result.window.n - n_ref - n_foc
        sizes_shown = n_ref >= MIN_GROUP and n_foc >= MIN_GROUP and (rest == 0 or rest >= MIN_GROUP)
        tables.append({"key": key, "label": DIF_COMPARISONS[key], "rows": listed[:100], "counts": counts,
                       "insufficient": insufficient, "groups": (n_ref, n_foc), "sizes_shown": sizes_shown,
                       "reference": reference, "focal": focal, "more": max(0, len(listed) - 100)})
    args = {"assignment": assignment_id or "", "bank": f"{bank_id}@{version}"}
    return render_template("admin/analytics_dif.html", result=result, tables=tables, versions=versions,
                           bank_key=f"{bank_id}@{version}", args=args, min_dif=an.dif.DEFAULT_MIN_GROUP,
                           **_common(db, assignment_id))


@bp.get("/analytics/inventory")
@staff_required
def analytics_inventory():
    db = get_session()
    scope, assignment_id = _scope()
    inventory = res.inventory()
    result = an.inventory_analysis(db, scope, inventory)
    _log("view", "analytics_inventory", assignment_id=assignment_id)
    lang = current_language()
    names = {d.id: d.name.get(lang, d.id) for d in inventory.domains}
    names.update({f.id: f.name.get(lang, f.id) for f in inventory.facets})
    return render_template("admin/analytics_inventory.html", result=result, names=names, inventory=inventory,
                           min_scale_n=an.MIN_SCALE_N, args={"assignment": assignment_id or ""},
                           **_common(db, assignment_id))


@bp.get("/analytics/impact")
@staff_required
def analytics_impact():
    db = get_session()
    scope, assignment_id = _scope()
    inventory = res.inventory()
    scales = an.impact_scales(inventory)
    error, result = None, None
    scale, cut, since, until = request.args.get("scale", LOGIC_SCALE), request.args.get("cut", "50"), None, None
    try:
        scales, scale, cut, since, until = _impact_filters(inventory)
    except BadFilter as exc:
        error = str(exc)
    if error is None:
        result = an.adverse_impact_analysis(db, scope, scale=scale, cut=cut, since=since, until=until)
        _log("view", "analytics_impact", assignment_id=assignment_id, scale=scale, cut=cut,
             since=since.isoformat() if since else None, until=until.isoformat() if until else None)
    args = {"assignment": assignment_id or "", "scale": scale, "cut": request.args.get("cut", "50"),
            "since": request.args.get("since", ""), "until": request.args.get("until", "")}
    response = make_response(render_template(
        "admin/analytics_impact.html", result=result, error=error, scales=scales, scale=scale, cut=cut,
        scale_names=_scale_names(inventory), question_labels=EQUALITY_QUESTIONS, group_labels=EQUALITY_GROUPS,
        args=args, **_common(db, assignment_id)))
    if error:
        response.status_code = 400
    return response


@bp.get("/analytics/items.csv")
@staff_required
def analytics_items_csv():
    db = get_session()
    result, assignment_id, _versions, (bank_id, version), _bank = _logic_analysis(db)
    _log("export", "analytics_items", assignment_id=assignment_id, bank=f"{bank_id}@{version}")
    return _csv(an.item_rows_csv(result), f"item-statistics-{bank_id}-{version}.csv")


@bp.get("/analytics/dif.csv")
@staff_required
def analytics_dif_csv():
    db = get_session()
    result, assignment_id, _versions, (bank_id, version), _bank = _logic_analysis(db, with_fit=False)
    _log("export", "analytics_dif", assignment_id=assignment_id, bank=f"{bank_id}@{version}")
    return _csv(an.dif_rows_csv(result), f"dif-{bank_id}-{version}.csv")


@bp.get("/analytics/impact.csv")
@staff_required
def analytics_impact_csv():
    db = get_session()
    scope, assignment_id = _scope()
    try:
        _scales, scale, cut, since, until = _impact_filters(res.inventory())
    except BadFilter as exc:
        return make_response(str(exc), 400, {"Content-Type": "text/plain; charset=utf-8"})
    result = an.adverse_impact_analysis(db, scope, scale=scale, cut=cut, since=since, until=until)
    _log("export", "analytics_impact", assignment_id=assignment_id, scale=scale, cut=cut,
         since=since.isoformat() if since else None, until=until.isoformat() if until else None)
    return _csv(an.impact_rows_csv(result, _("fewer than %(n)s", n=MIN_GROUP)),
                f"adverse-impact-{scale}-{cut:g}.csv")

