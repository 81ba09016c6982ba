"""User accounts: create, (de)activate, reset password. Shared by the admin UI and the CLI."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from ..models import Client, Role, User

MIN_PASSWORD_LENGTH = 10


class UserError(ValueError):
    """Bad input. ``code`` lets a page show its own translated message."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def create_user(session: Session, *, email: str, password: str, role: Role, name: str = "",
                client_id: int | None = None) -> User:
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise UserError("invalid_email", f"Not a valid e-mail address: {email}")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError("short_password", f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    if role is Role.CLIENT:
        if client_id is None or session.get(Client, client_id) is None:
            raise UserError("client_required", "A client user needs an existing client organisation.")
    elif client_id is not None:
        raise UserError("client_not_allowed", "Only client users belong to a client organisation.")
    if session.scalar(sa.select(User).where(User.email == email)):
        raise UserError("exists", f"A user with e-mail {email} already exists.")
    user = User(email=email, name=(name or "").strip(), role=role, client_id=client_id,
                password_hash=generate_password_hash(password))
    session.add(user)
    session.flush()
    return user


def set_active(session: Session, user: User, active: bool) -> None:
    user.active = active
    if not active:
        user.session_version += 1  # logged out everywhere at once
    session.flush()


def reset_password(session: Session, user: User, password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError("short_password", f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    user.password_hash = generate_password_hash(password)
    user.session_version += 1
    session.flush()
