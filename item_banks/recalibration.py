"""A new logic bank version from stored responses: calibrate, check fit, link, diff.

Pure functions over a parsed bank document and a response matrix; no I/O. The portal's
``flask --app wsgi banks calibrate`` collects the responses and stores the result as a new,
immutable bank version for a person to review and activate (docs/technical-manual.md,
"Calibration and bank versions").

Steps (``recalibrate``):

1. **Estimate** every item with at least ``min_n`` responses (operational and pretest) by
   marginal maximum likelihood (``item_banks.calibration.calibrate``, no anchors: the
   candidates' latent distribution is fixed at N(0, 1), which fixes the scale of this run).
2. **Item fit** (``item_banks.fit.item_fit``, infit against the empirical null) for the
   estimated items; an item is flagged when its p-value is below ``fit_alpha`` divided by
   the number of items assessed (Bonferroni), so that a bank of hundreds of items does
   not retire a dozen sound items by chance in every run.
3. **Linking** to the scale of the parent version by the mean-sigma method (Marco, 1977;
   Kolen & Brennan, 2014, ch. 6): on the operational items that were estimated and fit
   (the common items), ``A = SD(b_parent) / SD(b_new)``, ``B = mean(b_parent) - A
   mean(b_new)``; every estimate is transformed ``b* = A b + B``, ``a* = a / A`` (SEs
   likewise). The common items keep, as a set, the mean and spread of difficulty they had,
   so ability estimates and the norm tables keep their meaning; single items move.
4. **Diff** against the parent: operational items whose a or b moved by more than
   ``change_z`` standard errors ("changed"), items retired for misfit (left out of the new
   version), pretest items promoted to operational (estimated and fit), and what stays as
   it was for want of data. Parameters are clipped to the bank format's ranges
   (0.3 <= a <= 3, -4 <= b <= 4); a clipped item says so in the diff.

References: Kolen, M. J. & Brennan, R. L. (2014). *Test equating, scaling, and linking*
(3rd ed.). Springer. Marco, G. L. (1977). Item characteristic curve solutions to three
intractable testing problems. *Journal of Educational Measurement, 14*, 139-160.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field

import numpy as np

from . import calibration, fit

#: Fewest common (operational, estimated, fitting) items for the mean-sigma linking.
MIN_LINK_ITEMS = 5
#: An operational item "changed" when a or b moved by more than this many SEs.
DEFAULT_CHANGE_Z = 2.0
#: Family-wise false-alarm rate of the misfit flag (Bonferroni over the items assessed).
DEFAULT_FIT_ALPHA = 0.05
A_RANGE = (0.3, 3.0)
B_RANGE = (-4.0, 4.0)

ACTIONS = ("changed", "unchanged", "retired", "promoted", "pretest", "insufficient_data")


class RecalibrationError(ValueError):
    """The data cannot give a new version (too few responses or common items)."""


@dataclass
class ItemChange:
    """One item's outcome. ``action``: "changed"/"unchanged" (operational, estimated),
    "retired" (misfit; left out), "promoted" (pretest -> operational), "pretest" (pretest,
    too few responses), "insufficient_data" (operational, too few responses: kept as it
    was). Parameters on the parent's scale; SEs NaN where not estimated."""

    item_id: str
    pretest: bool
    action: str
    n: int
    old_a: float
    old_b: float
    new_a: float
    new_b: float
    se_a: float = float("nan")
    se_b: float = float("nan")
    fit_z: float = float("nan")
    fit_p: float = float("nan")
    clipped: bool = False

    def as_dict(self) -> dict:
        def num(x):
            return None if x is None or not np.isfinite(x) else round(float(x), 4)

        return {"item_id": self.item_id, "pretest": self.pretest, "action": self.action, "n": int(self.n),
                "old_a": num(self.old_a), "old_b": num(self.old_b), "new_a": num(self.new_a),
                "new_b": num(self.new_b), "se_a": num(self.se_a), "se_b": num(self.se_b),
                "fit_z": num(self.fit_z), "fit_p": num(self.fit_p), "clipped": self.clipped}


