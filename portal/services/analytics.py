"""Analytics from stored responses (issue 16): item statistics, DIF, information curves,
inventory scale statistics and adverse impact, for the Analytics pages in ``/admin``.

Scope. Every figure is computed from the assignments the user may see
(``access.assignment_scope``: an administrator every assignment, a consultant the ones
they are staffed on), optionally narrowed to one of them. Anonymised candidates
(retention purge or erasure) keep their answers and results, so they stay in.

Queries. A fixed number per page whatever the number of candidates: the attempts (the
last :data:`LOGIC_LIMIT` / :data:`INVENTORY_LIMIT` finished, not superseded attempts, newest
first) in one query, their answers in a second, and the adverse-impact counts as one
``GROUP BY`` query computed in the database. The numeric work is numpy on the fetched
arrays (``item_banks``, ``norms``).

Equality-monitoring answers are read only here, only as a gender label per attempt for
the DIF tables (never returned or shown per attempt) or as counts per group; every group
under :data:`MIN_GROUP` is suppressed (``norms.fairness``; ``services.equality``).
"""
from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from item_banks import Inventory, LogicBank, adaptive, dif, fit, irt
from norms import cronbach_alpha
from norms.fairness import AdverseImpact, GroupImpact, adverse_impact

from ..models import (
    Assignment, Attempt, BankVersion, Candidate, EqualityResponse, InventoryResponse, LogicResponse, Result, TestKind,
)
from . import access
from .equality import MIN_GROUP, QUESTIONS
from .scoring import LOGIC_SCALE

#: The newest finished logic attempts used for item statistics, fit and DIF (bounds the work).
LOGIC_LIMIT = 2000
#: The newest finished inventory attempts used for the scale statistics.
INVENTORY_LIMIT = 2000
#: Fewest answers to an item before its proportion correct, point-biserial and mean time are shown.
MIN_ITEM_N = 10
#: Fewest complete protocols before a scale's alpha and item-total correlations are shown.
MIN_SCALE_N = 30
#: Seed of the plausible values of the fit statistic (the same data give the same table).
FIT_SEED = 20261206
#: Rows per page of the item table.
PER_PAGE = 50
#: The DIF comparisons: (key, reference group, focal group).
DIF_COMPARISONS = (("language", "sv", "en"), ("gender", "man", "woman"))
#: Abilities at which the information and SE curves are drawn.
THETA_GRID = np.round(np.linspace(-4.0, 4.0, 81), 2)


# -- scope ---------------------------------------------------------------------------------


def scope_ids(user, assignment_id: int | None = None, session: Session | None = None) -> sa.Select:
    """A subquery of the assignment ids the analysis may use. ``assignment_id`` narrows it
    to one assignment, which must be visible (else ``access.NotVisible``)."""
    if assignment_id is not None:
        access.visible_assignment(session, user, assignment_id)
        return sa.select(sa.literal(assignment_id))
    return access.assignment_scope(user).with_only_columns(Assignment.id)


def visible_assignments(session: Session, user) -> list[Assignment]:
    """The assignments offered in the filters (newest first)."""
    return list(session.scalars(access.assignment_scope(user).order_by(Assignment.created_at.desc(),
                                                                         Assignment.id.desc())))


# -- bank parameters -----------------------------------------------------------------------


@dataclass(frozen=True)
class BankParameters:
    """3PL parameters of a bank version, in item order; ``source`` is "a-priori" (predicted
    from item features) or "calibrated"."""

    item_ids: tuple[str, ...]
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    source: str

    def index(self) -> dict[str, int]:
        return {item_id: i for i, item_id in enumerate(self.item_ids)}


def bank_parameters(bank: LogicBank | None) -> BankParameters | None:
    """The 3PL parameters a bank version carries (its operational items), or None for no
    bank or a bank without parameters."""
    if bank is None:
        return None
    items = [i for i in bank.items if i.irt]
    if not items:
        return None
    return BankParameters(tuple(i.id for i in items), np.array([i.irt["a"] for i in items], float),
                          np.array([i.irt["b"] for i in items], float), np.array([i.irt["c"] for i in items], float),
                          bank.irt_source or "a-priori")


