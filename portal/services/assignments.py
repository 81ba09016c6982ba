"""Clients and assignments: create, staff."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Assignment, Client, ClientContact, Role, User
from ..models.assignments import recommended_time_limit_minutes
from . import access, audit


def time_limit_advice() -> dict:
    """How the recommended time limit is derived, for the assignment form's help text:
    ``minutes`` (``recommended_time_limit_minutes``), the test's ``max_items`` and the
    mean typical ``seconds_per_item`` it is computed from."""
    from item_banks import adaptive

    return {"minutes": recommended_time_limit_minutes(), "max_items": adaptive.APP_SETTINGS.max_items,
            "seconds_per_item": round(adaptive.typical_item_ms() / 1000)}


class AssignmentError(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def create_client(session: Session, *, name: str, org_number: str = "", user_id: int, now: datetime) -> Client:
    name = (name or "").strip()
    if not name:
        raise AssignmentError("client_name", "client name is required")
    client = Client(name=name, org_number=(org_number or "").strip() or None)
    session.add(client)
    session.flush()
    audit.record(session, user_id=user_id, action="create", object_type="client", object_id=client.id, now=now)
    return client


def add_contact(session: Session, client: Client, *, name: str, email: str = "", phone: str = "",
                title: str = "", user_id: int, now: datetime) -> ClientContact:
    if not (name or "").strip():
        raise AssignmentError("contact_name", "contact name is required")
    if email and "@" not in email:
        raise AssignmentError("contact_email", f"not a valid e-mail address: {email}")
    contact = ClientContact(client=client, name=name.strip(), email=email.strip(), phone=phone.strip(),
                            title=title.strip())
    session.add(contact)
    session.flush()
    audit.record(session, user_id=user_id, action="create", object_type="client_contact",
                 object_id=contact.id, now=now)
    return contact


def _check_role_family(role_family: str) -> None:
    from ..models.assignments import ROLE_FAMILIES

    if role_family not in ("", *ROLE_FAMILIES):
        raise AssignmentError("role_family", f"unknown role family {role_family!r}")


def create_assignment(session: Session, *, client: Client, title: str, language: str, norm_group: str,
                      time_limit_minutes: int | None = None, deadline: date | None, uses_logic: bool,
                      uses_personality: bool, creator: User, now: datetime, norm_groups: list[str],
                      role_family: str = "") -> Assignment:
    """A new assignment; without ``time_limit_minutes`` the recommended limit
    (``recommended_time_limit_minutes``)."""
    if time_limit_minutes is None:
        time_limit_minutes = recommended_time_limit_minutes()
    title = (title or "").strip()
    if not title:
        raise AssignmentError("title", "title is required")
    if language not in ("sv", "en"):
        raise AssignmentError("language", "language must be sv or en")
    if norm_group not in norm_groups:
        raise AssignmentError("norm_group", f"unknown norm group {norm_group}")
    _check_role_family(role_family)
    if not 5 <= time_limit_minutes <= 120:
        raise AssignmentError("time_limit", "time limit must be 5-120 minutes")
    if not (uses_logic or uses_personality):
        raise AssignmentError("battery", "choose at least one test")
    assignment = Assignment(client=client, title=title, language=language, norm_group=norm_group,
                            role_family=role_family,
                            logic_time_limit_minutes=time_limit_minutes, deadline=deadline,
                            uses_logic=uses_logic, uses_personality=uses_personality)
    session.add(assignment)
    session.flush()
    if creator.role is Role.CONSULTANT:
        access.staff(session, assignment, creator)
    audit.record(session, user_id=creator.id, action="create", object_type="assignment",
                 object_id=assignment.id, now=now)
    return assignment


def staff_by_email(session: Session, assignment: Assignment, email: str, *, user_id: int, now: datetime) -> User:
    user = session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))
    if user is None or not access.is_staff(user) or not user.active:
        raise AssignmentError("staff_email", "no active consultant with that e-mail address")
    access.staff(session, assignment, user)
    audit.record(session, user_id=user_id, action="staff", object_type="assignment",
                 object_id=assignment.id, detail={"user": user.id}, now=now)
    return user


def update_assignment(session: Session, assignment: Assignment, *, title: str, norm_group: str,
                      time_limit_minutes: int, deadline: date | None, uses_logic: bool, uses_personality: bool,
                      status: str, user_id: int, now: datetime, norm_groups: list[str],
                      role_family: str | None = None) -> Assignment:
    from ..models import AssignmentStatus

    if not (title or "").strip():
        raise AssignmentError("title", "title is required")
    if norm_group not in norm_groups:
        raise AssignmentError("norm_group", f"unknown norm group {norm_group}")
    if role_family is None:
        role_family = assignment.role_family
    _check_role_family(role_family)
    if not 5 <= time_limit_minutes <= 120:
        raise AssignmentError("time_limit", "time limit must be 5-120 minutes")
    if not (uses_logic or uses_personality):
        raise AssignmentError("battery", "choose at least one test")
    changed = {name for name, old, new in (
        ("title", assignment.title, title.strip()), ("norm_group", assignment.norm_group, norm_group),
        ("role_family", assignment.role_family, role_family),
        ("time_limit", assignment.logic_time_limit_minutes, time_limit_minutes),
        ("deadline", assignment.deadline, deadline), ("uses_logic", assignment.uses_logic, uses_logic),
        ("uses_personality", assignment.uses_personality, uses_personality),
        ("status", assignment.status.value, status)) if old != new}
    assignment.title = title.strip()
    assignment.norm_group = norm_group
    assignment.role_family = role_family
    assignment.logic_time_limit_minutes = time_limit_minutes
    assignment.deadline = deadline
    assignment.uses_logic = uses_logic
    assignment.uses_personality = uses_personality
    new_status = AssignmentStatus(status)
    if new_status is not assignment.status:
        # Retention periods count from the last close; reopening stops the count.
        assignment.closed_at = now if new_status is AssignmentStatus.CLOSED else None
    assignment.status = new_status
    session.flush()
    if changed:
        # Field names only: the values may be personal or confidential.
        audit.record(session, user_id=user_id, action="update", object_type="assignment",
                     object_id=assignment.id, detail={"fields": sorted(changed)}, now=now)
    return assignment
