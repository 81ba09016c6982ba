"""The stored results a norm table is built from, as protocols for the quality gates.

``protocols`` turns every attempt in the chosen population (all assignments, some
assignments, one client's or one role family's) into a ``norms.quality.Protocol``; the
gates (``norms.quality.apply_gates``) then decide which enter the norm. The person key
that de-duplicates candidates across assignments is, in order of preference:

1. ``Candidate.person_key``: HMAC-SHA256 of the normalised e-mail address, keyed with a key
   derived from ``SECRET_KEY`` (``person_key``), stored at invitation. It stays when the
   contact data are removed (it reaches nobody) and is cleared when the candidate is
   erased, on request or at the end of the retention period.
2. For a candidate invited before the key existed (migration 0017) whose e-mail address is
   still held: the same HMAC computed now.
3. Otherwise (erased, or contact data removed before the key existed): the candidate's own
   id, so the protocol counts as its own person. An erasure marks the erased candidate's
   attempts ``norm_duplicate`` when the same person had another completed attempt of the
   same test at that moment, so that person still counts once (the gate counts the mark as
   a duplicate); see docs/technical-manual.md, "Norms building".
"""
from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from item_banks import Inventory
from norms.quality import Protocol

from ..models import Assignment, Attempt, Candidate, FinishReason, InventoryResponse, Result, TestKind

_KEY_LABEL = b"second-opinion/norm-person-key/v1"
#: The old fixed-form score: not comparable with the adaptive test, never normed again.
_OLD_SCALES = frozenset({"logic.number_correct"})


def normalise_email(email: str) -> str:
    """Unicode NFKC, surrounding space removed, case folded: ``" Anna@Example.COM "`` and
    ``"anna@example.com"`` are the same person. (The local part is case-sensitive in
    theory, RFC 5321 2.4; in practice no provider treats it so.)"""
    return unicodedata.normalize("NFKC", email or "").strip().casefold()


def person_key(secret_key: str | bytes, email: str) -> str:
    """HMAC-SHA256 (hex) of the normalised e-mail address under a key derived from
    ``secret_key`` for this purpose only. Without the key the value cannot be linked to
    an address; with it, it can only be checked against an address one already has."""
    secret = secret_key.encode("utf-8") if isinstance(secret_key, str) else bytes(secret_key)
    key = hmac.new(secret, _KEY_LABEL, hashlib.sha256).digest()
    return hmac.new(key, normalise_email(email).encode("utf-8"), hashlib.sha256).hexdigest()


def is_erased_email(candidate_id: int, email: str) -> bool:
    return email == f"erased-{candidate_id}@invalid"


@dataclass
class Population:
    """The attempts a norm may be built from: which assignments, client or role family."""

    scope: str = "all"
    client_id: int | None = None
    client: str | None = None
    role_family: str | None = None
    assignment_ids: list[int] = field(default_factory=list)
    #: Assignments that had at least one attempt.
    assignments_used: list[int] = field(default_factory=list)
    #: Protocols whose person key had to be the candidate's own id (erased or no address).
    without_person_key: int = 0
    #: Attempts replaced by a technical reset: never a protocol of their own.
    superseded: int = 0

    def record(self, first: date | None, last: date | None) -> dict:
        out: dict = {"scope": self.scope}
        if self.client_id is not None:
            out["client_id"] = self.client_id
            out["client"] = self.client
        if self.role_family is not None:
            out["role_family"] = self.role_family
        out["assignments"] = sorted(self.assignments_used)
        if first is not None and last is not None:
            out["from"], out["to"] = first.isoformat(), last.isoformat()
        return out


