"""Revoking and re-issuing a candidate's invitation links, as the consultant (or the
API) does. The candidate, their stage and their answers stay as they are. Services take
a session and plain values and only flush; the request commits. Audit entries name
objects by id only.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import Candidate, Invitation
from . import audit, webhooks
from .invitations import InvitationSettings, issue_invitation, live_invitations


def revoke_invitation(session: Session, invitation: Invitation, *, user_id: int | None,
                      now: datetime, api_key_id: int | None = None) -> bool:
    """Stop the link working (410 on the link, a session opened with it ends too).
    False when it was revoked already; only the first revocation is audited."""
    changed = session.execute(
        sa.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    session.refresh(invitation)
    if changed:
        detail = {"candidate": invitation.candidate_id}
        if api_key_id is not None:
            detail["api_key"] = api_key_id
        audit.record(session, user_id=user_id, action="revoke", object_type="invitation",
                     object_id=invitation.id, detail=detail, now=now)
        webhooks.invitation_revoked(session, invitation.candidate_id, invitation.candidate.assignment_id,
                                    [invitation.id], now=now, reason="revoked")
    return changed


def reissue_invitation(session: Session, candidate: Candidate, *, user_id: int | None,
                       now: datetime, settings: InvitationSettings) -> Invitation:
    """Revoke every live link of the candidate and issue a new one (new nonce, new expiry).

    The candidate, their stage and their answers stay as they are: the new link resumes
    where they left off. The language is that of the newest earlier invitation.
    """
    revoked = [i.id for i in live_invitations(candidate)]
    if revoked:
        session.execute(
            sa.update(Invitation)
            .where(Invitation.candidate_id == candidate.id, Invitation.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session="fetch")
        )
    latest = max(candidate.invitations, key=lambda i: i.id, default=None)
    language = (latest.language if latest else None) or candidate.chosen_language \
        or candidate.assignment.language
    if revoked:
        webhooks.invitation_revoked(session, candidate.id, candidate.assignment_id, revoked, now=now,
                                    reason="reissued")
    invitation = issue_invitation(session, candidate, now=now, settings=settings, language=language)
    audit.record(session, user_id=user_id, action="reissue", object_type="invitation",
                 object_id=invitation.id, detail={"candidate": candidate.id, "revoked": revoked},
                 now=now)
    return invitation