@dataclass
class Recalibration:
    document: dict
    changes: list[ItemChange]
    metadata: dict
    summary: dict = field(default_factory=dict)

    def diff(self) -> dict:
        """The diff as stored with the version: the summary counts and every item that is
        not simply unchanged, plus the full per-item table."""
        return {"summary": self.summary, "items": [c.as_dict() for c in self.changes]}


_VERSION_RE = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def next_version(parent: str, existing) -> str:
    """The next free MINOR version after ``parent`` (``3.0.0`` -> ``3.1.0``, or ``3.2.0``
    when ``3.1.0`` exists): new parameters, same items and keys (FORMAT.md, "Versions")."""
    m = _VERSION_RE.match(parent)
    if not m:
        raise ValueError(f"version {parent!r} is not MAJOR.MINOR.PATCH")
    major = int(m.group(1))
    minors = [int(x.group(2)) for x in map(_VERSION_RE.match, list(existing) + [parent])
              if x and int(x.group(1)) == major]
    return f"{major}.{max(minors) + 1}.0"


def scored_items(document: dict) -> list[dict]:
    """The items a calibration covers: operational and pretest (not practice), in file order."""
    return [item for item in document["items"] if not item.get("practice")]


def recalibrate(document: dict, responses, *, new_version: str, min_n: int, rng: np.random.Generator,
                change_z: float = DEFAULT_CHANGE_Z, fit_alpha: float = DEFAULT_FIT_ALPHA,
                metadata: dict | None = None) -> Recalibration:
    """The new version of ``document`` (a parsed logic bank, format version 2) from
    ``responses`` (P, I): 1/0/NaN over ``scored_items(document)`` in that order.

    Returns the new document (a deep copy: ``version`` = ``new_version``, ``irt.parameters``
    "calibrated", a ``calibration`` object with the metadata), the per-item changes and a
    summary. Raises RecalibrationError when fewer than ``MIN_LINK_ITEMS`` operational
    items have ``min_n`` responses and fit.
    """
    items = scored_items(document)
    x = np.asarray(responses, dtype=float)
    if x.ndim != 2 or x.shape[1] != len(items):
        raise ValueError(f"responses must be persons x {len(items)} items")
    a0 = np.array([float(i["irt"]["a"]) for i in items])
    b0 = np.array([float(i["irt"]["b"]) for i in items])
    c0 = np.array([float(i["irt"]["c"]) for i in items])
    is_pretest = np.array([bool(i.get("pretest")) for i in items])
    if x.shape[0] == 0:
        raise RecalibrationError("no responses in the period")

    cal = calibration.calibrate(x, a0, b0, c0, min_n=min_n)
    estimated = (cal.status == "estimated") & cal.item_converged
    used = cal.status != "insufficient_data"
    item_fit = fit.item_fit(x, cal.a, cal.b, cal.c, rng=rng, items=used, min_n=min_n,
                            population=(cal.population_mean, cal.population_sd))
    assessed = np.isfinite(item_fit.p_value) & estimated
    n_assessed = int(assessed.sum())
    threshold = fit_alpha / max(n_assessed, 1)
    misfit = assessed & (item_fit.p_value < threshold)

    common = estimated & ~misfit & ~is_pretest
    if common.sum() < MIN_LINK_ITEMS:
        raise RecalibrationError(
            f"only {int(common.sum())} operational items have at least {min_n} responses and fit; "
            f"the linking to the current scale needs {MIN_LINK_ITEMS}")
    sd_new = float(np.std(cal.b[common]))
    sd_old = float(np.std(b0[common]))
    slope = sd_old / sd_new if sd_new > 0 and sd_old > 0 else 1.0
    intercept = float(np.mean(b0[common]) - slope * np.mean(cal.b[common]))
    a_link, b_link = cal.a / slope, slope * cal.b + intercept
    se_a, se_b = cal.se_a / slope, cal.se_b * slope

    new_doc = copy.deepcopy(document)
    changes: list[ItemChange] = []
    keep: dict[str, dict | None] = {}
    for j, item in enumerate(items):
        base = dict(item_id=item["id"], pretest=bool(is_pretest[j]), n=int(cal.n[j]), old_a=a0[j], old_b=b0[j])
        if not estimated[j]:
            action = "pretest" if is_pretest[j] else "insufficient_data"
            changes.append(ItemChange(action=action, new_a=a0[j], new_b=b0[j], **base))
            continue
        fit_z, fit_p = float(item_fit.z[j]), float(item_fit.p_value[j])
        if misfit[j]:
            changes.append(ItemChange(action="retired", new_a=a_link[j], new_b=b_link[j], se_a=se_a[j],
                                      se_b=se_b[j], fit_z=fit_z, fit_p=fit_p, **base))
            keep[item["id"]] = None
            continue
        new_a = float(np.clip(a_link[j], *A_RANGE))
        new_b = float(np.clip(b_link[j], *B_RANGE))
        clipped = new_a != a_link[j] or new_b != b_link[j]
        if is_pretest[j]:
            action = "promoted"
        else:
            moved = (abs(new_b - b0[j]) > change_z * se_b[j]) or (abs(new_a - a0[j]) > change_z * se_a[j])
            action = "changed" if moved else "unchanged"
        changes.append(ItemChange(action=action, new_a=new_a, new_b=new_b, se_a=se_a[j], se_b=se_b[j],
                                  fit_z=fit_z, fit_p=fit_p, clipped=bool(clipped), **base))
        new_item = dict(item)
        new_item["irt"] = {**item["irt"], "a": round(new_a, 3), "b": round(new_b, 3)}
        new_item.pop("pretest", None)
        keep[item["id"]] = new_item
    new_items = []
    for item in new_doc["items"]:
        if item.get("practice") or item["id"] not in keep:
            new_items.append(item)
        elif keep[item["id"]] is not None:
            new_items.append(keep[item["id"]])
    new_doc["items"] = new_items
    new_doc["version"] = new_version
    irt = dict(new_doc.get("irt") or {})
    irt["parameters"] = "calibrated"
    irt["note"] = {
        "sv": (f"Parametrarna för uppgifter med minst {min_n} svar är kalibrerade på lagrade svar "
               "(marginell maximum likelihood, länkade till föregående versions skala); övriga "
               "uppgifter behåller sina tidigare parametrar."),
        "en": (f"The parameters of items with at least {min_n} responses are calibrated on stored "
               "responses (marginal maximum likelihood, linked to the previous version's scale); "
               "the other items keep their earlier parameters."),
    }
    new_doc["irt"] = irt
    summary = {action: sum(1 for c in changes if c.action == action) for action in ACTIONS}
    meta = {
        **(metadata or {}),
        "parent_version": document["version"],
        "method": "MML-EM (item_banks.calibration), 3PL with c fixed",
        "min_n": int(min_n),
        "n_persons": int(x.shape[0]),
        "n_responses": int((~np.isnan(x)).sum()),
        "linking": {"method": "mean-sigma on common operational items", "slope": round(slope, 6),
                    "intercept": round(intercept, 6), "n_items": int(common.sum())},
        "population": {"mean": round(slope * cal.population_mean + intercept, 4),
                       "sd": round(slope * cal.population_sd, 4)},
        "fit": {"statistic": "infit t, empirical null (item_banks.fit)", "alpha": fit_alpha,
                "threshold": threshold, "assessed": n_assessed},
        "change_z": change_z,
        "em_iterations": int(cal.iterations),
        "em_converged": bool(cal.converged),
    }
    new_doc["calibration"] = meta
    return Recalibration(new_doc, changes, meta, summary)


__all__ = ["ACTIONS", "DEFAULT_CHANGE_Z", "DEFAULT_FIT_ALPHA", "ItemChange", "MIN_LINK_ITEMS", "Recalibration",
           "RecalibrationError", "next_version", "recalibrate", "scored_items"]
