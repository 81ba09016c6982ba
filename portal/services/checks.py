"""Reference checks and the background-check checklist for a candidate.

References: a referee may be rated only once the candidate's consent to contact them is
recorded (``consent_at``); ratings use the competencies of the assignment's current
requirement profile on the 1-5 scale.

Background checks: one row per kind (:data:`DEFAULT_KINDS`), created lazily, each with a
status, a date, a source, a note and optionally one attachment (pdf/png/jpg, at most
5 MB). Attachments are stored under a random name in a private directory and are never
served directly; the original file name is kept only for the download header.

Services take plain values and ``now``, flush and never commit. Audit events carry ids
and codes, never personal data (no names, notes or file names).
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..models import BackgroundCheck, Candidate, ReferenceCheck
from ..models.evidence import CheckStatus
from . import audit
from .profiles import profile_keys  # noqa: F401  (re-exported: references rate profile competencies)

DEFAULT_KINDS = ("identity", "education", "employment", "registry")
LEVELS = (1, 5)
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
#: extension -> magic bytes the content must start with
ALLOWED_TYPES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}
MIMETYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}
MAX_TEXT = {"referee_name": 200, "relation": 200, "period": 100, "source": 300, "referee_email": 254,
            "referee_phone": 50}
#: A phone number as people write it: digits with spaces, dashes, dots, brackets, a
#: leading + and at least 6 digits in all.
_PHONE = re.compile(r"\+?[0-9 ().\-/]{6,50}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class CheckError(ValueError):
    """Input that cannot be saved.

    Codes: ``name_required``, ``too_long`` (``field`` says which), ``consent_required``,
    ``unknown_competency`` (``field`` is the key), ``level_range`` (``field`` is the key),
    ``no_profile``, ``bad_status``, ``empty_file``, ``too_large``, ``bad_type``,
    ``bad_content``, ``no_attachment``.
    """

    def __init__(self, code: str, message: str = "", *, field: str | None = None):
        self.code = code
        self.field = field
        super().__init__(message or code)


def _text(value, field: str) -> str:
    value = (value or "").strip()
    limit = MAX_TEXT.get(field)
    if limit is not None and len(value) > limit:
        raise CheckError("too_long", f"{field} longer than {limit}", field=field)
    return value


# -------------------------------------------------------------------------- references


def references(session: Session, candidate: Candidate) -> list[ReferenceCheck]:
    return list(session.scalars(sa.select(ReferenceCheck).where(ReferenceCheck.candidate_id == candidate.id)
                                .order_by(ReferenceCheck.id)))


def add_reference(session: Session, candidate: Candidate, *, referee_name: str, relation: str = "",
                  period: str = "", email: str = "", phone: str = "", consent: bool, user_id: int | None,
                  now: datetime) -> ReferenceCheck:
    """Record a referee, with how to reach them (e-mail, phone; both optional).
    ``consent``: the candidate agreed that the referee may be contacted; without it the
    reference is refused (``consent_required``)."""
    name = _text(referee_name, "referee_name")
    if not name:
        raise CheckError("name_required", "the referee's name is required", field="referee_name")
    relation, period = _text(relation, "relation"), _text(period, "period")
    email, phone = _text(email, "referee_email"), _text(phone, "referee_phone")
    if email and not _EMAIL.fullmatch(email):
        raise CheckError("bad_email", "not an e-mail address", field="referee_email")
    if phone and not (_PHONE.fullmatch(phone) and sum(ch.isdigit() for ch in phone) >= 6):
        raise CheckError("bad_phone", "not a phone number", field="referee_phone")
    if consent is not True:
        raise CheckError("consent_required", "the candidate's consent is required", field="consent")
    ref = ReferenceCheck(candidate_id=candidate.id, referee_name=name, relation=relation, period=period,
                         referee_email=email, referee_phone=phone, consent_at=now, ratings={}, summary="", created_by_id=user_id, created_at=now)
    session.add(ref)
    session.flush()
    audit.record(session, user_id=user_id, action="create", object_type="reference_check",
                 object_id=ref.id, detail={"candidate_id": candidate.id}, now=now)
    return ref


def save_reference_ratings(session: Session, reference: ReferenceCheck, *,
                           ratings: Mapping[str, tuple[int | None, str]], summary: str,
                           now: datetime, user_id: int | None = None) -> ReferenceCheck:
    """Replace the reference's ratings: ``{key: (level 1-5 or None, notes)}``. Keys must be
    competencies of the current requirement profile."""
    if reference.consent_at is None:
        raise CheckError("consent_required", "no consent recorded for this referee", field="consent")
    candidate = session.get(Candidate, reference.candidate_id)
    keys = profile_keys(session, candidate)
    if not keys and ratings:
        raise CheckError("no_profile", "the assignment has no requirement profile")
    stored: dict[str, dict] = {}
    for key, value in ratings.items():
        if key not in keys:
            raise CheckError("unknown_competency", f"{key} is not in the requirement profile", field=key)
        level, notes = value
        if level is not None and (isinstance(level, bool) or not isinstance(level, int)
                                  or not LEVELS[0] <= level <= LEVELS[1]):
            raise CheckError("level_range", f"{key}: level must be 1-5", field=key)
        notes = (notes or "").strip()
        if level is None and not notes:
            continue
        stored[key] = {"level": level, "notes": notes}
    reference.ratings = stored
    reference.summary = (summary or "").strip()
    session.flush()
    audit.record(session, user_id=user_id, action="rate", object_type="reference_check",
                 object_id=reference.id,
                 detail={"candidate_id": reference.candidate_id, "competencies": sorted(stored)}, now=now)
    return reference


# ------------------------------------------------------------------- background checks


def checklist(session: Session, candidate: Candidate) -> list[BackgroundCheck]:
    """The candidate's checklist in :data:`DEFAULT_KINDS` order, creating missing rows."""
    rows = {c.kind: c for c in session.scalars(
        sa.select(BackgroundCheck).where(BackgroundCheck.candidate_id == candidate.id))}
    missing = [kind for kind in DEFAULT_KINDS if kind not in rows]
    for kind in missing:
        rows[kind] = BackgroundCheck(candidate_id=candidate.id, kind=kind, status=CheckStatus.NOT_STARTED,
                                     source="", note="")
        session.add(rows[kind])
    if missing:
        session.flush()
    extra = sorted(k for k in rows if k not in DEFAULT_KINDS)
    return [rows[k] for k in (*DEFAULT_KINDS, *extra)]


