"""Importing candidates from a CSV file: reading the file into rows, each with its own
problems, checking them again against the assignment, and creating the valid ones.

Files come from spreadsheets (Swedish Excel in particular), so the reader accepts their
encodings and separators; see :func:`parse_candidates_csv`. Services take a session and
plain values and only flush; the request commits.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from ..models import Assignment, Candidate, Invitation
from . import audit
from .candidate_admin import (
    MAX_EXTRA_TIME_PCT,
    MAX_NAME_LENGTH,
    CandidateAdminError,
    assignment_emails,
    check_candidate,
    clean_email,
    clean_name,
    create_candidate,
    email_key,
    valid_email,
)
from .invitations import InvitationSettings

#: Most data rows one CSV import may hold.
MAX_IMPORT_ROWS = 500
#: Largest CSV file accepted, in bytes.
MAX_IMPORT_BYTES = 1024 * 1024


class CsvError(CandidateAdminError):
    """The file as a whole cannot be read (no row-level preview possible)."""


class ImportHasErrors(CandidateAdminError):
    """Rows with errors and no confirmation to import only the valid ones."""


#: Header names (compared after ``_header_key``) -> column.
HEADER_NAMES = {
    "name": "name", "namn": "name", "fullname": "name", "fulltnamn": "name",
    "email": "email", "epost": "email", "mail": "email", "emailaddress": "email",
    "epostadress": "email", "mailadress": "email",
    "language": "language", "språk": "language", "lang": "language", "sprak": "language",
    "extratime": "extra_time", "extratid": "extra_time",
}
LANGUAGE_NAMES = {
    "sv": "sv", "svenska": "sv", "swedish": "sv", "se": "sv",
    "en": "en", "engelska": "en", "english": "en",
}


@dataclass
class CsvRow:
    """One data row of an import file; ``line`` is its line number in the file."""

    line: int
    name: str
    email: str
    language: str
    extra_time_pct: int | None
    #: Problem codes: missing_name, name_too_long, missing_email, invalid_email,
    #: unknown_language, invalid_extra_time, extra_fields, duplicate_email,
    #: already_invited.
    errors: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")  # Excel's "Unicode text"
        except UnicodeDecodeError:
            raise CsvError("encoding", "file") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Swedish Windows saves "CSV (semikolonavgränsad)" in Windows-1252.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise CsvError("encoding", "file") from None


def _header_key(value: str) -> str:
    value = value.strip().lower().replace("(%)", "").replace("%", "")
    return re.sub(r"[\s_\-.]+", "", value)


def _delimiter(first_line: str) -> str:
    # Swedish Excel writes ';' (the comma is the decimal separator); tabs come from
    # copy-paste. The header has no quoted separators, so counting is reliable.
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _extra_time(value: str) -> int | None:
    value = value.strip().replace("%", "").replace(" ", "").lstrip("+")
    if not value:
        return 0
    if not value.isdigit():
        return None
    number = int(value)
    return number if 0 <= number <= MAX_EXTRA_TIME_PCT else None


def parse_candidates_csv(data: bytes, *, default_language: str,
                         existing_emails: set[str] | frozenset[str] = frozenset()) -> list[CsvRow]:
    """Read an import file into rows, each with its own list of problems.

    The file is UTF-8 (with or without BOM), UTF-16 with BOM or Windows-1252, separated
    by ``,``, ``;`` or tabs (taken from the header line). The header row is required:
    ``name``/``namn`` and ``email``/``e-post``, optionally ``language``/``språk`` (sv, en)
    and ``extra_time``/``extra tid`` (0-300, percent). Blank lines are skipped.
    ``existing_emails`` (see ``assignment_emails``) marks rows already in the assignment.
    Raises ``CsvError`` when the file as a whole is unusable: ``too_large``,
    ``encoding``, ``empty``, ``missing_columns`` (params ``columns``), ``too_many_rows``.
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise CsvError("too_large", "file", limit=MAX_IMPORT_BYTES)
    text = _decode(data)
    if "\x00" in text:
        raise CsvError("encoding", "file")
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise CsvError("empty", "file")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    header: list[str] | None = None
    columns: dict[str, int] = {}
    rows: list[CsvRow] = []
    seen: dict[str, int] = {}
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = record
                for index, cell in enumerate(record):
                    column = HEADER_NAMES.get(_header_key(cell))
                    if column and column not in columns:
                        columns[column] = index
                missing = [c for c in ("name", "email") if c not in columns]
                if missing:
                    raise CsvError("missing_columns", "file", columns=missing)
                continue
            if len(rows) >= MAX_IMPORT_ROWS:
                raise CsvError("too_many_rows", "file", limit=MAX_IMPORT_ROWS)
            rows.append(_row(reader.line_num, record, header, columns, default_language,
                             seen, existing_emails))
    except csv.Error:
        raise CsvError("encoding", "file") from None
    if not rows:
        raise CsvError("empty", "file")
    return rows