def calibrated_parameters(session: Session, bank_id: str, version: str) -> BankParameters | None:
    """The calibrated parameters to show beside the a-priori ones of an a-priori bank
    version: those of the newest version ``banks calibrate`` wrote from it
    (``BankVersion.parent_version``), whether activated or not; None when there is none."""
    from . import bank_versions as versions

    row = session.scalars(
        sa.select(BankVersion).where(BankVersion.bank_id == bank_id, BankVersion.parent_version == version,
                                     BankVersion.source == versions.CALIBRATED)
        .order_by(BankVersion.created_at.desc(), BankVersion.id.desc()).limit(1)).first()
    return None if row is None else bank_parameters(versions.bank_from_row(row))


def bank_versions(session: Session, scope: sa.Select, current: LogicBank) -> list[tuple[str, str, int]]:
    """(bank id, version, finished attempts) of the logic bank versions in the scope, the
    loaded bank first even without attempts."""
    rows = session.execute(
        sa.select(Attempt.bank_id, Attempt.bank_version, sa.func.count())
        .join(Candidate, Candidate.id == Attempt.candidate_id)
        .where(Attempt.kind == TestKind.LOGIC, Attempt.finished_at.is_not(None), Attempt.superseded_at.is_(None),
               Candidate.assignment_id.in_(scope))
        .group_by(Attempt.bank_id, Attempt.bank_version)).all()
    out = {(b, v): n for b, v, n in rows}
    out.setdefault((current.bank_id, current.version), 0)
    current_key = (current.bank_id, current.version)
    return sorted(((b, v, n) for (b, v), n in out.items()), key=lambda r: ((r[0], r[1]) != current_key, r[0], r[1]))


# -- logic: data, item statistics, fit, DIF ------------------------------------------------


@dataclass(frozen=True)
class DataWindow:
    """What data a table used: ``n`` attempts finished between ``first`` and ``last``;
    ``limited`` when more existed than the limit."""

    n: int
    first: datetime | None
    last: datetime | None
    limit: int
    limited: bool


@dataclass
class ItemRow:
    """One item's statistics (``None``: too few answers, "insufficient data")."""

    item_id: str
    type: str
    exposure: int
    p_correct: float | None
    point_biserial: float | None
    mean_seconds: float | None
    a: float | None
    b: float | None
    c: float | None
    #: the other parameter set (``LogicAnalysis.compare``) for this item
    compare: tuple[float, float, float] | None
    infit: float | None
    fit_z: float | None
    fit_flagged: bool
    dif: dict[str, dif.ItemDif] = field(default_factory=dict)


@dataclass
class LogicAnalysis:
    bank_id: str
    version: str
    #: the version's own parameters (fit, DIF matching and curves use them)
    params: BankParameters | None
    #: the other set shown beside them: the a-priori predictions for a calibrated version,
    #: the calibrated parameters (``calibrated_parameters``) for an a-priori one
    compare: BankParameters | None
    window: DataWindow
    items: list[ItemRow]
    fit_result: fit.ItemFit | None
    dif_counts: dict[str, tuple[int, int]]
    theta: np.ndarray
    se: np.ndarray


def _window(finished: Sequence[datetime], limit: int, limited: bool) -> DataWindow:
    return DataWindow(len(finished), min(finished) if finished else None, max(finished) if finished else None,
                      limit, limited)


def _point_biserial(x: np.ndarray, y: np.ndarray) -> float | None:
    """Pearson correlation of 0/1 ``x`` with ``y``: ``(M1 - M0) / s_y * sqrt(p q)`` with the
    population SD of y; None when either has no variance."""
    if x.size < 2:
        return None
    p = x.mean()
    sd = y.std()
    if p in (0.0, 1.0) or not sd > 0:
        return None
    return float((y[x == 1].mean() - y[x == 0].mean()) / sd * math.sqrt(p * (1 - p)))


