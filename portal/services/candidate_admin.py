"""Adding candidates to an assignment, one at a time (the form or the API), and what
every way of adding one shares: the checks on name, e-mail address, language and extra
time, and the creation of the candidate with their first invitation. The CSV import
(``candidate_import``), the invitation links (``invitation_admin``) and extra time and
the technical reset (``accommodation``) build on this module. Services take a session
and plain values (``now`` included) and only flush; the request commits.

Errors are ``CandidateAdminError`` with a ``code`` (and the form ``field`` it belongs
to), so the view can say it in the user's language. Audit entries name objects by id
only: no names, e-mail addresses or free-text reasons.
"""
from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Assignment, Candidate, Invitation
from . import audit
from .invitations import LANGUAGES, InvitationSettings, invite_candidate

MAX_EXTRA_TIME_PCT = 300
MAX_NAME_LENGTH = 200
MAX_EMAIL_LENGTH = 254

# Deliberately plain: one @, something on both sides, a dot in the domain, no
# spaces or separators a spreadsheet might have glued on.
_EMAIL_RE = re.compile(r"^[^@\s,;<>()\[\]\"']+@[^@\s,;<>()\[\]\"']+\.[^@\s,;<>()\[\]\"'.]+$")


class CandidateAdminError(ValueError):
    """A refused request; ``code`` names the problem, ``field`` the form field."""

    def __init__(self, code: str, field: str | None = None, **params):
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params


# -- validation shared by the form and the CSV import --------------------------------


def clean_name(value: str | None) -> str:
    return " ".join((value or "").split())


def clean_email(value: str | None) -> str:
    return (value or "").strip()


def email_key(email: str) -> str:
    """The form in which two addresses count as the same."""
    return email.strip().lower()


def valid_email(email: str) -> bool:
    return len(email) <= MAX_EMAIL_LENGTH and bool(_EMAIL_RE.match(email))


def check_candidate(name: str, email: str, language: str, extra_time_pct: int) -> None:
    if not name:
        raise CandidateAdminError("missing_name", "name")
    if len(name) > MAX_NAME_LENGTH:
        raise CandidateAdminError("name_too_long", "name", limit=MAX_NAME_LENGTH)
    if not email:
        raise CandidateAdminError("missing_email", "email")
    if not valid_email(email):
        raise CandidateAdminError("invalid_email", "email")
    if language not in LANGUAGES:
        raise CandidateAdminError("unknown_language", "language")
    if not isinstance(extra_time_pct, int) or not 0 <= extra_time_pct <= MAX_EXTRA_TIME_PCT:
        raise CandidateAdminError("invalid_extra_time", "extra_time", limit=MAX_EXTRA_TIME_PCT)


def assignment_emails(session: Session, assignment: Assignment) -> set[str]:
    """E-mail addresses (as ``email_key``) of the assignment's candidates."""
    rows = session.scalars(sa.select(Candidate.email).where(Candidate.assignment_id == assignment.id))
    return {email_key(e) for e in rows}


def newest_candidates(session: Session, assignment: Assignment, *, limit: int) -> tuple[int, list[Candidate]]:
    """How many candidates the assignment has, and the ``limit`` added last (newest first)."""
    count = session.scalar(sa.select(sa.func.count()).select_from(Candidate)
                           .where(Candidate.assignment_id == assignment.id)) or 0
    newest = session.scalars(sa.select(Candidate).where(Candidate.assignment_id == assignment.id)
                             .order_by(Candidate.id.desc()).limit(limit)).all()
    return count, list(newest)


def create_candidate(session: Session, assignment: Assignment, *, name: str, email: str, language: str,
                     extra_time_pct: int, user_id: int | None, now: datetime,
                     settings: InvitationSettings, source: str,
                     api_key_id: int | None = None) -> tuple[Candidate, Invitation]:
    """The candidate and their first invitation, audited (``source``: form, api or csv);
    the caller has checked the values."""
    candidate, invitation = invite_candidate(
        session, assignment, name=name, email=email, now=now, settings=settings,
        language=language, extra_time_pct=extra_time_pct,
    )
    session.flush()
    detail = {"assignment": assignment.id, "invitation": invitation.id,
              "language": language, "extra_time_pct": extra_time_pct, "source": source}
    if api_key_id is not None:
        detail["api_key"] = api_key_id
    audit.record(session, user_id=user_id, action="create", object_type="candidate",
                 object_id=candidate.id, detail=detail, now=now)
    return candidate, invitation


def add_candidate(session: Session, assignment: Assignment, *, name: str, email: str,
                  language: str, extra_time_pct: int, user_id: int | None, now: datetime,
                  settings: InvitationSettings, source: str = "form",
                  api_key_id: int | None = None) -> tuple[Candidate, Invitation]:
    """One new candidate with a fresh invitation (not e-mailed: the view decides).

    Refuses an e-mail address that already belongs to a candidate of the assignment
    (``already_invited``): a second row for the same person splits their results.
    ``source`` is "form" or "api" (then ``api_key_id`` names the key, in the audit log).
    """
    name, email = clean_name(name), clean_email(email)
    language = language or assignment.language
    check_candidate(name, email, language, extra_time_pct)
    if email_key(email) in assignment_emails(session, assignment):
        raise CandidateAdminError("already_invited", "email")
    return create_candidate(session, assignment, name=name, email=email, language=language,
                            extra_time_pct=extra_time_pct, user_id=user_id, now=now, settings=settings,
                            source=source, api_key_id=api_key_id)
