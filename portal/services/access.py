"""Who may see what. Every query for assignment data goes through these scopes.

- admin: everything;
- consultant: the assignments they are staffed on (and their candidates);
- client user: their own organisation's assignments, and only released material (the
  reports issue builds that); nothing of the consultant workspace;
- API key (``portal/api``): every assignment, or, when the key is restricted to a client
  organisation, that organisation's assignments only (what the key may do with them is
  its scopes, checked per route).

An object outside the user's scope is reported as missing (404), so its existence does
not leak.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import ApiKey, Assignment, Candidate, Role, User, assignment_consultant

#: Who asks: a signed-in user or an integration's API key.
Actor = User | ApiKey


class NotVisible(LookupError):
    """The object does not exist or the user may not see it (rendered as 404)."""


def is_staff(user: User) -> bool:
    return user.role in (Role.ADMIN, Role.CONSULTANT)


def assignment_scope(user: Actor) -> sa.Select:
    query = sa.select(Assignment)
    if isinstance(user, ApiKey):
        if user.client_id is None:
            return query
        return query.where(Assignment.client_id == user.client_id)
    if user.role is Role.ADMIN:
        return query
    if user.role is Role.CONSULTANT:
        staffed = sa.select(assignment_consultant.c.assignment_id).where(
            assignment_consultant.c.user_id == user.id)
        return query.where(Assignment.id.in_(staffed))
    if user.role is Role.CLIENT and user.client_id is not None:
        return query.where(Assignment.client_id == user.client_id)
    return query.where(sa.false())


def client_scope(user: User) -> sa.Select:
    """The client organisations a staff member may see: every one for an admin; for a
    consultant, those with an assignment they are staffed on (a client list with contact
    people is the consultancy's business relations, not every consultant's)."""
    from ..models import Client

    query = sa.select(Client)
    if user.role is Role.ADMIN:
        return query
    if user.role is Role.CONSULTANT:
        return query.where(Client.id.in_(assignment_scope(user).with_only_columns(Assignment.client_id)))
    return query.where(sa.false())


def visible_assignment(session: Session, user: Actor, assignment_id: int) -> Assignment:
    assignment = session.scalar(assignment_scope(user).where(Assignment.id == assignment_id))
    if assignment is None:
        raise NotVisible(f"assignment {assignment_id}")
    return assignment


def visible_candidate(session: Session, user: Actor, candidate_id: int) -> Candidate:
    visible = assignment_scope(user).with_only_columns(Assignment.id)
    candidate = session.scalar(
        sa.select(Candidate).where(Candidate.id == candidate_id, Candidate.assignment_id.in_(visible)))
    if candidate is None:
        raise NotVisible(f"candidate {candidate_id}")
    return candidate


def staff(session: Session, assignment: Assignment, user: User) -> None:
    """Staff a consultant (or admin) on an assignment; idempotent."""
    if not is_staff(user):
        raise ValueError("only consultants and admins can be staffed on an assignment")
    if user not in assignment.consultants:
        assignment.consultants.append(user)
        session.flush()
