"""User accounts: create, (de)activate. Shared by the admin UI and the CLI.

The admin UI creates users without a password: they choose one through an e-mailed link
(``portal.services.set_password``). The CLI (``flask create-user``, for the first
administrator) asks its operator for their own password.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session
from .. import passwords
from ..models import Client, Role, User

MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH
#: Why a password is refused (``portal.passwords.problems``), for the CLI and logs.
PASSWORD_MESSAGES = {
    "too_short": f"The password must be at least {passwords.MIN_LENGTH} characters.",
    "too_long": f"The password must be at most {passwords.MAX_LENGTH} characters.",
    "common": "This password is one of the most common passwords; choose another.",
    "contains_email": "The password must not contain the e-mail address's name part.",
}


class UserError(ValueError):
    """Bad input. ``code`` lets a page show its own translated message."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def create_user(session: Session, *, email: str, role: Role, name: str = "",
                client_id: int | None = None, password: str | None = None) -> User:
    """A new user; without ``password`` the account has none (an unusable value) until the
    user chooses one through a set-password link."""
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise UserError("invalid_email", f"Not a valid e-mail address: {email}")
    if password is not None:
        check_password(password, email)
    if role is Role.CLIENT:
        if client_id is None or session.get(Client, client_id) is None:
            raise UserError("client_required", "A client user needs an existing client organisation.")
    elif client_id is not None:
        raise UserError("client_not_allowed", "Only client users belong to a client organisation.")
    if session.scalar(sa.select(User).where(User.email == email)):
        raise UserError("exists", f"A user with e-mail {email} already exists.")
    user = User(email=email, name=(name or "").strip(), role=role, client_id=client_id,
                password_hash=passwords.hash_password(password) if password is not None else passwords.unusable())
    session.add(user)
    session.flush()
    return user


def set_active(session: Session, user: User, active: bool) -> None:
    user.active = active
    if not active:
        user.session_version += 1  # logged out everywhere at once
        user.set_password_nonce = user.set_password_expires_at = None  # and a pending link dies
    session.flush()


def check_password(password: str, email: str) -> None:
    """Raise :class:`UserError` with the first policy problem's code (``portal.passwords``)."""
    found = passwords.problems(password, email)
    if found:
        raise UserError(found[0], PASSWORD_MESSAGES[found[0]])