def logic_analysis(session: Session, scope: sa.Select, bank: LogicBank | None, *, bank_id: str, version: str,
                   apriori: LogicBank | None = None, limit: int = LOGIC_LIMIT, with_fit: bool = True,
                   with_dif: bool = True) -> LogicAnalysis:
    """Item statistics of one bank version from the newest ``limit`` finished logic attempts.

    ``bank``: that version's bank (None when it cannot be loaded: statistics only, no fit,
    DIF or curves); ``apriori``: the bank with the a-priori predictions (the shipped file),
    shown beside a calibrated version's parameters.

    Per item: exposure (times answered), proportion correct, point-biserial of the item
    with the candidate's ability estimate on the answered items (the stored score's
    ``details.answered.theta``, which for a complete test is the score itself), mean
    response time, the bank's parameters, the infit statistic (``item_banks.fit`` with the
    bank's parameters and a N(0, 1) population) and the MH DIF class
    (``item_banks.dif``) for Swedish vs English test language and men vs women.
    """
    base = (sa.select(Attempt.id).join(Candidate, Candidate.id == Attempt.candidate_id)
            .where(Attempt.kind == TestKind.LOGIC, Attempt.finished_at.is_not(None), Attempt.superseded_at.is_(None),
                   Attempt.bank_id == bank_id, Attempt.bank_version == version, Candidate.assignment_id.in_(scope))
            .order_by(Attempt.finished_at.desc(), Attempt.id.desc()).limit(limit + 1))
    rows = session.execute(
        sa.select(Attempt.id, Attempt.finished_at, Candidate.chosen_language, EqualityResponse.gender,
                  Result.theta, Result.se, Result.details)
        .join(Candidate, Candidate.id == Attempt.candidate_id)
        .outerjoin(EqualityResponse, EqualityResponse.candidate_id == Candidate.id)
        .outerjoin(Result, sa.and_(Result.attempt_id == Attempt.id, Result.scale == LOGIC_SCALE))
        .where(Attempt.id.in_(base.subquery().select()))
        .order_by(Attempt.finished_at.desc(), Attempt.id.desc())).all()
    limited = len(rows) > limit
    rows = rows[:limit]
    keep = {r.id for r in rows}
    answers = [r for r in session.execute(
        sa.select(LogicResponse.attempt_id, LogicResponse.item_id, LogicResponse.correct, LogicResponse.response_ms)
        .where(LogicResponse.attempt_id.in_(base.subquery().select()), LogicResponse.answered_at.is_not(None),
               LogicResponse.correct.is_not(None))) if r.attempt_id in keep]

    params = bank_parameters(bank)
    if params is not None and params.source == "calibrated":
        compare = bank_parameters(apriori) if apriori is not None and apriori.irt_source != "calibrated" else None
    else:
        compare = calibrated_parameters(session, bank_id, version)
    by_id = {i.id: i for source in (apriori, bank) if source is not None for i in source.items}
    item_ids = list(params.item_ids) if params else sorted({r.item_id for r in answers})
    seen = {r.item_id for r in answers} - set(item_ids)
    item_ids += sorted(seen)  # answered items missing from the loaded file (another version)
    col = {item_id: j for j, item_id in enumerate(item_ids)}
    row_of = {r.id: p for p, r in enumerate(rows)}
    x = np.full((len(rows), len(item_ids)), np.nan)
    ms = np.full((len(rows), len(item_ids)), np.nan)
    for r in answers:
        p, j = row_of[r.attempt_id], col[r.item_id]
        x[p, j] = 1.0 if r.correct else 0.0
        if r.response_ms is not None:
            ms[p, j] = r.response_ms
    theta = np.array([((r.details or {}).get("answered") or {}).get("theta", r.theta)
                      if r.theta is not None else np.nan for r in rows], dtype=float)
    se = np.array([r.se if r.se is not None else np.nan for r in rows], dtype=float)

    answered = ~np.isnan(x)
    exposure = answered.sum(axis=0)
    fit_result = None
    if with_fit and params is not None and len(rows):
        n_par = len(params.item_ids)
        used = answered[:, :n_par].any(axis=0)
        if used.any():
            # Persons without an answer to these items only get prior draws: they add nothing.
            fit_result = fit.item_fit(x[:, :n_par], params.a, params.b, params.c,
                                      rng=np.random.default_rng(FIT_SEED), items=used)
    dif_results: dict[str, tuple[dif.ItemDif, ...]] = {}
    dif_counts: dict[str, tuple[int, int]] = {}
    if with_dif and params is not None and len(rows):
        n_par = len(params.item_ids)
        has = answered[:, :n_par].any(axis=1)
        matching = np.zeros(len(rows))
        if has.any():
            matching[has] = dif.matching_theta(x[has, :n_par], params.a, params.b, params.c)
        labels = {"language": [r.chosen_language if h else None for r, h in zip(rows, has)],
                  "gender": [r.gender if h else None for r, h in zip(rows, has)]}
        for key, reference, focal in DIF_COMPARISONS:
            group = np.array(labels[key], dtype=object)
            dif_counts[key] = (int((group == reference).sum()), int((group == focal).sum()))
            dif_results[key] = dif.item_dif(x[:, :n_par], group, matching, reference=reference, focal=focal)

    out = []
    for j, item_id in enumerate(item_ids):
        n = int(exposure[j])
        mask = answered[:, j]
        enough = n >= MIN_ITEM_N
        xi = x[mask, j]
        th = theta[mask]
        ok = ~np.isnan(th)
        times = ms[mask, j]
        times = times[~np.isnan(times)]
        item = by_id.get(item_id)
        in_params = params is not None and j < len(params.item_ids)
        other = None
        if compare is not None and item_id in compare.index():
            k = compare.index()[item_id]
            other = (float(compare.a[k]), float(compare.b[k]), float(compare.c[k]))
        row = ItemRow(
            item_id=item_id, type=item.type if item else "", exposure=n,
            p_correct=float(xi.mean()) if enough else None,
            point_biserial=_point_biserial(xi[ok], th[ok]) if enough and ok.sum() >= MIN_ITEM_N else None,
            mean_seconds=float(times.mean() / 1000.0) if enough and times.size else None,
            a=float(params.a[j]) if in_params else None, b=float(params.b[j]) if in_params else None,
            c=float(params.c[j]) if in_params else None, compare=other,
            infit=None, fit_z=None, fit_flagged=False)
        if fit_result is not None and in_params and np.isfinite(fit_result.infit[j]):
            row.infit, row.fit_z = float(fit_result.infit[j]), float(fit_result.z[j])
            row.fit_flagged = bool(fit_result.flagged[j])
        if in_params:
            row.dif = {key: results[j] for key, results in dif_results.items()}
        out.append(row)
    return LogicAnalysis(bank_id, version, params, compare, _window([r.finished_at for r in rows], limit, limited),
                         out, fit_result, dif_counts, theta, se)


