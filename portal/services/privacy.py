"""What we hold about one candidate, in one zip: for an access request (GDPR art. 15) and
for the candidate's own download.

``export_candidate`` collects every row that belongs to the candidate, found from the
schema itself (every table with a ``candidate_id`` column, and every table with an
``attempt_id`` column for the candidate's attempts), so a table added later is exported
without a change here. ``data.json`` holds every column of those rows except secrets
(link nonces, hashes) and file contents; the released reports (PDF) and the
background-check attachments are files beside it.

Two scopes:

* ``full`` (a consultant answering an access request): everything, including interview
  notes, references and the consultant's judgement, except the candidate's voluntary
  equality answers, which nobody but the candidate sees per candidate;
* ``self`` (the candidate, through their link): their own record, invitations, answers,
  results, released feedback reports, their reply and their equality answers. Interview
  notes, references (which hold other people's data) and internal assessments are handed
  over by the consultancy on request, after review, with the ``full`` export.

Services read only; the views audit the export (ids, no personal data).
"""
from __future__ import annotations

import enum
import hashlib
import io
import json
import secrets
import zipfile
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import (
    Attempt, BackgroundCheck, Base, Candidate, CandidateComment, EqualityResponse, FinishReason, InterviewRating,
    Invitation,
    OutboxMessage, ReferenceCheck, Report, ReportKind, Synthesis, VerificationOrder, VerificationStatus,
)
from ..pdf import render_pdf
from . import audit, checks, integrity
from .reports import DRAFTS

FORMAT = "second-opinion/candidate-export"
FORMAT_VERSION = 1
#: Never exported: secrets and file contents (files are exported as files).
SECRET_COLUMNS = frozenset({"nonce", "password_hash", "totp_secret", "recovery_codes", "token", "pdf", "html",
                            "attachment_path", "code_hash", "code_ref", "session_nonce"})
#: Tables the candidate's own download leaves out (see the module docstring).
NOT_IN_SELF = frozenset({"interview_rating", "reference_check", "background_check", "synthesis", "first_opinion",
                         "outbox_message"})
#: Tables the consultant's export leaves out: the candidate's voluntary equality answers
#: are never shown per candidate to anyone but the candidate (``services.equality``); the
#: candidate's own download has them.
NOT_IN_FULL = frozenset({"equality_response"})


def _value(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return None
    return value


def _rows(session: Session, table: sa.Table, column: str, ids: list[int]) -> list[dict]:
    if not ids:
        return []
    keep = [c for c in table.columns if c.name not in SECRET_COLUMNS]
    result = session.execute(sa.select(*keep).where(table.c[column].in_(ids)).order_by(table.c.id))
    return [{k: _value(v) for k, v in row._mapping.items()} for row in result]


def collect(session: Session, candidate: Candidate, *, scope: str = "full") -> dict:
    """Every row that belongs to ``candidate``, by table (see the module docstring)."""
    if scope not in ("full", "self"):
        raise ValueError(f"scope must be 'full' or 'self', not {scope!r}")
    attempt_ids = list(session.scalars(sa.select(Attempt.id).where(Attempt.candidate_id == candidate.id)))
    tables: dict[str, list[dict]] = {"candidate": _rows(session, Candidate.__table__, "id", [candidate.id])}
    for table in Base.metadata.sorted_tables:
        if table.name in (NOT_IN_SELF if scope == "self" else NOT_IN_FULL):
            continue
        if "candidate_id" in table.c:
            rows = _rows(session, table, "candidate_id", [candidate.id])
            if table.name == "report" and scope == "self":
                rows = [r for r in rows if r["kind"] == ReportKind.CANDIDATE.value]
            tables[table.name] = rows
        elif "attempt_id" in table.c:
            tables[table.name] = _rows(session, table, "attempt_id", attempt_ids)
    assignment = candidate.assignment
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION, "scope": scope,
        "assignment": {"id": assignment.id, "title": assignment.title, "client": assignment.client.name},
        "tables": tables,
    }


def export_candidate(session: Session, candidate: Candidate, *, storage_dir: Path, now: datetime,
                     scope: str = "full") -> bytes:
    """The zip: ``data.json``, ``reports/<kind>-v<version>.pdf`` and, in the full scope,
    ``attachments/<download name>``."""
    data = collect(session, candidate, scope=scope)
    data["exported_at"] = now.isoformat()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True))
        query = sa.select(Report).where(Report.candidate_id == candidate.id).order_by(Report.kind, Report.version)
        if scope == "self":
            query = query.where(Report.kind == ReportKind.CANDIDATE)
        for report in session.scalars(query):
            archive.writestr(f"reports/{report.kind.value}-v{report.version}.pdf", report.pdf)
        if scope == "full":
            for check in session.scalars(sa.select(BackgroundCheck).where(
                    BackgroundCheck.candidate_id == candidate.id, BackgroundCheck.attachment_path.is_not(None))):
                try:
                    content, name = checks.read_attachment(check, storage_dir)
                except checks.CheckError:
                    continue  # the file is gone; data.json still lists the check
                archive.writestr(f"attachments/{name}", content)
    return buffer.getvalue()


