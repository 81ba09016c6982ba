"""Browse the item banks (for consultants reviewing content)."""
from __future__ import annotations

from flask import abort, render_template, request

from portal import resources as res

from . import bp
from .auth import staff_required

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
    practice = request.args.get("set", "operational") == "practice"
    items = list(bank.practice if practice else bank.items)
    if item_type in bank.types:
        items = [i for i in items if i.type == item_type]
    if band in DIFFICULTY_BANDS:
        low, high = DIFFICULTY_BANDS[band]
        items = [i for i in items if _b(i) is not None and low <= _b(i) < high]
    return render_template("admin/banks.html", bank=bank, items=items, item_type=item_type,
                           band=band, bands=DIFFICULTY_BANDS, practice=practice,
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