#: Item-table columns that can be sorted, and the value each sorts by (missing values last).
SORT_KEYS = {
    "item": lambda r: r.item_id,
    "type": lambda r: r.type,
    "exposure": lambda r: r.exposure,
    "p": lambda r: r.p_correct,
    "rpb": lambda r: r.point_biserial,
    "time": lambda r: r.mean_seconds,
    "a": lambda r: r.a,
    "b": lambda r: r.b,
    "infit": lambda r: r.infit,
    "fit": lambda r: abs(r.fit_z) if r.fit_z is not None else None,
}


def sort_rows(rows: list[ItemRow], key: str, descending: bool) -> list[ItemRow]:
    getter = SORT_KEYS.get(key, SORT_KEYS["exposure"])
    present = [r for r in rows if getter(r) is not None]
    missing = [r for r in rows if getter(r) is None]
    return sorted(present, key=getter, reverse=descending) + missing


# -- information and SE curves -------------------------------------------------------------


@dataclass(frozen=True)
class Curves:
    """Curves over :data:`THETA_GRID`: the bank's information; the information and SE of an
    ideal adaptive test of ``length`` items (at each ability the ``length`` most informative
    items: a lower bound on the SE a real test reaches, which also controls exposure and
    content); and the mean reported SE of stored results per ability band (``observed``:
    (band centre, mean SE, n) for bands with at least 5 results)."""

    theta: np.ndarray
    bank_information: np.ndarray
    test_information: np.ndarray
    test_se: np.ndarray
    length: int
    se_target: float
    observed: list[tuple[float, float, int]]