def update_check(session: Session, check: BackgroundCheck, *, status: CheckStatus | str,
                 checked_on: date | None, source: str, note: str, now: datetime,
                 user_id: int | None = None) -> BackgroundCheck:
    try:
        status = CheckStatus(status)
    except ValueError:
        raise CheckError("bad_status", f"unknown status {status!r}", field="status") from None
    check.status = status
    check.checked_on = checked_on
    check.source = _text(source, "source")
    check.note = (note or "").strip()
    check.updated_at = now
    session.flush()
    audit.record(session, user_id=user_id, action="update", object_type="background_check",
                 object_id=check.id, detail={"candidate_id": check.candidate_id, "kind": check.kind,
                                             "status": status.value}, now=now)
    return check


def _extension(filename: str) -> str:
    name = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _safe_download_name(filename: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"\r\n').strip()
    return name[:200] or "attachment"


def check_attachment(filename: str, data: bytes) -> str:
    """The file's type (extension) if it may be attached; ``CheckError`` otherwise (empty,
    larger than :data:`MAX_ATTACHMENT_BYTES`, not PDF/PNG/JPG, content not of its type)."""
    if not data:
        raise CheckError("empty_file", "the file is empty", field="file")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise CheckError("too_large", "the file is larger than 5 MB", field="file")
    ext = _extension(filename)
    if ext not in ALLOWED_TYPES:
        raise CheckError("bad_type", "only pdf, png and jpg files are allowed", field="file")
    if not any(data.startswith(magic) for magic in ALLOWED_TYPES[ext]):
        raise CheckError("bad_content", "the content does not match the file type", field="file")
    return ext


def attach_file(session: Session, check: BackgroundCheck, *, filename: str, data: bytes,
                storage_dir: Path, now: datetime, user_id: int | None = None) -> BackgroundCheck:
    """Store ``data`` as the check's attachment (replacing an earlier one)."""
    ext = check_attachment(filename, data)
    storage_dir = Path(storage_dir)
    storage_dir.mkdir(parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.bin"
    (storage_dir / stored_name).write_bytes(data)
    old = check.attachment_path
    check.attachment_path = stored_name
    check.attachment_name = _safe_download_name(filename)
    check.updated_at = now
    session.flush()
    if old and old != stored_name:
        try:
            _stored_file(storage_dir, old).unlink(missing_ok=True)
        except (OSError, CheckError):
            pass
    audit.record(session, user_id=user_id, action="attach", object_type="background_check",
                 object_id=check.id, detail={"candidate_id": check.candidate_id, "kind": check.kind,
                                             "type": ext, "bytes": len(data)}, now=now)
    return check


def _stored_file(storage_dir: Path, stored_name: str) -> Path:
    path = (Path(storage_dir) / stored_name).resolve()
    if path.parent != Path(storage_dir).resolve():
        raise CheckError("no_attachment", "attachment path outside the storage directory")
    return path


def download_name(check: BackgroundCheck) -> str:
    """E.g. ``check-12-education.pdf``: ids and the check's kind, never the uploaded file
    name (which often carries the candidate's name); the extension is the file's own."""
    ext = _extension(check.attachment_name or "") or "bin"
    kind = "".join(ch for ch in check.kind if ch.isascii() and (ch.isalnum() or ch in "-_")) or "check"
    return f"check-{check.candidate_id}-{kind}.{ext}"


def read_attachment(check: BackgroundCheck, storage_dir: Path) -> tuple[bytes, str]:
    """(content, download name: :func:`download_name`). Raises ``no_attachment`` when there
    is none."""
    if not check.attachment_path:
        raise CheckError("no_attachment", "the check has no attachment")
    path = _stored_file(storage_dir, check.attachment_path)
    try:
        return path.read_bytes(), download_name(check)
    except FileNotFoundError:
        raise CheckError("no_attachment", "the attachment file is missing") from None


def record_download(session: Session, check: BackgroundCheck, *, user_id: int | None, now: datetime) -> None:
    audit.record(session, user_id=user_id, action="download", object_type="background_check",
                 object_id=check.id, detail={"candidate_id": check.candidate_id, "kind": check.kind}, now=now)


def mimetype_for(filename: str) -> str:
    return MIMETYPES.get(_extension(filename), "application/octet-stream")
