"""Single sign-on: who an identity from a provider is here, and the rules for new accounts.

An identity (the verified claims of an ID token) finds its account in this order:

1. its link (provider + ``sub``): the account it signed in to before, even if the e-mail
   address at the provider has changed since;
2. else a *verified* e-mail address: an existing account with that address is linked to
   the identity, unless the account is already linked to another identity at the same
   provider (then an e-mail change at the provider could take over someone's account);
3. else a new account, with the role an administrator's rule gives: a group rule (the
   provider's groups claim) before a domain rule (the e-mail address's domain). No rule:
   no account. Rules that disagree: no account either, until an administrator fixes them.

Existing accounts keep their role (changed on the Users page); rules only shape new ones.
Deactivated accounts are refused whichever way they are found.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Client, Role, SsoLink, SsoRule, SsoRuleKind, User
from .paging import Page, page_number
from .users import UserError, create_user

DOMAIN_RE = re.compile(r"^(?=.{3,200}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class SsoRefused(Exception):
    """The identity may not sign in; ``reason`` names why (a page says it in words)."""

    def __init__(self, reason: str, user_id: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.user_id = user_id


class RuleError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Identity:
    provider: str
    subject: str
    email: str | None
    email_verified: bool
    name: str = ""
    groups: tuple[str, ...] = field(default=())
    #: The provider says it used more than one factor (``amr`` contains ``mfa``, RFC 8176).
    mfa: bool = False


def identity_from_claims(provider: str, claims: dict, *, groups_claim: str | None = None,
                         email_verified_claim: str = "email_verified") -> Identity:
    """The parts of verified ID token claims that sign-in uses. Only a JSON ``true`` (or the
    string "true", which some providers send) counts as verified."""
    verified = claims.get(email_verified_claim)
    groups: tuple[str, ...] = ()
    if groups_claim:
        raw = claims.get(groups_claim)
        if isinstance(raw, str):
            raw = [raw]
        if isinstance(raw, list):
            groups = tuple(str(g) for g in raw if isinstance(g, (str, int)))
    amr = claims.get("amr")
    email = claims.get("email")
    return Identity(
        provider=provider,
        subject=str(claims["sub"]),
        email=email.strip().lower() if isinstance(email, str) and email.strip() else None,
        email_verified=verified is True or (isinstance(verified, str) and verified.lower() == "true"),
        name=str(claims.get("name") or "")[:200],
        groups=groups,
        mfa=isinstance(amr, list) and "mfa" in amr,
    )


@dataclass(frozen=True)
class SignIn:
    user: User
    created: bool
    rule: SsoRule | None = None


def sign_in(session: Session, identity: Identity, *, now: datetime) -> SignIn:
    """The account this identity signs in to, found, linked or created (see the module
    docstring); raises :class:`SsoRefused`. Only flushes."""
    link = session.scalar(sa.select(SsoLink).where(SsoLink.provider == identity.provider,
                                                   SsoLink.subject == identity.subject))
    if link is not None:
        if not link.user.active:
            raise SsoRefused("deactivated", link.user_id)
        link.last_login_at = now
        session.flush()
        return SignIn(link.user, created=False)
    if identity.email is None:
        raise SsoRefused("no_email")
    if not identity.email_verified:
        raise SsoRefused("email_unverified")
    user = session.scalar(sa.select(User).where(User.email == identity.email))
    if user is not None:
        if not user.active:
            raise SsoRefused("deactivated", user.id)
        other = session.scalar(sa.select(SsoLink).where(SsoLink.user_id == user.id,
                                                        SsoLink.provider == identity.provider))
        if other is not None:  # linked to a different sub: not the same person, or a recycled address
            raise SsoRefused("linked_elsewhere", user.id)
        session.add(SsoLink(user_id=user.id, provider=identity.provider, subject=identity.subject,
                            created_at=now, last_login_at=now))
        session.flush()
        return SignIn(user, created=False)
    rule = matching_rule(session, identity)
    try:
        user = create_user(session, email=identity.email, role=rule.role, name=identity.name,
                           client_id=rule.client_id)
    except UserError as exc:
        raise SsoRefused("no_email" if exc.code == "invalid_email" else "no_rule") from exc
    session.add(SsoLink(user_id=user.id, provider=identity.provider, subject=identity.subject,
                        created_at=now, last_login_at=now))
    session.flush()
    return SignIn(user, created=True, rule=rule)


def matching_rule(session: Session, identity: Identity) -> SsoRule:
    """The rule that gives a new account its role: group rules first, then domain rules."""
    domain = identity.email.rpartition("@")[2] if identity.email else ""
    rules = session.scalars(sa.select(SsoRule).where(
        sa.or_(SsoRule.provider.is_(None), SsoRule.provider == identity.provider)).order_by(SsoRule.id)).all()
    by_group = [r for r in rules if r.kind is SsoRuleKind.GROUP and r.value in identity.groups]
    by_domain = [r for r in rules if r.kind is SsoRuleKind.DOMAIN and r.value == domain]
    found = by_group or by_domain
    if not found:
        raise SsoRefused("no_rule")
    if len({(r.role, r.client_id) for r in found}) > 1:
        raise SsoRefused("conflicting_rules")
    return found[0]


def list_rules(session: Session) -> list[SsoRule]:
    return list(session.scalars(sa.select(SsoRule).order_by(SsoRule.kind, SsoRule.value, SsoRule.id)))


def add_rule(session: Session, *, kind: SsoRuleKind, value: str, provider: str | None, role: Role,
             client_id: int | None, created_by_id: int | None, now: datetime) -> SsoRule:
    """A new rule; :class:`RuleError` with a code for bad input (nothing is created).

    Administrator accounts come only from a group rule: a whole e-mail domain is too wide
    a door to administration."""
    value = (value or "").strip()
    if kind is SsoRuleKind.DOMAIN:
        value = value.lower().removeprefix("@")
        if not DOMAIN_RE.match(value):
            raise RuleError("invalid_domain")
        if role is Role.ADMIN:
            raise RuleError("admin_by_domain")
    elif not value or len(value) > 200:
        raise RuleError("invalid_group")
    if role is Role.CLIENT:
        if client_id is None or session.get(Client, client_id) is None:
            raise RuleError("client_required")
    elif client_id is not None:
        raise RuleError("client_not_allowed")
    duplicate = session.scalar(sa.select(SsoRule.id).where(
        SsoRule.kind == kind, SsoRule.value == value,
        SsoRule.provider.is_(None) if provider is None else SsoRule.provider == provider))
    if duplicate is not None:
        raise RuleError("exists")
    rule = SsoRule(kind=kind, value=value, provider=provider, role=role, client_id=client_id,
                   created_by_id=created_by_id, created_at=now)
    session.add(rule)
    session.flush()
    return rule


def remove_rule(session: Session, rule_id: int) -> SsoRule | None:
    rule = session.get(SsoRule, rule_id)
    if rule is not None:
        session.delete(rule)
        session.flush()
    return rule


#: Linked accounts per page on the administrator's page.
LINKS_PER_PAGE = 50


def links_page(session: Session, page_value) -> tuple[Page, list[tuple[SsoLink, str]]]:
    """One page of account links, newest sign-in first, with each account's e-mail address
    (two queries whatever the number of links)."""
    total = session.scalar(sa.select(sa.func.count()).select_from(SsoLink)) or 0
    number = page_number(page_value, total, LINKS_PER_PAGE)
    rows = session.execute(
        sa.select(SsoLink, User.email).join(User, User.id == SsoLink.user_id)
        .order_by(SsoLink.last_login_at.desc().nulls_last(), SsoLink.id.desc())
        .limit(LINKS_PER_PAGE).offset((number - 1) * LINKS_PER_PAGE)).all()
    return Page(number=number, per_page=LINKS_PER_PAGE, total=total,
                ids=tuple(link.id for link, _ in rows)), [(link, email) for link, email in rows]


def remove_link(session: Session, link_id: int) -> SsoLink | None:
    """Unlink an account from its identity at a provider (e.g. the person got a new one
    there): the next sign-in matches by verified e-mail address again."""
    link = session.get(SsoLink, link_id)
    if link is not None:
        session.delete(link)
        session.flush()
    return link