def curves(params: BankParameters, theta: np.ndarray | None = None, se: np.ndarray | None = None,
           length: int = adaptive.APP_SETTINGS.max_items) -> Curves:
    info = irt.information(THETA_GRID, params.a, params.b, params.c)  # (G, I)
    bank_info = info.sum(axis=1)
    k = min(length, info.shape[1])
    test_info = -np.sort(-info, axis=1)[:, :k].sum(axis=1)
    observed = []
    if theta is not None and se is not None:
        ok = np.isfinite(theta) & np.isfinite(se)
        for lo in np.arange(-4.0, 4.0, 0.5):
            inside = ok & (theta >= lo) & (theta < lo + 0.5)
            if inside.sum() >= 5:
                observed.append((float(lo + 0.25), float(se[inside].mean()), int(inside.sum())))
    return Curves(THETA_GRID, bank_info, test_info, 1.0 / np.sqrt(test_info), k, adaptive.APP_SETTINGS.se_target,
                  observed)


# -- inventory -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleStats:
    """One domain or facet: ``n`` complete protocols; ``mean``/``sd`` of the scale score (the
    mean of its keyed statements, 1-5); ``alpha`` (Cronbach); ``item_total``: per statement
    id the corrected item-total correlation (the statement with the sum of the scale's other
    statements). None where there are too few data."""

    key: str
    kind: str
    domain: str
    statements: int
    n: int
    mean: float | None
    sd: float | None
    alpha: float | None
    item_total: dict[str, float | None]

    @property
    def item_total_range(self) -> tuple[float, float, str] | None:
        """(lowest, highest, id of the lowest) of the item-total correlations, or None."""
        known = sorted((r, sid) for sid, r in self.item_total.items() if r is not None)
        return (known[0][0], known[-1][0], known[0][1]) if known else None


@dataclass
class InventoryAnalysis:
    inventory_id: str
    version: str
    window: DataWindow
    scales: list[ScaleStats]


def inventory_analysis(session: Session, scope: sa.Select, inventory: Inventory, *,
                       limit: int = INVENTORY_LIMIT) -> InventoryAnalysis:
    """Facet and domain statistics of the loaded inventory version from the newest ``limit``
    finished inventory attempts (listwise: a protocol counts for a scale when it answered
    all the scale's statements)."""
    base = (sa.select(Attempt.id).join(Candidate, Candidate.id == Attempt.candidate_id)
            .where(Attempt.kind == TestKind.INVENTORY, Attempt.finished_at.is_not(None),
                   Attempt.superseded_at.is_(None), Attempt.bank_id == inventory.inventory_id,
                   Attempt.bank_version == inventory.version, Candidate.assignment_id.in_(scope))
            .order_by(Attempt.finished_at.desc(), Attempt.id.desc()).limit(limit + 1))
    attempts = session.execute(sa.select(Attempt.id, Attempt.finished_at).where(Attempt.id.in_(base.subquery().select()))
                               .order_by(Attempt.finished_at.desc(), Attempt.id.desc())).all()
    limited = len(attempts) > limit
    attempts = attempts[:limit]
    row_of = {a.id: p for p, a in enumerate(attempts)}
    scored = [s for s in inventory.statements if s.is_scored]
    col = {s.id: j for j, s in enumerate(scored)}
    x = np.full((len(attempts), len(scored)), np.nan)
    for attempt_id, sid, value in session.execute(
            sa.select(InventoryResponse.attempt_id, InventoryResponse.statement_id, InventoryResponse.value)
            .where(InventoryResponse.attempt_id.in_(base.subquery().select()))):
        if attempt_id in row_of and sid in col:
            j = col[sid]
            x[row_of[attempt_id], j] = value if scored[j].keyed > 0 else 6 - value
    groups: list[tuple[str, str, str, list[int]]] = []
    for d in inventory.domains:
        groups.append((d.id, "domain", d.id, [col[s.id] for s in scored if s.domain == d.id]))
        for f in d.facets:
            groups.append((f.id, "facet", d.id, [col[s.id] for s in scored if s.facet == f.id]))
    scales = []
    for key, kind, domain, cols in groups:
        if not cols:
            continue
        sub = x[:, cols]
        complete = sub[~np.isnan(sub).any(axis=1)]
        n = complete.shape[0]
        enough = n >= MIN_SCALE_N
        score = complete.mean(axis=1) if n else np.array([])
        alpha = None
        item_total: dict[str, float | None] = {scored[j].id: None for j in cols}
        if enough and len(cols) >= 2:
            try:
                alpha = float(cronbach_alpha(complete))
            except ValueError:
                alpha = None
            total = complete.sum(axis=1)
            for k, j in enumerate(cols):
                rest = total - complete[:, k]
                item_total[scored[j].id] = _pearson(complete[:, k], rest)
        scales.append(ScaleStats(key, kind, domain, len(cols), n, float(score.mean()) if n else None,
                                 float(score.std(ddof=1)) if n >= 2 else None, alpha, item_total))
    return InventoryAnalysis(inventory.inventory_id, inventory.version,
                             _window([a.finished_at for a in attempts], limit, limited), scales)


