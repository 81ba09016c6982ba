"""Requirement profiles ("kravprofil"): which competencies a role needs, how much each
weighs, the target level on the 1-5 scale and which ones are must-haves.

A profile is versioned per assignment. While the current version is unlocked it is
edited in place; :func:`lock_current` locks it when the first candidate's results are
opened, and from then on a change is a new version with a written reason, the old one
kept unchanged. This is what keeps the yardstick from drifting towards a favourite
candidate (design.md, section 5).

Competencies come from the shipped library (``portal/data/competencies.json``) and from
consultant-made ``Competency`` rows (keys ``custom.*``). Services take plain values and
``now``, flush and never commit.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from item_banks.validation import is_int

from .. import competencies as lib
from ..models import Assignment, Candidate, Competency, ProfileCompetency, RequirementProfile
from . import audit

LEVEL_RANGE = (1, 5)
WEIGHT_RANGE = lib.WEIGHT_RANGE
PERCENTILE_RANGE = lib.PERCENTILE_RANGE


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input.

    ``key`` is the competency the problem concerns (None for the profile as a whole);
    ``field`` the input it concerns (``weight``, ``target_level``, ``key``, ``items``,
    ``logic_min_percentile``, ``personality_targets``, ``reason``, or the field prefix
    of a custom competency problem such as ``questions``); ``message`` an English
    explanation for logs and the CLI (pages show their own translated text per code).
    """

    code: str
    key: str | None = None
    field: str | None = None
    message: str = ""


class ProfileError(ValueError):
    """Input that cannot be saved. ``code`` is the first problem's code; ``problems``
    lists every problem found, so a form can show each one next to its field.

    Codes: ``empty``, ``unknown_competency``, ``duplicate``, ``weight_range``,
    ``level_range``, ``percentile_range``, ``personality_target``,
    ``locked_needs_reason``, ``unknown_template``, ``exists`` (a profile already exists,
    or a custom competency key is taken), ``invalid`` (a custom competency's data).
    """

    def __init__(self, code: str, message: str = "", *, key: str | None = None,
                 field: str | None = None, problems: tuple[Problem, ...] | list[Problem] = ()):
        self.problems = tuple(problems) or (Problem(code, key, field, message),)
        self.code = code
        self.key = key
        self.field = field
        super().__init__(message or "; ".join(p.message or p.code for p in self.problems))

    @classmethod
    def of(cls, problems: list[Problem]) -> ProfileError:
        first = problems[0]
        return cls(first.code, first.message, key=first.key, field=first.field, problems=problems)


# ------------------------------------------------------------------------ competencies


def _from_row(row: Competency) -> lib.Competency:
    return lib.custom_competency({"key": row.key, "name": row.name, "definition": row.definition,
                                  "indicators": row.indicators, "questions": row.questions,
                                  "scales": row.scales or []})


def all_competencies(session: Session) -> dict[str, lib.Competency]:
    """Library competencies (file order), then consultant-made ones (``custom=True``,
    in the order they were created)."""
    result = dict(lib.load_library())
    for row in session.scalars(sa.select(Competency).order_by(Competency.id)):
        result[row.key] = _from_row(row)
    return result


