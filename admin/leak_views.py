"""Leak monitoring (issue 17): per logic item, observed against expected proportion correct
over time with the CUSUM alarm (``portal.services.leak_monitoring``), and retiring an item
into a new bank version.

Who: the Analytics pages' users (``staff_required``; an administrator's figures from every
assignment, a consultant's from the assignments they are staffed on). Retiring an item
changes the bank for every client, so it is for administrators only, like the Versions
pages where the new version is reviewed and activated (``admin/banks.py``).
"""
from __future__ import annotations

import math

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from item_banks import BankError, leaks
from portal import resources as res
from portal.db import get_session
from portal.labels import LEAK_STATUSES
from portal.services import analytics as an
from portal.services import bank_versions
from portal.services import leak_monitoring as lm
from portal.services.paging import Page, page_number

from .blueprint import bp
from .analytics_views import _common, _log, _scope, _version_bank
from .auth import admin_required, staff_required
from .charts import _nice_ceiling, curve_chart_svg
from .forms import RetireItemForm

#: Rows per page of the item list.
PER_PAGE = 50
#: Points of the CUSUM chart at most (a longer path is thinned evenly, keeping its maximum).
CHART_POINTS = 300


def _data(db, scope, item_id: str | None = None):
    """(responses with expectations, the active bank, retired items)."""
    current = res.logic_bank()

    def load(version: str):
        try:
            return _version_bank(current, current.bank_id, version)
        except BankError:  # a stored version that no longer loads: its attempts are left out, and counted
            return None

    data = lm.collect(db, scope, bank_id=current.bank_id, item_id=item_id, load_bank=load)
    return data, current, bank_versions.retired_items(db, res.shipped_logic_bank(), current.version)


def _args(assignment_id: int | None) -> dict:
    return {"assignment": assignment_id} if assignment_id else {}


def _item_or_404(item_id: str, data: lm.Responses, current) -> None:
    if item_id not in {i.id for i in current.items} and not (data.item_ids == item_id).any():
        abort(404)


@bp.get("/analytics/leaks")
@staff_required
def analytics_leaks():
    db = get_session()
    scope, assignment_id = _scope()
    data, current, retired = _data(db, scope)
    summary = lm.summarise(data, bank_id=current.bank_id, active=current, retired=retired)
    page = Page(page_number(request.args.get("page"), len(summary.items), PER_PAGE), PER_PAGE, len(summary.items))
    shown = summary.items[(page.number - 1) * PER_PAGE: page.number * PER_PAGE]
    _log("view", "analytics_leaks", assignment_id=assignment_id)
    return render_template("admin/analytics_leaks.html", summary=summary, rows=shown, page=page,
                           statuses=LEAK_STATUSES, args=_args(assignment_id), bank=current,
                           alpha=leaks.DEFAULT_ALPHA, horizon=leaks.DEFAULT_HORIZON, **_common(db, assignment_id))


def _cusum_chart(item: lm.ItemLeak) -> str | None:
    path = item.monitor.cusum
    if path.size < 2:
        return None
    step = max(1, math.ceil(path.size / CHART_POINTS))
    keep = sorted(set(range(0, path.size, step)) | {path.size - 1, int(path.argmax())})
    x = [float(i + 1) for i in keep]
    y_max = _nice_ceiling(max(item.monitor.h * 1.2, float(path.max())))
    return curve_chart_svg(
        x, [{"values": [float(path[i]) for i in keep], "dash": None, "label": _("CUSUM")}],
        x_label=_("Responses to the item, in time order"), y_label=_("CUSUM"),
        title=_("CUSUM of the standardised residuals"), y_max=y_max, reference=item.monitor.h,
        x_step=_nice_ceiling(path.size / 6))