def _pearson(u: np.ndarray, v: np.ndarray) -> float | None:
    if u.std() == 0 or v.std() == 0:
        return None
    return float(np.corrcoef(u, v)[0, 1])


# -- adverse impact ------------------------------------------------------------------------


@dataclass(frozen=True)
class ImpactQuestion:
    """Adverse impact for one equality question (``analysis``), with ``answered``: whether
    any group of it had respondents at all."""

    question: str
    analysis: AdverseImpact
    answered: bool


@dataclass
class ImpactAnalysis:
    scale: str
    cut: float
    n: int
    first: datetime | None
    last: datetime | None
    questions: list[ImpactQuestion]
    provisional_norms: bool


def impact_scales(inventory: Inventory) -> list[str]:
    """Scales a cut-off can be set on: the logic test's percentile, and each domain's."""
    return [LOGIC_SCALE] + [f"personality.{d.id}" for d in inventory.domains]


def _suppressed(counts: Mapping[str, tuple[int, int]], minimum: int, unanswered: int) -> set[str]:
    """Groups to hide: those under ``minimum``; and when exactly one is hidden and fewer
    than ``minimum`` candidates left the question unanswered (so that the shown total less
    the shown groups would nearly give the hidden group), also the smallest shown group
    (complementary suppression, as ``equality.suppress``)."""
    hidden = {g for g, (_x, n) in counts.items() if 0 < n < minimum}
    shown = {g: n for g, (_x, n) in counts.items() if n >= minimum}
    if len(hidden) == 1 and shown and unanswered < minimum:
        hidden.add(min(shown, key=lambda g: (shown[g], g)))
    return hidden


def adverse_impact_analysis(session: Session, scope: sa.Select, *, scale: str, cut: float,
                            since: date | None = None, until: date | None = None,
                            minimum: int = MIN_GROUP) -> ImpactAnalysis:
    """Selection at ``percentile >= cut`` on ``scale`` per equality group, from the results of
    finished, not superseded attempts in the scope (one per candidate), finished between
    ``since`` and ``until`` (inclusive days, UTC). Counted in the database (one
    ``GROUP BY`` over the three questions); only counts leave it."""
    selected = sa.func.sum(sa.case((Result.percentile >= cut, 1), else_=0))
    query = (sa.select(EqualityResponse.gender, EqualityResponse.age_band, EqualityResponse.first_language,
                       sa.func.count(), selected, sa.func.min(Attempt.finished_at), sa.func.max(Attempt.finished_at),
                       sa.func.max(sa.case((Result.norm_provisional, 1), else_=0)))
             .select_from(Result)
             .join(Attempt, Attempt.id == Result.attempt_id)
             .join(Candidate, Candidate.id == Attempt.candidate_id)
             .outerjoin(EqualityResponse, EqualityResponse.candidate_id == Candidate.id)
             .where(Result.scale == scale, Result.percentile.is_not(None), Attempt.finished_at.is_not(None),
                    Attempt.superseded_at.is_(None), Attempt.kind != TestKind.VERIFICATION,
                    Candidate.assignment_id.in_(scope))
             .group_by(EqualityResponse.gender, EqualityResponse.age_band, EqualityResponse.first_language))
    if since is not None:
        query = query.where(Attempt.finished_at >= datetime.combine(since, time.min, tzinfo=timezone.utc))
    if until is not None:
        query = query.where(Attempt.finished_at < datetime.combine(until + timedelta(days=1), time.min,
                                                                   tzinfo=timezone.utc))
    cells = session.execute(query).all()
    n_total = sum(int(c[3]) for c in cells)
    firsts = [c[5] for c in cells if c[5] is not None]
    lasts = [c[6] for c in cells if c[6] is not None]
    provisional = any(int(c[7] or 0) for c in cells)
    questions = []
    for q_index, question in enumerate(QUESTIONS):
        counts: dict[str, list[int]] = {code: [0, 0] for code in QUESTIONS[question]}
        for cell in cells:
            code = cell[q_index]
            if code in counts:
                counts[code][0] += int(cell[4] or 0)
                counts[code][1] += int(cell[3])
        present = {g: (x, n) for g, (x, n) in counts.items() if n > 0}
        unanswered = n_total - sum(n for _x, n in present.values())
        hidden = _suppressed(present, minimum, unanswered)
        analysed = adverse_impact({g: v for g, v in present.items() if g not in hidden}, min_group=minimum)
        groups = list(analysed.groups) + [GroupImpact(g, True) for g in sorted(hidden)]
        order = {code: i for i, code in enumerate(QUESTIONS[question])}
        groups.sort(key=lambda g: order.get(g.group, 99))
        questions.append(ImpactQuestion(question, AdverseImpact(tuple(groups), analysed.comparison, minimum,
                                                                analysed.alpha, analysed.level), bool(present)))
    return ImpactAnalysis(scale, cut, n_total, min(firsts) if firsts else None, max(lasts) if lasts else None,
                          questions, provisional)


