"""Earlier shipped versions of the logic bank (``data/archive``).

An attempt is stamped with the bank version it was given (``bank_id``/``bank_version``), and
resuming, scoring and regenerating it load that version. A release that replaces the shipped
file ``data/logic_bank.json`` with a new version keeps the one it replaces here: its exact
document (gzipped, checked against the SHA-256 in ``index.json``) and its exposure-control
parameters, so attempts stamped with it load, and continue, as they were given, also on a
database that never stored that version.
"""
from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import json
from pathlib import Path

from .loader import DATA_DIR, LogicBank, parse_logic_bank
from .schema import BankError

ARCHIVE_DIR = DATA_DIR / "archive"
ARCHIVE_FORMAT = "second-opinion/bank-archive"


@functools.cache
def _index() -> dict[tuple[str, str], dict]:
    path = ARCHIVE_DIR / "index.json"
    if not path.exists():
        return {}
    doc = json.loads(path.read_text(encoding="utf-8"))
    if doc.get("format") != ARCHIVE_FORMAT or doc.get("format_version") != 1:
        raise BankError([f"{path.name}: not a bank archive index (format {doc.get('format')!r})"])
    return {(entry["bank_id"], entry["version"]): entry for entry in doc["versions"]}


def archived_versions(bank_id: str) -> list[str]:
    """The versions of ``bank_id`` kept in the archive."""
    return [version for (bid, version) in _index() if bid == bank_id]


def document_text(bank_id: str, version: str) -> str | None:
    """The exact JSON text of an archived version; None if it is not archived. Raises
    BankError when the file does not match the SHA-256 the index records."""
    entry = _index().get((bank_id, version))
    if entry is None:
        return None
    text = gzip.decompress((ARCHIVE_DIR / entry["document"]).read_bytes()).decode("utf-8")
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != entry["sha256"]:
        raise BankError([f"archived bank {bank_id} {version}: {entry['document']} does not match its SHA-256"])
    return text


@functools.cache
def load_archived(bank_id: str, version: str) -> LogicBank | None:
    """An archived version, validated as it was shipped and with its exposure-control
    parameters; None if it is not archived (cached: archived versions never change)."""
    text = document_text(bank_id, version)
    if text is None:
        return None
    entry = _index()[(bank_id, version)]
    bank = parse_logic_bank(text, Path("<archive>") / f"{bank_id}-{version}-{entry['sha256'][:16]}.json")
    if (bank.bank_id, bank.version) != (bank_id, version):
        raise BankError([f"archived bank {bank_id} {version}: the document says {bank.bank_id} {bank.version}"])
    exposure = entry.get("exposure")
    if exposure:
        bank = dataclasses.replace(bank, exposure=json.loads((ARCHIVE_DIR / exposure).read_text(encoding="utf-8")))
    return bank