def _window_chart(detail: lm.ItemDetail) -> str | None:
    if len(detail.windows) < 2:
        return None
    x = [float(i + 1) for i in range(len(detail.windows))]
    return curve_chart_svg(
        x, [{"values": [w.observed for w in detail.windows], "dash": None, "label": _("observed")},
            {"values": [w.expected for w in detail.windows], "dash": "6 3", "label": _("expected")}],
        x_label=_("Months with responses, in order (1 = the first)") if detail.by == "month" else
        _("Block of %(n)s responses (1 = the first)", n=lm.BLOCK),
        y_label=_("Proportion correct"), title=_("Observed and expected proportion correct"), y_max=1.0,
        x_step=_nice_ceiling(len(x) / 8) if len(x) > 8 else 1.0)


@bp.get("/analytics/leaks/<item_id>")
@staff_required
def analytics_leak_item(item_id: str):
    db = get_session()
    scope, assignment_id = _scope()
    data, current, retired = _data(db, scope, item_id)
    _item_or_404(item_id, data, current)
    by = "block" if request.args.get("by") == "block" else "month"
    detail = lm.item_detail(data, item_id, active=current, retired=retired, by=by)
    labels = [lm.window_label(w, by) for w in detail.windows]
    _log("view", "analytics_leak_item", assignment_id=assignment_id, item_id=item_id)
    return render_template("admin/analytics_leak_item.html", detail=detail, item=detail.item, labels=labels,
                           statuses=LEAK_STATUSES, args=_args(assignment_id), by=by,
                           cusum_chart=_cusum_chart(detail.item), window_chart=_window_chart(detail),
                           block=lm.BLOCK, bank=current, min_n=leaks.DEFAULT_MIN_N, **_common(db, assignment_id))


def _evidence(item: lm.ItemLeak) -> dict:
    """The monitor's figures kept with the new version (no personal data)."""
    m = item.monitor

    def num(v):
        return None if v is None or not math.isfinite(v) else round(float(v), 4)

    return {"status": m.status, "n": m.n, "observed": num(m.observed), "expected": num(m.expected),
            "max_cusum": num(m.max_cusum), "k": m.k, "h": m.h,
            "first_alarm": item.first_alarm.isoformat() if item.first_alarm else None}


@bp.route("/analytics/leaks/<item_id>/retire", methods=["GET", "POST"])
@admin_required
def analytics_leak_retire(item_id: str):
    db = get_session()
    # An administrator's scope: every assignment, so the evidence is the whole bank's.
    data, current, retired = _data(db, an.scope_ids(current_user), item_id)
    _item_or_404(item_id, data, current)
    detail = lm.item_detail(data, item_id, active=current, retired=retired)
    form = RetireItemForm()
    problem = None
    if item_id in retired:
        version, active = retired[item_id]
        problem = (_("This item is already retired in version %(version)s, which is active.", version=version)
                   if active else
                   _("This item is already retired in version %(version)s, which is not active yet.", version=version))
    elif item_id not in {i.id for i in current.items}:
        problem = _("This item is not in the active bank version %(version)s, so there is nothing to retire.",
                    version=current.version)
    retirable = problem is None
    status = 200
    if request.method == "POST" and retirable:
        if form.validate_on_submit():
            try:
                with db.begin_nested():
                    row = bank_versions.retire_item(db, res.shipped_logic_bank(), item_id, reason=form.reason.data,
                                                    user_id=current_user.id, now=res.now(),
                                                    evidence=_evidence(detail.item), cache=res._version_cache())
            except (bank_versions.RetireError, BankError, bank_versions.UnknownVersion):
                problem = _("The item could not be retired from the active version. Reload the page and try again.")
            except IntegrityError:
                problem = _("Another bank version was created at the same moment. Reload the page and try again.")
            else:
                flash(_("Item %(item)s is retired in the new bank version %(version)s, which is not active yet. "
                        "Review and activate it on the Versions and calibration page; attempts already started "
                        "keep their version.", item=item_id, version=row.version), "success")
                return redirect(url_for(".analytics_leak_item", item_id=item_id))
        status = 400
    elif request.method == "POST":
        status = 409
    return render_template("admin/analytics_leak_retire.html", detail=detail, item=detail.item, form=form,
                           problem=problem, retirable=retirable, statuses=LEAK_STATUSES, bank=current), status