# -- CSV -----------------------------------------------------------------------------------

#: Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text: a leading apostrophe before a cell
    that starts with ``= + - @`` (or a tab/CR). Numbers are written with a point and are
    left alone, negative ones included (they are numbers, not formulas)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return "" if not math.isfinite(value) else f"{float(value):.4f}".rstrip("0").rstrip(".")
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def item_rows_csv(analysis: LogicAnalysis) -> str:
    header = ["bank_id", "bank_version", "item_id", "type", "exposure", "p_correct", "point_biserial",
              "mean_seconds", "a", "b", "c", "parameters", "other_a", "other_b", "other_c", "other_parameters",
              "infit", "fit_z", "fit_flagged", "dif_language", "dif_gender"]
    source = analysis.params.source if analysis.params else ""
    other = analysis.compare.source if analysis.compare else ""

    def dif_text(row: ItemRow, key: str) -> str:
        d = row.dif.get(key)
        return "" if d is None else (d.category or "insufficient_data")

    return to_csv(header, ([analysis.bank_id, analysis.version, r.item_id, r.type, r.exposure, r.p_correct,
                            r.point_biserial, r.mean_seconds, r.a, r.b, r.c, source,
                            *(r.compare or (None, None, None)), other if r.compare else "", r.infit, r.fit_z, r.fit_flagged,
                            dif_text(r, "language"), dif_text(r, "gender")] for r in analysis.items))


def dif_rows_csv(analysis: LogicAnalysis) -> str:
    header = ["bank_id", "bank_version", "item_id", "comparison", "reference", "focal", "status", "category",
              "favours", "n_reference", "n_focal", "mh_d_dif", "se", "chi2", "p_value", "alpha_mh"]
    rows = []
    for key, reference, focal in DIF_COMPARISONS:
        for r in analysis.items:
            d = r.dif.get(key)
            if d is None:
                continue
            mh = d.mh
            rows.append([analysis.bank_id, analysis.version, r.item_id, key, reference, focal, d.status, d.category,
                         d.favours, d.n_reference, d.n_focal, mh.delta if mh else None, mh.se_delta if mh else None,
                         mh.chi2 if mh else None, mh.p_value if mh else None, mh.alpha_mh if mh else None])
    return to_csv(header, rows)


def impact_rows_csv(analysis: ImpactAnalysis, suppressed_text: str) -> str:
    header = ["scale", "cut_percentile", "question", "group", "n", "selected", "selection_rate", "impact_ratio",
              "ci_low", "ci_high", "below_four_fifths", "test", "p_value", "significant", "adverse_impact_indicated",
              "comparison_group"]
    rows = []
    for q in analysis.questions:
        for g in q.analysis.groups:
            if g.suppressed:
                rows.append([analysis.scale, analysis.cut, q.question, g.group, suppressed_text] + [None] * 11)
                continue
            rows.append([analysis.scale, analysis.cut, q.question, g.group, g.n, g.selected, g.selection_rate,
                         g.impact_ratio, g.ci_low, g.ci_high, g.four_fifths, g.test, g.p_value, g.significant,
                         g.flagged, q.analysis.comparison])
    return to_csv(header, rows)
