"""Browse the item banks (for consultants reviewing content)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from item_banks import BankError
from portal import resources as res
from portal.db import get_session
from portal.services import bank_versions

from .blueprint import bp
from .auth import admin_required, staff_required
from .forms import BankActivateForm

#: Difficulty bands offered in the filter, as (value, low, high) on the b scale.
DIFFICULTY_BANDS = {
    "very-easy": (-99.0, -1.5),
    "easy": (-1.5, -0.5),
    "medium": (-0.5, 0.5),
    "hard": (0.5, 1.5),
    "very-hard": (1.5, 99.0),
}


def _b(item) -> float | None:
    irt = getattr(item, "irt", None)
    return float(irt["b"]) if irt else None


@bp.get("/banks")
@staff_required
def banks():
    bank = res.logic_bank()
    item_type = request.args.get("type", "")
    band = request.args.get("difficulty", "")
    item_set = request.args.get("set", "operational")
    practice = item_set == "practice"
    items = list(bank.practice if practice else bank.pretest if item_set == "pretest" else bank.items)
    if item_type in bank.types:
        items = [i for i in items if i.type == item_type]
    if band in DIFFICULTY_BANDS:
        low, high = DIFFICULTY_BANDS[band]
        items = [i for i in items if _b(i) is not None and low <= _b(i) < high]
    return render_template("admin/banks.html", bank=bank, items=items, item_type=item_type,
                           band=band, bands=DIFFICULTY_BANDS, practice=practice, item_set=item_set,
                           inventory=res.inventory())


@bp.get("/banks/items/<item_id>")
@staff_required
def bank_item(item_id: str):
    bank = res.logic_bank()
    try:
        item = bank.get(item_id)
    except KeyError:
        abort(404)
    options = [(str(i), i) for i in range(len(item.options))]
    return render_template("admin/bank_item.html", bank=bank, item=item, options=options)


@bp.get("/banks/inventory")
@staff_required
def inventory_bank():
    return render_template("admin/inventory_bank.html", inventory=res.inventory())


# --- versions (portal/services/bank_versions.py): list, review the diff, activate -------

#: Diff actions in the order the review page lists them.
DIFF_ORDER = ("retired_by_hand", "retired", "changed", "promoted", "unchanged", "pretest", "insufficient_data")


@bp.get("/banks/versions")
@admin_required
def bank_versions_list():
    versions = bank_versions.list_versions(get_session(), res.shipped_logic_bank())
    return render_template("admin/bank_versions.html", versions=versions)


def _version_or_404(version: str):
    info = bank_versions.get_version(get_session(), res.shipped_logic_bank(), version)
    if info is None:
        abort(404)
    return info


@bp.get("/banks/versions/<version>")
@admin_required
def bank_version(version: str):
    info = _version_or_404(version)
    return _version_page(info, BankActivateForm())


def _version_page(info, form, status: int = 200):
    show_all = request.args.get("all") == "1"
    rows = (info.diff or {}).get("items", [])
    rank = {action: n for n, action in enumerate(DIFF_ORDER)}
    if not show_all:
        rows = [r for r in rows if r["action"] in ("retired_by_hand", "retired", "changed", "promoted")]
    rows = sorted(rows, key=lambda r: (rank.get(r["action"], 99), r["item_id"]))
    return render_template("admin/bank_version.html", info=info, rows=rows, show_all=show_all, form=form,
                           order=DIFF_ORDER), status


@bp.post("/banks/versions/<version>/activate")
@admin_required
def bank_version_activate(version: str):
    info = _version_or_404(version)
    form = BankActivateForm()
    if not form.validate_on_submit():
        return _version_page(info, form, 400)
    db = get_session()
    try:
        changed = bank_versions.activate(db, res.shipped_logic_bank(), version, user_id=current_user.id,
                                         now=res.now(), cache=res._version_cache())
    except (BankError, bank_versions.UnknownVersion):
        flash(_("This version cannot be loaded, so it was not activated."), "error")
        return redirect(url_for(".bank_version", version=version))
    if changed:
        flash(_("Version %(version)s is now active for new attempts. Attempts already started keep their version.",
                version=version), "success")
    else:
        flash(_("Version %(version)s was already active.", version=version), "info")
    return redirect(url_for(".bank_versions_list"))