def protocols(session: Session, *, secret_key: str, assignment_ids: list[int] | None = None,
              client_id: int | None = None, role_family: str | None = None) -> tuple[list[Protocol], Population]:
    """One ``Protocol`` per attempt (technical resets left out) in the population, in
    attempt order; ``ref`` is the attempt id. Three queries whatever the number of attempts."""
    population = Population(assignment_ids=sorted(assignment_ids or []))
    query = (sa.select(Attempt, Candidate.id, Candidate.email, Candidate.person_key, Assignment.id)
             .join(Candidate, Attempt.candidate_id == Candidate.id)
             .join(Assignment, Candidate.assignment_id == Assignment.id)
             # A supervised verification test is a second measurement of a logic result,
             # not a protocol of its own.
             .where(Attempt.kind != TestKind.VERIFICATION)
             .order_by(Attempt.id))
    if assignment_ids:
        query = query.where(Assignment.id.in_(assignment_ids))
        population.scope = "assignments"
    if client_id is not None:
        query = query.where(Assignment.client_id == client_id)
        population.scope, population.client_id = "client", client_id
    if role_family is not None:
        query = query.where(Assignment.role_family == role_family)
        population.scope, population.role_family = "role_family", role_family
    rows = session.execute(query).all()
    attempt_ids = [a.id for a, *_ in rows if a.superseded_at is None]
    results: dict[int, list[Result]] = defaultdict(list)
    for start in range(0, len(attempt_ids), 500):  # bounded IN lists
        chunk = attempt_ids[start:start + 500]
        for r in session.scalars(sa.select(Result).where(Result.attempt_id.in_(chunk), Result.raw.is_not(None))):
            results[r.attempt_id].append(r)
    out, used = [], set()
    for attempt, cand_id, email, stored_key, assignment_id in rows:
        if attempt.superseded_at is not None:
            population.superseded += 1
            continue
        used.add(assignment_id)
        if stored_key:
            person = stored_key
        elif email and not is_erased_email(cand_id, email):
            person = person_key(secret_key, email)
        else:
            person = f"candidate:{cand_id}"
            population.without_person_key += 1
        scores, se, estimator = {}, {}, {}
        n_answers = n_rapid = 0
        for r in results.get(attempt.id, []):
            if r.scale in _OLD_SCALES:
                continue
            details = r.details or {}
            scores[r.scale] = float(r.theta if r.theta is not None else r.raw)
            if r.se is not None:
                se[r.scale] = float(r.se)
                estimator[r.scale] = details.get("estimator", "eap")
            if attempt.kind is TestKind.LOGIC:
                n_answers, n_rapid = int(r.n_answered or 0), int(details.get("rapid_guesses") or 0)
        flags = tuple(f.get("code", "") for f in (attempt.flags or []) if isinstance(f, dict) and f.get("raised"))
        finished = attempt.finished_at if (attempt.finished_at is not None and scores) else None
        out.append(Protocol(
            person=person, test="logic" if attempt.kind is TestKind.LOGIC else "personality",
            finished_at=finished, scores=scores, se=se, estimator=estimator,
            timed_out=attempt.finish_reason is FinishReason.TIMEOUT, n_answers=n_answers, n_rapid=n_rapid,
            validity_flags=flags, duplicate=bool(attempt.norm_duplicate), ref=attempt.id,
        ))
    population.assignments_used = sorted(used)
    return out, population


def alphas(session: Session, inventory: Inventory, attempt_ids: list[int]) -> dict[str, float]:
    """Cronbach's alpha per personality scale from the item answers of these attempts
    (the protocols that passed the gates), after reverse keying; scales where alpha is
    not defined or not in (0, 1) are left out."""
    from norms import cronbach_alpha

    by_attempt: dict[int, dict[str, int]] = defaultdict(dict)
    for start in range(0, len(attempt_ids), 500):
        chunk = attempt_ids[start:start + 500]
        query = (sa.select(InventoryResponse.attempt_id, InventoryResponse.statement_id, InventoryResponse.value)
                 .where(InventoryResponse.attempt_id.in_(chunk)))
        for attempt_id, sid, value in session.execute(query):
            by_attempt[attempt_id][sid] = value
    if len(by_attempt) < 3:
        return {}
    attempts = list(by_attempt)
    out = {}
    groups: dict[str, list] = defaultdict(list)
    for s in inventory.scored_statements:
        groups[f"personality.{s.domain}"].append(s)
        if s.facet:
            groups[f"personality.{s.facet}"].append(s)
    for scale, statements in groups.items():
        matrix = np.array([[_keyed(by_attempt[a].get(s.id), s.keyed) for s in statements] for a in attempts],
                          dtype=float)
        try:
            alpha = cronbach_alpha(matrix, missing="pairwise")
        except ValueError:
            continue
        alpha = round(float(alpha), 3)
        if 0 < alpha < 1:  # after rounding: a near-zero alpha is no usable reliability
            out[scale] = alpha
    return out


def _keyed(value: int | None, keyed: int) -> float:
    if value is None:
        return np.nan
    return float(value if keyed > 0 else 6 - value)
