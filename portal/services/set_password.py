"""Set-password links: how a staff user comes to have a password.

Nobody chooses a password for someone else. Creating a user, or an administrator asking
for a new link (a forgotten password, an expired link), stores a fresh random nonce and
the link's end on the user (``User.set_password_nonce``, ``set_password_expires_at``) and
queues an e-mail with ``/account/set-password/<token>``. The token is an itsdangerous
signature with its own salt over ``[user id, nonce]`` (``portal.services.tokens``): no
personal data. The link works until its end and once: choosing the password clears the
nonce, and a newer link replaces it. Deactivating the user revokes it.

The new user has not chosen a language yet, so the e-mail is written in every language
of the app (``LANGUAGES``, Swedish first), one after the other.

Services take plain values and ``now``, flush and never commit. Rendering uses the
``renderer`` the caller passes (the app's templates and Flask-Babel), as
``portal.services.mail`` does.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import Session

from .. import passwords
from ..models import OutboxMessage, Role, User
from .mail import queue_message, tidy_text, valid_until
from .rendering import Renderer
from .tokens import TokenExpired, TokenInvalid, TokenUsed, make_set_password_token, read_set_password_token
from .users import check_password

KIND = "set_password"
PATH = "/account/set-password/"


class LinkReplaced(TokenExpired):
    """A genuine link whose place a newer link has taken (HTTP 410)."""


@dataclass(frozen=True)
class LinkSettings:
    secret_key: str
    lifetime_hours: int
    base_url: str
    #: The app's languages, in the order the e-mail uses them.
    languages: tuple[str, ...] = ("sv", "en")
    #: Administrators must enrol a second factor (``REQUIRE_ADMIN_2FA``): the e-mail says so.
    admin_two_factor: bool = True

    @property
    def max_age_seconds(self) -> int:
        return self.lifetime_hours * 3600


def issue_link(session: Session, user: User, *, now: datetime, settings: LinkSettings) -> str:
    """A new link for ``user`` (any earlier one stops working); returns its URL."""
    user.set_password_nonce = secrets.token_urlsafe(32)
    user.set_password_expires_at = now + timedelta(hours=settings.lifetime_hours)
    session.flush()
    token = make_set_password_token(settings.secret_key, user.id, user.set_password_nonce)
    return f"{settings.base_url.rstrip('/')}{PATH}{token}"


def send_link(session: Session, user: User, *, now: datetime, settings: LinkSettings,
              renderer: Renderer) -> OutboxMessage:
    """Issue a new link and queue the e-mail that carries it (sent after the commit)."""
    url = issue_link(session, user, now=now, settings=settings)
    subject, text, html = render_mail(user, url, settings=settings, renderer=renderer)
    return queue_message(session, kind=KIND, candidate_id=None, user_id=user.id, to=user.email,
                         subject=subject, text=text, html=html, now=now)


def render_mail(user: User, url: str, *, settings: LinkSettings, renderer: Renderer) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the set-password e-mail, in every language of
    ``settings.languages``. The HTML part escapes the name the administrator typed."""
    subjects, texts, htmls = [], [], []
    for lang in settings.languages:
        with renderer.language(lang):
            context = {
                "lang": lang,
                "name": user.name,
                "email": user.email,
                "role": user.role.value,
                "url": url,
                "new_account": not passwords.is_usable(user.password_hash),
                **valid_until(renderer, user.set_password_expires_at),
                "two_factor": settings.admin_two_factor and user.role is Role.ADMIN,
            }
            subjects.append(renderer.gettext("Choose your password for Second Opinion"))
            texts.append(renderer.template("email/_set_password.txt", **context).strip())
            htmls.append((lang, Markup(renderer.template("email/_set_password.html", **context))))
    text = renderer.template("email/set_password.txt", sections=texts)
    html = renderer.template("email/set_password.html", sections=htmls, lang=settings.languages[0])
    # Plain text wrapped like the invitations (a link is never broken).
    return " / ".join(dict.fromkeys(subjects)), tidy_text(text), html


def open_link(session: Session, token: str, *, now: datetime, settings: LinkSettings) -> tuple[User, str]:
    """The user and nonce of a link, or a typed error: ``TokenInvalid`` (forged, damaged,
    unknown or deactivated user), ``TokenExpired`` (past its end), ``LinkReplaced`` (a
    newer link was sent) or ``TokenUsed`` (the password has been chosen with it)."""
    user_id, nonce = read_set_password_token(settings.secret_key, token, settings.max_age_seconds)
    return user_for_link(session, user_id, nonce, now=now), nonce


def user_for_link(session: Session, user_id: int | None, nonce: str | None, *, now: datetime) -> User:
    """The user whose live link has this nonce, else the typed error of :func:`open_link`."""
    user = session.get(User, user_id) if isinstance(user_id, int) and isinstance(nonce, str) else None
    if user is None or not user.active:
        raise TokenInvalid("no such user")
    if user.set_password_nonce is None:
        raise TokenUsed("set-password link already used")
    if not secrets.compare_digest(user.set_password_nonce.encode(), nonce.encode()):
        raise LinkReplaced("a newer set-password link replaces this one")
    if user.set_password_expires_at is None or now > user.set_password_expires_at:
        raise TokenExpired("set-password link expired")
    return user


def set_password(session: Session, user: User, *, nonce: str, password: str, now: datetime) -> None:
    """Store the password chosen through the link with ``nonce`` and use the link up.

    Raises ``UserError`` (``portal.services.users``) when the password policy refuses it
    (nothing changes), or the link's typed error. Every session of the user ends
    (``session_version``). One conditional update, so a link works once even when it is
    submitted twice at the same moment.
    """
    check_password(password, user.email)
    done = session.execute(
        sa.update(User)
        .where(User.id == user.id, User.active.is_(True), User.set_password_nonce == nonce,
               User.set_password_expires_at >= now)
        .values(password_hash=passwords.hash_password(password), set_password_nonce=None,
                set_password_expires_at=None, session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.refresh(user)
    if done != 1:
        user_for_link(session, user.id, nonce, now=now)  # raises the reason
        raise TokenUsed("set-password link already used")


def link_state(user: User, now: datetime) -> str | None:
    """What the users list says about a user's password: ``invited`` (no password yet,
    live link), ``invitation_expired``, ``no_password`` (no password and no link, e.g.
    after a deactivation), ``link_sent`` (has a password and a live new link) or None."""
    usable = passwords.is_usable(user.password_hash)
    live = (user.set_password_nonce is not None and user.set_password_expires_at is not None
            and now <= user.set_password_expires_at)
    if not usable:
        if live:
            return "invited"
        return "invitation_expired" if user.set_password_nonce is not None else "no_password"
    return "link_sent" if live else None