def custom_key(name: str) -> str:
    """A ``custom.*`` key from a (preferably English) name: "Safety culture" ->
    ``custom.safety_culture``. Accents are dropped (å -> a)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = f"c_{slug}".rstrip("_")
    return (lib.CUSTOM_PREFIX + slug)[:lib.MAX_KEY_LENGTH].rstrip("_")


def create_custom_competency(session: Session, data: Mapping, *, user_id: int | None,
                             now: datetime) -> Competency:
    """Store a consultant-made competency (same shape as a library entry, key
    ``custom.*``, see :func:`portal.competencies.validate_custom`).

    Raises :class:`ProfileError` ``invalid`` listing every problem (``field`` is the
    part before the first colon of the library's message, e.g. ``questions``), or
    ``exists`` when the key is taken.
    """
    problems = lib.validate_custom(data)
    if problems:
        raise ProfileError.of([Problem("invalid", field=p.split(":", 1)[0], message=p)
                               for p in problems])
    built = lib.custom_competency(data)
    if session.scalar(sa.select(Competency.id).where(Competency.key == built.key)) is not None:
        raise ProfileError("exists", f"a competency with key {built.key} already exists",
                           key=built.key, field="key")
    row = Competency(
        key=built.key,
        name=dict(built.name),
        definition=dict(built.definition),
        indicators={str(level): dict(text) for level, text in built.indicators.items()},
        questions=[{"question": dict(q.text), "probes": [dict(p) for p in q.probes]}
                   for q in built.questions],
        scales=[{"scale": s.scale, "direction": s.direction, **({"why": dict(s.why)} if s.why else {})}
                for s in built.scales],
        created_by_id=user_id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(session, user_id=user_id, action="create", object_type="competency",
                 object_id=row.id, detail={"key": row.key}, now=now)
    return row


# ---------------------------------------------------------------------------- profiles


def _in_range(value, bounds: tuple[int, int]) -> bool:
    return is_int(value) and bounds[0] <= value <= bounds[1]


def profile_problems(session: Session, items: list[Mapping], *, logic_min_percentile: int | None,
                     personality_targets: Mapping) -> list[Problem]:
    """Every problem with a profile's content; ``[]`` when it can be saved.

    ``items``: ``{"key", "weight" (1-5), "target_level" (1-5), "must"}`` per competency;
    a weight or level that is not an integer (e.g. None from an unreadable form value)
    counts as out of range. ``personality_targets``: ``{"personality.CO": [low, high]}``
    with percentiles 1-99, low <= high.
    """
    problems: list[Problem] = []
    known = all_competencies(session)
    if not items:
        problems.append(Problem("empty", field="items", message="at least one competency is required"))
    seen: set[str] = set()
    for item in items:
        key = item.get("key")
        if not isinstance(key, str) or key not in known:
            problems.append(Problem("unknown_competency", key=str(key), field="key",
                                    message=f"{key!r} is neither in the library nor a custom competency"))
            continue
        if key in seen:
            problems.append(Problem("duplicate", key=key, field="key", message=f"{key} listed twice"))
            continue
        seen.add(key)
        if not _in_range(item.get("weight"), WEIGHT_RANGE):
            problems.append(Problem("weight_range", key=key, field="weight",
                                    message=f"{key}: weight {item.get('weight')!r} must be 1-5"))
        if not _in_range(item.get("target_level"), LEVEL_RANGE):
            problems.append(Problem("level_range", key=key, field="target_level",
                                    message=f"{key}: target level {item.get('target_level')!r} must be 1-5"))
    if logic_min_percentile is not None and not _in_range(logic_min_percentile, PERCENTILE_RANGE):
        problems.append(Problem("percentile_range", field="logic_min_percentile",
                                message=f"logic_min_percentile {logic_min_percentile!r} must be 1-99"))
    if not isinstance(personality_targets, Mapping):
        problems.append(Problem("personality_target", field="personality_targets",
                                message="personality_targets must be a mapping"))
    else:
        for scale, band in personality_targets.items():
            ok = (isinstance(scale, str) and scale.startswith("personality.")
                  and scale in lib.ALLOWED_SCALES and isinstance(band, (list, tuple)) and len(band) == 2
                  and all(_in_range(v, PERCENTILE_RANGE) for v in band) and band[0] <= band[1])
            if not ok:
                problems.append(Problem("personality_target", key=str(scale), field="personality_targets",
                                        message=f"{scale}: {band!r} must be [low, high] percentiles 1-99"))
    return problems


def current_profile(session: Session, assignment: Assignment) -> RequirementProfile | None:
    """The assignment's highest version, or None when it has no profile yet."""
    return session.scalar(
        sa.select(RequirementProfile).where(RequirementProfile.assignment_id == assignment.id)
        .order_by(RequirementProfile.version.desc()).limit(1))


def history(session: Session, assignment: Assignment) -> list[RequirementProfile]:
    """Every version, oldest first, with its competencies loaded."""
    return list(session.scalars(
        sa.select(RequirementProfile).where(RequirementProfile.assignment_id == assignment.id)
        .options(selectinload(RequirementProfile.competencies))
        .order_by(RequirementProfile.version)))


def _rows(items: list[Mapping]) -> list[ProfileCompetency]:
    return [ProfileCompetency(competency_key=i["key"], weight=i["weight"], target_level=i["target_level"],
                              must=bool(i.get("must", False))) for i in items]


def _claim_unlocked(session: Session, profile: RequirementProfile) -> bool:
    """True when ``profile`` is still unlocked in the database, holding its row until
    commit so a concurrent :func:`lock_current` waits for this edit (and locks what it
    saved) instead of the edit changing a version that is already locked."""
    result = session.execute(
        sa.update(RequirementProfile)
        .where(RequirementProfile.id == profile.id, RequirementProfile.locked_at.is_(None))
        .values(locked_at=None)
        .execution_options(synchronize_session=False))
    if result.rowcount == 1:
        return True
    session.refresh(profile)
    return False


def _save(session: Session, assignment: Assignment, *, user_id: int | None, items: list[Mapping],
          logic_min_percentile: int | None, personality_targets: Mapping, reason: str,
          now: datetime, detail: dict) -> RequirementProfile:
    problems = profile_problems(session, items, logic_min_percentile=logic_min_percentile,
                                personality_targets=personality_targets)
    if problems:
        raise ProfileError.of(problems)
    reason = (reason or "").strip()
    targets = {scale: list(band) for scale, band in personality_targets.items()}
    current = current_profile(session, assignment)

    if current is not None and current.locked_at is None and _claim_unlocked(session, current):
        # Delete the old rows before inserting: the unit of work inserts before it
        # deletes, which would trip the (profile, competency) unique constraint.
        current.competencies.clear()
        session.flush()
        current.competencies.extend(_rows(items))
        current.logic_min_percentile = logic_min_percentile
        current.personality_targets = targets
        session.flush()
        audit.record(session, user_id=user_id, action="update", object_type="requirement_profile",
                     object_id=current.id, detail={"version": current.version, **detail}, now=now)
        return current

    if current is not None and not reason:
        raise ProfileError("locked_needs_reason",
                           f"version {current.version} is locked: a new version needs a reason",
                           field="reason")
    version = current.version + 1 if current is not None else 1
    profile = RequirementProfile(
        assignment_id=assignment.id, version=version, reason=reason, created_by_id=user_id,
        created_at=now, logic_min_percentile=logic_min_percentile, personality_targets=targets,
        competencies=_rows(items))
    session.add(profile)
    session.flush()
    audit.record(session, user_id=user_id, action="create" if version == 1 else "new_version",
                 object_type="requirement_profile", object_id=profile.id,
                 detail={"version": version, **detail}, now=now)
    return profile


def save_profile(session: Session, assignment: Assignment, *, user_id: int | None,
                 items: list[Mapping], logic_min_percentile: int | None,
                 personality_targets: Mapping, reason: str = "", now: datetime) -> RequirementProfile:
    """Save the assignment's profile.

    No profile yet: version 1. Current version unlocked: its content is replaced (same
    version). Current version locked: version N+1, which needs a non-empty ``reason``
    (``ProfileError("locked_needs_reason")``); the locked version is kept unchanged.
    Raises :class:`ProfileError` listing every problem (see :func:`profile_problems`).
    """
    return _save(session, assignment, user_id=user_id, items=items,
                 logic_min_percentile=logic_min_percentile, personality_targets=personality_targets,
                 reason=reason, now=now, detail={})


def start_from_template(session: Session, assignment: Assignment, template_key: str, *,
                        user_id: int | None, now: datetime) -> RequirementProfile:
    """Version 1 from a shipped template (``profile_templates.json``).

    Only for an assignment without a profile (``ProfileError("exists")``); an unknown
    template is ``ProfileError("unknown_template")``. An assignment without a role family
    gets the template's (manager, specialist, sales, project_manager).
    """
    template = lib.load_templates().get(template_key)
    if template is None:
        raise ProfileError("unknown_template", f"no template {template_key!r}", field="template")
    if current_profile(session, assignment) is not None:
        raise ProfileError("exists", "the assignment already has a requirement profile", field="template")
    items = [{"key": i.key, "weight": i.weight, "target_level": i.target_level, "must": i.must}
             for i in template.competencies]
    from ..models.assignments import ROLE_FAMILIES

    if not assignment.role_family and template.key in ROLE_FAMILIES:
        # The template names the kind of role: the default role family for local norms
        # (the consultant can change it on the assignment form).
        assignment.role_family = template.key
    return _save(session, assignment, user_id=user_id, items=items,
                 logic_min_percentile=template.logic_min_percentile, personality_targets={},
                 reason="", now=now, detail={"template": template.key})


def lock_current(session: Session, assignment: Assignment, *, now: datetime,
                 user_id: int | None = None) -> RequirementProfile | None:
    """Lock the current version (call when the first candidate's results are opened).

    Idempotent: an already locked version keeps its original ``locked_at``. Returns the
    current version, or None when the assignment has no profile. The lock is a
    conditional update, so two requests locking at once record one lock.
    """
    profile = current_profile(session, assignment)
    if profile is None or profile.locked_at is not None:
        return profile
    result = session.execute(
        sa.update(RequirementProfile)
        .where(RequirementProfile.id == profile.id, RequirementProfile.locked_at.is_(None))
        .values(locked_at=now)
        .execution_options(synchronize_session=False))
    session.refresh(profile)
    if result.rowcount == 1:
        audit.record(session, user_id=user_id, action="lock", object_type="requirement_profile",
                     object_id=profile.id, detail={"version": profile.version}, now=now)
    return profile


def profile_keys(session: Session, candidate: Candidate) -> list[str]:
    """Competency keys of the candidate's assignment's current profile (profile order);
    empty without a profile. What interview ratings, references and first opinions may rate."""
    profile = current_profile(session, candidate.assignment)
    return [c.competency_key for c in profile.competencies] if profile is not None else []