class ErasureError(ValueError):
    """``confirmation`` (the typed name does not match) or ``already_erased``."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def erased_name(candidate: Candidate) -> str:
    return f"#{candidate.id}"


def erased_email(candidate_id: int) -> str:
    """The address an erased candidate is left with (never deliverable: ``.invalid``)."""
    return f"erased-{candidate_id}@invalid"


def _tombstone_html(now: datetime, reason: str) -> str:
    day = now.date().isoformat()
    if reason == "retention":
        sv = f"Rapporten raderades {day} när lagringstiden hade löpt ut."
        en = f"The report was erased on {day} when its retention period had ended."
    else:
        sv = f"Rapporten raderades {day} på kandidatens begäran."
        en = f"The report was erased on {day} at the candidate's request."
    return ("<!doctype html><html><head><meta charset=\"utf-8\"><title>Erased / Raderad</title></head>"
            f"<body class=\"document\"><h1>Raderad / Erased</h1><p>{sv}</p><p>{en}</p></body></html>")


def remove_contact(session: Session, candidate: Candidate, *, now: datetime) -> dict[str, int]:
    """Remove what is needed only to reach the candidate: the e-mail address, every
    invitation link (revoked, its secret replaced) and every e-mail to them. The name,
    answers, results and reports stay. Used by the retention rule for candidates who were
    not hired, and as the first step of an erasure."""
    invitations = session.scalars(sa.select(Invitation).where(Invitation.candidate_id == candidate.id)).all()
    for invitation in invitations:
        invitation.nonce = secrets.token_urlsafe(32)
        invitation.revoked_at = invitation.revoked_at or now
    counts = {"invitations": len(invitations)}
    counts["outbox"] = session.execute(sa.delete(OutboxMessage).where(
        OutboxMessage.candidate_id == candidate.id)).rowcount
    candidate.email = erased_email(candidate.id)
    session.flush()
    return counts


def delete_attachment_files(session: Session, candidate_ids: list[int], *, storage_dir: Path) -> int:
    """Delete the background-check attachment files of these candidates (the checks and
    their notes stay); returns how many files were removed."""
    files = 0
    for check in session.scalars(sa.select(BackgroundCheck).where(
            BackgroundCheck.candidate_id.in_(candidate_ids), BackgroundCheck.attachment_path.is_not(None))):
        try:
            checks._stored_file(storage_dir, check.attachment_path).unlink(missing_ok=True)
            files += 1
        except checks.CheckError:
            pass  # a path outside the folder was never ours to delete
        check.attachment_path = check.attachment_name = None
    session.flush()
    return files


def _settle_person_key(session: Session, candidate: Candidate) -> int:
    """Before the person key goes: mark each of the candidate's finished attempts that the
    same person (same key) also completed in another candidacy as ``norm_duplicate``, so
    the norm builder still counts the person once; then clear the key. The mark says only
    "this person is counted elsewhere", not where. Returns how many attempts were marked."""
    key = candidate.person_key
    candidate.person_key = None
    if not key:
        return 0
    other = sa.select(Attempt.kind).join(Candidate, Attempt.candidate_id == Candidate.id).where(
        Candidate.person_key == key, Candidate.id != candidate.id, Attempt.finished_at.is_not(None),
        Attempt.superseded_at.is_(None), Attempt.finish_reason == FinishReason.COMPLETED)
    kinds = set(session.scalars(other))
    if not kinds:
        return 0
    return session.execute(sa.update(Attempt).where(
        Attempt.candidate_id == candidate.id, Attempt.kind.in_(kinds), Attempt.finished_at.is_not(None),
    ).values(norm_duplicate=True)).rowcount


def erase_candidate(session: Session, candidate: Candidate, *, confirmation: str, storage_dir: Path,
                    user_id: int, now: datetime) -> dict[str, int]:
    """Erase the candidate's personal data at their request (GDPR art. 17), keeping the
    anonymous answers and results for norms and item statistics.

    ``confirmation`` must be the candidate's name exactly as stored (typed by the
    consultant). What is erased is listed in ``erase``. Idempotent: a second call raises
    ``already_erased``.
    """
    if candidate.erased_at is not None:
        raise ErasureError("already_erased")
    if (confirmation or "").strip() != candidate.name.strip():
        raise ErasureError("confirmation")
    return erase(session, candidate, storage_dir=storage_dir, user_id=user_id, now=now, reason="request")


def erase(session: Session, candidate: Candidate, *, storage_dir: Path, user_id: int | None, now: datetime,
          reason: str) -> dict[str, int]:
    """Erase a candidate's personal data; ``reason`` is ``request`` (a consultant, after a
    typed confirmation) or ``retention`` (the purge, ``user_id`` None).

    Erased: the name (replaced by ``#<id>``) and e-mail address (``erased-<id>@invalid``);
    every invitation is revoked and its link secret replaced, so no link works again; the
    person key of the norm builder (after marking attempts the person also completed
    elsewhere as duplicates, ``_settle_person_key``);
    interview notes, the judgement's texts, the candidate's reply, references, the
    integrity signals of the attempts and their browser marks (``integrity.erase``),
    background-check notes, sources and attachment files, and every e-mail to the
    candidate. Released reports are deleted and each kind replaced by a tombstone version
    saying when and why it was erased (released in the name of whoever released the last
    version, when the purge does it). Returns the counts (also in the audit record, which
    holds no personal data).
    """
    if candidate.erased_at is not None:
        raise ErasureError("already_erased")
    counts = remove_contact(session, candidate, now=now)
    counts["interview_notes"] = session.execute(sa.update(InterviewRating).where(
        InterviewRating.candidate_id == candidate.id).values(notes="")).rowcount
    counts["references"] = session.execute(sa.delete(ReferenceCheck).where(
        ReferenceCheck.candidate_id == candidate.id)).rowcount
    counts["comments"] = session.execute(sa.delete(CandidateComment).where(
        CandidateComment.candidate_id == candidate.id)).rowcount
    counts["syntheses"] = session.execute(sa.update(Synthesis).where(Synthesis.candidate_id == candidate.id)
                                          .values(judgement="", strengths="", risks="")).rowcount
    counts["attachments"] = delete_attachment_files(session, [candidate.id], storage_dir=storage_dir)
    # An open verification test stops: its code and any session redeemed with it no longer work.
    session.execute(sa.update(VerificationOrder).where(
        VerificationOrder.candidate_id == candidate.id, VerificationOrder.status == VerificationStatus.OPEN)
        .values(status=VerificationStatus.CANCELLED, cancelled_at=now, code_hash=None, session_nonce=None))
    # Behaviour during the test (time away, reloads, browser marks): not kept with the
    # anonymous answers, which the norms and calibration need without them.
    counts["integrity_signals"] = integrity.erase(session, candidate.id)
    if reason == "request":
        # Given voluntarily, for aggregate analyses only: gone with the person's request
        # (not counted: whether someone answered is theirs too). The retention purge keeps
        # them with the anonymous results (services.equality).
        session.execute(sa.delete(EqualityResponse).where(EqualityResponse.candidate_id == candidate.id))
    session.execute(sa.update(BackgroundCheck).where(BackgroundCheck.candidate_id == candidate.id)
                    .values(note="", source=""))
    released = session.scalars(sa.select(Report).where(Report.candidate_id == candidate.id)).all()
    counts["reports"] = len(released)
    latest: dict[ReportKind, Report] = {}
    for report in released:
        if report.kind not in latest or report.version > latest[report.kind].version:
            latest[report.kind] = report
    tombstones = [(kind, report.version, user_id or report.released_by_id) for kind, report in latest.items()]
    session.execute(sa.delete(Report).where(Report.candidate_id == candidate.id))
    for kind, version, released_by in tombstones:
        html = _tombstone_html(now, reason)
        pdf = render_pdf(html)
        session.add(Report(candidate_id=candidate.id, kind=kind, version=version + 1, language="sv",
                           content={"erased": True, "kind": kind.value, "language": "sv", "reason": reason,
                                    "erased_on": now.date().isoformat()},
                           stamp={"erased": True}, html=html, pdf=pdf,
                           pdf_sha256=hashlib.sha256(pdf).hexdigest(), released_by_id=released_by,
                           released_at=now))
    counts["norm_duplicates"] = _settle_person_key(session, candidate)
    candidate.name = erased_name(candidate)
    candidate.erased_at = now
    DRAFTS.forget(candidate.id)  # no rendered draft with the name stays in this worker
    session.flush()
    audit.record(session, user_id=user_id, action="erase", object_type="candidate", object_id=candidate.id,
                 detail={**counts, "reason": reason}, now=now)
    return counts