def _row(line: int, record: list[str], header: list[str], columns: dict[str, int],
         default_language: str, seen: dict[str, int], existing: set[str] | frozenset[str]) -> CsvRow:
    def cell(column: str) -> str:
        index = columns.get(column)
        return record[index] if index is not None and index < len(record) else ""

    errors: list[str] = []
    name, email = clean_name(cell("name")), clean_email(cell("email"))
    if not name:
        errors.append("missing_name")
    elif len(name) > MAX_NAME_LENGTH:
        errors.append("name_too_long")
    if not email:
        errors.append("missing_email")
    elif not valid_email(email):
        errors.append("invalid_email")
    raw_language = cell("language").strip().lower()
    language = LANGUAGE_NAMES.get(raw_language) if raw_language else default_language
    if language is None:
        errors.append("unknown_language")
        language = raw_language[:20]
    extra = _extra_time(cell("extra_time"))
    if extra is None:
        errors.append("invalid_extra_time")
    if len(record) > len(header) and any(c.strip() for c in record[len(header):]):
        # Typically an unquoted separator inside a name ("Öberg, Åsa"): the columns
        # after it are shifted, so nothing in the row can be trusted (or reported).
        errors = ["extra_fields"]
    if email and valid_email(email) and errors != ["extra_fields"]:
        key = email_key(email)
        if key in existing:
            errors.append("already_invited")
        elif key in seen:
            errors.append("duplicate_email")
        else:
            seen[key] = line
    return CsvRow(line=line, name=name, email=email, language=language, extra_time_pct=extra,
                  errors=errors)


def recheck_rows(session: Session, assignment: Assignment, rows: list[CsvRow]) -> list[CsvRow]:
    """Rows as they stand now: a row whose address was added to the assignment since the
    preview gets ``already_invited``; the other checks are repeated as well."""
    existing = assignment_emails(session, assignment)
    seen: set[str] = set()
    checked = []
    for row in rows:
        errors = list(row.errors)
        try:
            check_candidate(row.name, row.email, row.language, row.extra_time_pct
                             if row.extra_time_pct is not None else -1)
        except CandidateAdminError as exc:
            if not errors:
                errors.append(exc.code)
        key = email_key(row.email)
        if not errors and key in existing:
            errors.append("already_invited")
        if not errors and key in seen:
            errors.append("duplicate_email")
        seen.add(key)
        checked.append(CsvRow(row.line, row.name, row.email, row.language, row.extra_time_pct,
                              errors))
    return checked


def import_candidates(session: Session, assignment: Assignment, rows: list[CsvRow], *,
                      confirm_valid_only: bool, user_id: int | None, now: datetime,
                      settings: InvitationSettings) -> list[tuple[Candidate, Invitation]]:
    """Create a candidate and an invitation for each valid row (after ``recheck_rows``).

    If any row has errors nothing is created (``ImportHasErrors``, param ``count``)
    unless ``confirm_valid_only``: then the valid rows are imported and the others left
    out. Returns (candidate, invitation) pairs in row order.
    """
    rows = recheck_rows(session, assignment, rows)
    bad = [r for r in rows if r.errors]
    if bad and not confirm_valid_only:
        raise ImportHasErrors("rows_with_errors", "file", count=len(bad))
    created = [
        create_candidate(session, assignment, name=r.name, email=r.email, language=r.language,
                         extra_time_pct=r.extra_time_pct or 0, user_id=user_id, now=now,
                         settings=settings, source="csv")
        for r in rows if not r.errors
    ]
    audit.record(session, user_id=user_id, action="import", object_type="assignment",
                 object_id=assignment.id,
                 detail={"created": len(created), "skipped": len(bad)}, now=now)
    return created
