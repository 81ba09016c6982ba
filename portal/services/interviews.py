"""Structured interviews: the interview guide and the interviewers' ratings.

The guide is generated from the assignment's current requirement profile (competency,
weight, target level, definition, the level 3 and 5 anchors, the behavioural questions
with their probes) and from the candidate's test results: where a result lies outside
the profile's target, the competencies linked to that scale get a neutral "what to
probe and why" note. A note is a direction for the interview, never a conclusion.

Ratings follow the blind-rating rule (design.md, section 5): an interviewer sees the
other interviewers' ratings of a competency only after submitting their own, and a
submitted rating is final.

Services take plain values and ``now``, flush and never commit.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .. import competencies as lib
from ..competencies import localized
from .. import synthesis
from ..models import Candidate, InterviewRating, RequirementProfile, Result
from . import audit, profiles
from .profiles import profile_keys
from .results import current_results, raised_flags
from .scoring import LOGIC_SCALE

LEVELS = lib.LEVELS
#: Longest accepted notes text (the column is unbounded; this keeps a page sane).
MAX_NOTES = 10_000


class InterviewError(ValueError):
    """A rating that cannot be saved.

    Codes: ``unknown_competency`` (not in the current requirement profile),
    ``level_range`` (not 1-5), ``level_required`` / ``notes_required`` (a submit needs
    both), ``notes_too_long``, ``already_submitted`` (a submitted rating is final).
    """

    def __init__(self, code: str, message: str = ""):
        self.code = code
        super().__init__(message or code)


# ------------------------------------------------------------------------------ guide


@dataclass(frozen=True)
class ProbeNote:
    """Why to probe a competency more closely.

    ``code``: ``below_minimum`` (logic result below the profile's minimum percentile),
    ``below_band`` / ``above_band`` (personality result outside the profile's target
    band), ``validity_flag`` (a validity indicator of the inventory was raised).
    ``why``: the library's reason for the scale link in the guide's language ("" when
    none). Pages show their own translated text per code.
    """

    code: str
    scale: str | None = None
    percentile: float | None = None
    low: int | None = None
    high: int | None = None
    why: str = ""


@dataclass(frozen=True)
class GuideQuestion:
    text: str
    probes: tuple[str, ...]


@dataclass(frozen=True)
class GuideSection:
    key: str
    name: str
    definition: str
    weight: int
    target_level: int
    must: bool
    #: {3: "...", 5: "..."}: the anchors the target is usually set against.
    indicators: dict[int, str]
    questions: tuple[GuideQuestion, ...]
    notes: tuple[ProbeNote, ...] = field(default=())


def _links(competency: lib.Competency, scale: str) -> lib.ScaleLink | None:
    """The competency's link to ``scale``: the scale itself or, for a domain, one of its
    facets (a target on Conscientiousness concerns a link to its drive facet too)."""
    for link in competency.scales:
        if link.scale == scale or link.scale.startswith(scale + "."):
            return link
    return None


def _band(result: Result) -> tuple[float, float, float] | None:
    """(point, low, high) of a result's percentile: for a logic test cut off by the time
    limit, of the answered-items estimate; the point twice when there is no band."""
    if result is None or result.percentile is None:
        return None
    if result.scale == LOGIC_SCALE:
        from .logic_results import summarise

        measured = summarise(result).measured
        if measured is None or measured.percentile is None:
            return None
        point, low, high = measured.percentile, measured.low, measured.high
    else:
        point, low, high = result.percentile, result.percentile_low, result.percentile_high
    return point, (low if low is not None else point), (high if high is not None else point)


def _notes(competency: lib.Competency, profile: RequirementProfile, results: dict[str, Result],
           flags: Sequence[str], lang: str) -> list[ProbeNote]:
    """Probe notes where a result lies outside the profile's target **with its whole
    band** (the measurement error allowed for), not merely with its point."""
    notes: list[ProbeNote] = []
    logic = _band(results.get(LOGIC_SCALE))
    link = _links(competency, LOGIC_SCALE)
    if (link is not None and profile.logic_min_percentile is not None and logic is not None
            and logic[2] < profile.logic_min_percentile):
        notes.append(ProbeNote("below_minimum", LOGIC_SCALE, round(logic[0]),
                               low=profile.logic_min_percentile, why=localized(link.why, lang)))
    for scale, band in (profile.personality_targets or {}).items():
        link = _links(competency, scale)
        observed = _band(results.get(scale))
        if link is None or observed is None:
            continue
        low, high = band
        point, band_low, band_high = observed
        if band_high < low or band_low > high:
            code = "below_band" if band_high < low else "above_band"
            notes.append(ProbeNote(code, scale, round(point), low=low, high=high,
                                   why=localized(link.why, lang)))
    if flags and any(link.scale.startswith("personality.") for link in competency.scales):
        notes.append(ProbeNote("validity_flag"))
    return notes


def interview_guide(session: Session, candidate: Candidate, *, lang: str) -> list[GuideSection]:
    """One section per competency of the current requirement profile (profile order);
    ``[]`` when the assignment has no profile."""
    profile = profiles.current_profile(session, candidate.assignment)
    if profile is None:
        return []
    known = profiles.all_competencies(session)
    results = current_results(session, candidate)
    flags = raised_flags(session, candidate)
    sections = []
    for item in profile.competencies:
        competency = known.get(item.competency_key)
        if competency is None:  # a custom competency removed later: keep the row visible
            sections.append(GuideSection(item.competency_key, item.competency_key, "", item.weight,
                                         item.target_level, item.must, {}, ()))
            continue
        sections.append(GuideSection(
            key=competency.key,
            name=localized(competency.name, lang),
            definition=localized(competency.definition, lang),
            weight=item.weight,
            target_level=item.target_level,
            must=item.must,
            indicators={level: localized(competency.indicators.get(level), lang) for level in (3, 5)},
            questions=tuple(GuideQuestion(localized(q.text, lang), tuple(localized(p, lang) for p in q.probes))
                            for q in competency.questions),
            notes=tuple(_notes(competency, profile, results, flags, lang)),
        ))
    return sections


# ---------------------------------------------------------------------------- ratings


def _own(session: Session, candidate: Candidate, rater_id: int, key: str) -> InterviewRating | None:
    return session.scalar(sa.select(InterviewRating).where(
        InterviewRating.candidate_id == candidate.id, InterviewRating.rater_id == rater_id,
        InterviewRating.competency_key == key))


def save_rating(session: Session, candidate: Candidate, *, rater_id: int, competency_key: str,
                level: int | None, notes: str, submit: bool, now: datetime) -> InterviewRating:
    """Save the rater's draft, or submit it (``submit=True``: needs a level and notes).

    A submitted rating is final: a later save raises ``already_submitted``, also when
    another request submitted it meanwhile (the update is conditional on
    ``submitted_at IS NULL``). Raises :class:`InterviewError`.
    """
    if competency_key not in profile_keys(session, candidate):
        raise InterviewError("unknown_competency", f"{competency_key!r} is not in the requirement profile")
    if level is not None and (isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS):
        raise InterviewError("level_range", f"level {level!r} must be 1-5")
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES:
        raise InterviewError("notes_too_long", f"notes longer than {MAX_NOTES} characters")
    if submit and level is None:
        raise InterviewError("level_required", "a submitted rating needs a level")
    if submit and not notes:
        raise InterviewError("notes_required", "a submitted rating needs notes (the evidence)")

    values = {"level": level, "notes": notes, "updated_at": now, "submitted_at": now if submit else None}
    row = _own(session, candidate, rater_id, competency_key)
    if row is None:
        try:
            with session.begin_nested():
                row = InterviewRating(candidate_id=candidate.id, rater_id=rater_id,
                                      competency_key=competency_key, **values)
                session.add(row)
        except sa.exc.IntegrityError:  # the same rater saved in another request meanwhile
            row = _own(session, candidate, rater_id, competency_key)
            if row is None:
                raise
            row = _update(session, row, values)
    else:
        row = _update(session, row, values)
    session.flush()
    if submit:
        audit.record(session, user_id=rater_id, action="submit", object_type="interview_rating",
                     object_id=row.id, detail={"candidate_id": candidate.id, "competency": competency_key},
                     now=now)
    return row


def _update(session: Session, row: InterviewRating, values: dict) -> InterviewRating:
    result = session.execute(
        sa.update(InterviewRating)
        .where(InterviewRating.id == row.id, InterviewRating.submitted_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False))
    session.refresh(row)
    if result.rowcount != 1:
        raise InterviewError("already_submitted", "a submitted rating cannot be changed")
    return row


def visible_ratings(session: Session, candidate: Candidate, *,
                    viewer_id: int) -> dict[str, list[InterviewRating]]:
    """Ratings the viewer may see, by competency: their own (draft or submitted) first,
    then the other raters' SUBMITTED ratings, but only for competencies where the viewer
    has submitted their own. Other raters' drafts are never shown."""
    rows = session.scalars(sa.select(InterviewRating).where(InterviewRating.candidate_id == candidate.id)
                           .order_by(InterviewRating.id)).all()
    unlocked = {r.competency_key for r in rows if r.rater_id == viewer_id and r.submitted_at is not None}
    result: dict[str, list[InterviewRating]] = {}
    for r in sorted(rows, key=lambda r: (r.rater_id != viewer_id, r.id)):
        if r.rater_id == viewer_id or (r.competency_key in unlocked and r.submitted_at is not None):
            result.setdefault(r.competency_key, []).append(r)
    return result


@dataclass(frozen=True)
class RatingSummary:
    n: int
    mean: float | None
    spread: int | None
    disagreement: bool

    def __iter__(self):  # (mean, spread, disagreement), as the brief's tuple
        return iter((self.mean, self.spread, self.disagreement))


def rating_summary(ratings: Iterable[InterviewRating | int]) -> RatingSummary:
    """Mean, spread (max - min) and the disagreement flag (the spread is larger than
    rater error explains: ``portal.synthesis.raters_disagree``; for two raters, 2 levels
    apart) of the SUBMITTED ratings with a level (plain ints count as submitted)."""
    levels = []
    for r in ratings:
        if isinstance(r, InterviewRating):
            if r.submitted_at is not None and r.level is not None:
                levels.append(r.level)
        elif r is not None:
            levels.append(int(r))
    if not levels:
        return RatingSummary(0, None, None, False)
    return RatingSummary(len(levels), sum(levels) / len(levels), max(levels) - min(levels),
                         synthesis.raters_disagree(levels))
