"""Shared set-up for the bank-version and pretest tests: derived versions of the shipped
bank, stored as the portal stores them, and simulated stored responses."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import numpy as np
import sqlalchemy as sa

from item_banks import load_logic_bank
from portal.models import Attempt, BankVersion, LogicResponse, TestKind
from portal.services import bank_versions


#: The shipped bank's version (item_banks/data/logic_bank.json).
SHIPPED_VERSION = load_logic_bank().version


def shipped_document() -> dict:
    return json.loads(load_logic_bank().path.read_text(encoding="utf-8"))


def derived(version: str, *, pretest=(), shift_b: float = 0.0) -> dict:
    """The shipped bank as another version: ``pretest`` items marked pretest, every b
    moved by ``shift_b`` (kept inside the format's range)."""
    doc = shipped_document()
    doc["version"] = version
    for item in doc["items"]:
        if item["id"] in pretest:
            item["pretest"] = True
        if shift_b and not item["practice"]:
            item["irt"]["b"] = round(min(4.0, max(-4.0, item["irt"]["b"] + shift_b)), 3)
    if shift_b:
        doc["irt"]["parameters"] = "calibrated"
    return doc


def store(session, doc: dict, *, parent: str | None = SHIPPED_VERSION, source: str = "calibrated") -> BankVersion:
    """Store ``doc`` as a bank version (as ``banks calibrate`` would)."""
    text = json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
    row = BankVersion(bank_id=doc["bank_id"], version=doc["version"], parent_version=parent, source=source,
                      document=text, sha256=bank_versions.sha256(text), diff=None)
    session.add(row)
    session.commit()
    return row


def insert_responses(session, candidate_id: int, bank_id: str, version: str, item_ids, responses, *,
                     answered_at, pretest=frozenset()) -> int:
    """One finished attempt per row of ``responses`` (P, I: 1/0/NaN over ``item_ids``), all
    of one candidate (attempt numbers 1..P), with their answers; returns the responses
    written. ``answered_at``: one time for every attempt, or a sequence of P times."""
    times = [answered_at] * responses.shape[0] if isinstance(answered_at, datetime) else list(answered_at)
    start = session.scalar(sa.select(sa.func.coalesce(sa.func.max(Attempt.number), 0))
                           .where(Attempt.candidate_id == candidate_id)) or 0
    attempts = [dict(candidate_id=candidate_id, kind=TestKind.LOGIC, number=start + p + 1, bank_id=bank_id,
                     bank_version=version, seed=p, item_ids=[], started_at=times[p] - timedelta(minutes=20),
                     finished_at=times[p]) for p in range(responses.shape[0])]
    session.execute(sa.insert(Attempt), attempts)
    ids = dict(session.execute(sa.select(Attempt.number, Attempt.id).where(Attempt.candidate_id == candidate_id)).all())
    rows = []
    for p in range(responses.shape[0]):
        given = np.flatnonzero(~np.isnan(responses[p]))
        for position, j in enumerate(given):
            rows.append(dict(attempt_id=ids[start + p + 1], item_id=item_ids[j], position=position, option_ids=[],
                             option_order=[], presented_at=times[p], answered_at=times[p],
                             chosen_index=0, correct=bool(responses[p, j]), pretest=item_ids[j] in pretest))
    session.execute(sa.insert(LogicResponse), rows)
    session.commit()
    return len(rows)
