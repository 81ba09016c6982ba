"""Immutable logic bank versions: store, load by version, activate, calibrate.

A version is the complete JSON document of a logic bank, kept in the ``bank_version``
table with its SHA-256, so every worker on every host reads the same versions from the
database. Rows are written once and never changed: the ORM refuses updates and deletes
(below), no service offers one, and loading checks the hash. The shipped bank file is a
version too; it is copied into the table the first time another version is calibrated
from it or activated, so attempts stamped with it stay loadable after a new portal release
replaces the file. A release that replaces it also keeps the version it replaces in the
package's archive (``item_banks.archive``), for databases that never stored it.

Which version new attempts get is the latest row of the append-only ``bank_activation``
history (none: the shipped file). An attempt stamps ``bank_id``/``bank_version`` when it
starts; resuming, scoring and regenerating it load that version (``load_version``), so
activating another version never changes anything under a running candidate.

``retire_item`` writes a version without items retired by hand (the leak-monitoring page,
issue 17), for review and activation like a calibrated one.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, defer

from item_banks import BankError, LogicBank, adaptive, archive, recalibration
from item_banks.loader import parse_logic_bank, validate_data

from ..models import Attempt, BankActivation, BankVersion, LogicResponse
from . import audit

SHIPPED = "shipped"
CALIBRATED = "calibrated"
#: A version written by ``retire_item``: the active version without items retired by hand.
RETIRED = "retired"
#: The diff action of an item retired by hand (``retire_item``).
RETIRED_BY_HAND = "retired_by_hand"


class BankVersionIsImmutable(RuntimeError):
    pass


class UnknownVersion(LookupError):
    pass


class RetireError(ValueError):
    """An item that cannot be retired; the message says why (shown to the user)."""


@event.listens_for(BankVersion, "before_update")
@event.listens_for(BankActivation, "before_update")
def _no_update(_mapper, _connection, _target):
    raise BankVersionIsImmutable("bank versions and activations cannot be changed")


@event.listens_for(BankVersion, "before_delete")
@event.listens_for(BankActivation, "before_delete")
def _no_delete(_mapper, _connection, _target):
    raise BankVersionIsImmutable("bank versions and activations cannot be deleted")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_change(state: ORMExecuteState):
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and state.bind_mapper.class_ in (BankVersion, BankActivation):
        raise BankVersionIsImmutable("bank versions and activations cannot be changed or deleted")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: Loaded versions of one app, ``(bank_id, version) -> LogicBank``: immutable, so a worker
#: reads a version from the database once.
Cache = MutableMapping[tuple[str, str], LogicBank]


def bank_from_row(row: BankVersion) -> LogicBank:
    if sha256(row.document) != row.sha256:
        raise BankError([f"bank version {row.bank_id} {row.version}: document does not match its SHA-256"])
    # The name carries the hash: the adaptive test's cache is keyed by it. Every item is
    # checked; the bank-level design rules (sizes and difficulty coverage per type) are
    # reported when a version is calibrated, not enforced: real data may show the bank
    # to be harder than its design, and that is for the reviewer to weigh.
    bank = parse_logic_bank(row.document, Path("<database>") / f"{row.bank_id}-{row.version}-{row.sha256[:16]}.json",
                            require_size=False)
    if bank.bank_id != row.bank_id or bank.version != row.version:
        raise BankError([f"bank version {row.bank_id} {row.version}: the document says "
                         f"{bank.bank_id} {bank.version}"])
    return dataclasses.replace(bank, exposure=row.exposure) if row.exposure else bank


def load_version(session: Session, shipped: LogicBank, bank_id: str, version: str,
                 cache: Cache | None = None) -> LogicBank:
    """The bank version ``bank_id``/``version``: the shipped file when it is that version,
    else the stored document, else an earlier shipped version from the package's archive.
    Raises UnknownVersion when none has it."""
    if (bank_id, version) == (shipped.bank_id, shipped.version):
        return shipped
    key = (bank_id, version)
    if cache is not None and key in cache:
        return cache[key]
    row = session.scalar(sa.select(BankVersion).where(BankVersion.bank_id == bank_id,
                                                      BankVersion.version == version))
    if row is not None:
        bank = bank_from_row(row)
    else:
        bank = archive.load_archived(bank_id, version)
        if bank is None:
            raise UnknownVersion(f"no stored version {version} of bank {bank_id}")
    if cache is not None:
        cache[key] = bank
    return bank


def active_version(session: Session, bank_id: str) -> str | None:
    """The version activated last for ``bank_id``; None: never activated (the shipped file)."""
    return session.scalar(sa.select(BankActivation.version).where(BankActivation.bank_id == bank_id)
                          .order_by(BankActivation.id.desc()).limit(1))


def active_bank(session: Session, shipped: LogicBank, cache: Cache | None = None) -> LogicBank:
    """The version new attempts get."""
    version = active_version(session, shipped.bank_id)
    if version is None:
        return shipped
    return load_version(session, shipped, shipped.bank_id, version, cache)


def bank_for_attempt(session: Session, shipped: LogicBank, attempt: Attempt, cache: Cache | None = None) -> LogicBank:
    """The version stamped on ``attempt``: the one that gave and scores it."""
    return load_version(session, shipped, attempt.bank_id, attempt.bank_version, cache)


def ensure_stored(session: Session, bank: LogicBank, *, source: str = SHIPPED) -> BankVersion:
    """The stored row of a shipped version (the file, or one from the archive), stored now
    with its exposure-control parameters if it is not yet."""
    row = session.scalar(sa.select(BankVersion).where(BankVersion.bank_id == bank.bank_id,
                                                      BankVersion.version == bank.version))
    if row is not None:
        return row
    path = Path(bank.path)
    text = path.read_text(encoding="utf-8") if path.is_file() else archive.document_text(bank.bank_id, bank.version)
    if text is None:
        raise UnknownVersion(f"version {bank.version} of bank {bank.bank_id} is neither a file nor archived")
    row = BankVersion(bank_id=bank.bank_id, version=bank.version, parent_version=None, source=source,
                      document=text, sha256=sha256(text), exposure=_exposure_doc(bank))
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class VersionInfo:
    bank_id: str
    version: str
    parent_version: str | None
    source: str
    sha256: str | None
    created_at: datetime | None
    active: bool
    diff: dict | None
    id: int | None = None

    @property
    def summary(self) -> dict:
        return (self.diff or {}).get("summary", {})

    @property
    def warnings(self) -> list[str]:
        return (self.diff or {}).get("warnings", [])

    @property
    def calibration(self) -> dict:
        return (self.diff or {}).get("calibration", {})

    @property
    def retirement(self) -> dict:
        return (self.diff or {}).get("retirement", {})


def list_versions(session: Session, shipped: LogicBank) -> list[VersionInfo]:
    """Every version of the shipped bank's ``bank_id``, highest version first, the shipped file
    included whether or not it is stored (documents not loaded)."""
    active = active_version(session, shipped.bank_id) or shipped.version
    rows = session.scalars(sa.select(BankVersion).options(defer(BankVersion.document))
                           .where(BankVersion.bank_id == shipped.bank_id).order_by(BankVersion.id.desc())).all()
    out = [VersionInfo(r.bank_id, r.version, r.parent_version, r.source, r.sha256, r.created_at,
                       r.version == active, r.diff, r.id) for r in rows]
    if not any(r.version == shipped.version for r in rows):
        out.append(VersionInfo(shipped.bank_id, shipped.version, None, SHIPPED, None, None,
                               shipped.version == active, None))
    return sorted(out, key=lambda v: _version_key(v.version), reverse=True)


def _version_key(version: str) -> tuple:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return ()


def get_version(session: Session, shipped: LogicBank, version: str) -> VersionInfo | None:
    return next((v for v in list_versions(session, shipped) if v.version == version), None)


def activate(session: Session, shipped: LogicBank, version: str, *, user_id: int | None, now: datetime,
             cache: Cache | None = None) -> bool:
    """Make ``version`` the one new attempts get; False if it already is. Raises
    UnknownVersion for a version that does not exist, BankError if it does not load."""
    bank = load_version(session, shipped, shipped.bank_id, version, cache)  # it must load
    previous = active_version(session, shipped.bank_id) or shipped.version
    if previous == version:
        return False
    # Attempts stamped with the shipped version must stay loadable after a new release.
    ensure_stored(session, shipped)
    session.add(BankActivation(bank_id=shipped.bank_id, version=bank.version, activated_at=now,
                               activated_by_id=user_id))
    row_id = session.scalar(sa.select(BankVersion.id).where(BankVersion.bank_id == shipped.bank_id,
                                                            BankVersion.version == version))
    audit.record(session, user_id=user_id, action="bank.activate", object_type="bank_version",
                 object_id=row_id, detail={"bank_id": shipped.bank_id, "version": version,
                                           "previous": previous}, now=now)
    return True


def document_text(session: Session, shipped: LogicBank, version: str) -> str:
    if version == shipped.version:
        return Path(shipped.path).read_text(encoding="utf-8")
    text = session.scalar(sa.select(BankVersion.document).where(BankVersion.bank_id == shipped.bank_id,
                                                                BankVersion.version == version))
    if text is None:
        text = archive.document_text(shipped.bank_id, version)
    if text is None:
        raise UnknownVersion(f"no stored version {version} of bank {shipped.bank_id}")
    return text


@dataclass(frozen=True)
class ResponseData:
    """Stored answers as a persons x items matrix (1/0, NaN = not given) over ``item_ids``."""

    item_ids: list[str]
    responses: np.ndarray
    n_attempts: int
    n_pretest_responses: int


def collect_responses(session: Session, bank_id: str, item_ids: list[str], *, since: datetime,
                      until: datetime | None = None) -> ResponseData:
    """Every answered logic response to ``item_ids`` in attempts of ``bank_id`` (any
    version; items keep their ids across versions), answered at or after ``since`` (and
    before ``until``). Candidates anonymised by the retention purge are included: the
    query reads attempts and responses only, never who answered."""
    column = {item_id: j for j, item_id in enumerate(item_ids)}
    query = (sa.select(LogicResponse.attempt_id, LogicResponse.item_id, LogicResponse.correct,
                       LogicResponse.pretest)
             .join(Attempt, Attempt.id == LogicResponse.attempt_id)
             .where(Attempt.bank_id == bank_id, LogicResponse.answered_at.is_not(None),
                    LogicResponse.correct.is_not(None), LogicResponse.answered_at >= since)
             .order_by(LogicResponse.attempt_id))
    if until is not None:
        query = query.where(LogicResponse.answered_at < until)
    rows: dict[int, dict[int, int]] = {}
    pretest = 0
    for attempt_id, item_id, correct, is_pretest in session.execute(query.execution_options(yield_per=5000)):
        j = column.get(item_id)
        if j is None:
            continue
        rows.setdefault(attempt_id, {})[j] = int(bool(correct))
        pretest += bool(is_pretest)
    matrix = np.full((len(rows), len(item_ids)), np.nan)
    for p, answers in enumerate(rows.values()):
        for j, x in answers.items():
            matrix[p, j] = x
    return ResponseData(list(item_ids), matrix, len(rows), pretest)


def calibrate(session: Session, shipped: LogicBank, *, since: datetime, until: datetime | None, min_n: int,
              now: datetime, user_id: int | None = None, exposure: bool = True, seed: int = 20261206,
              progress: Callable[[str], None] = lambda _msg: None,
              cache: Cache | None = None) -> tuple[BankVersion, recalibration.Recalibration]:
    """Calibrate the active version on the responses stored since ``since`` and store the
    result as a new version (not activated). Raises RecalibrationError when the data
    cannot give one, BankError when the new document would not be a valid bank."""
    parent = active_bank(session, shipped, cache)
    document = json.loads(document_text(session, shipped, parent.version))
    ids = [item["id"] for item in recalibration.scored_items(document)]
    progress(f"Reading stored responses since {since.date().isoformat()} ...")
    data = collect_responses(session, parent.bank_id, ids, since=since, until=until)
    progress(f"{data.n_attempts} attempts, {int((~np.isnan(data.responses)).sum())} responses "
             f"({data.n_pretest_responses} to pretest items).")
    existing = session.scalars(sa.select(BankVersion.version).where(BankVersion.bank_id == parent.bank_id)).all()
    new_version = recalibration.next_version(parent.version, [*existing, shipped.version])
    progress(f"Estimating item parameters (MML-EM, min-n {min_n}) and item fit ...")
    metadata = {"since": since.isoformat(), "until": (until or now).isoformat(), "created_at": now.isoformat()}
    result = recalibration.recalibrate(document, data.responses, new_version=new_version, min_n=min_n,
                                       rng=np.random.default_rng(seed), metadata=metadata)
    text = json.dumps(result.document, ensure_ascii=False, indent=1) + "\n"
    digest = sha256(text)
    name = f"{parent.bank_id}-{new_version}.json"
    bank = parse_logic_bank(text, Path("<new>") / name, require_size=False)  # every item must be valid
    warnings = [p.removeprefix(f"{name}: ") for p in validate_data(result.document, name, require_size=True)]
    for warning in warnings:
        progress(f"Warning: {warning}")
    exposure_doc = None
    if exposure:
        progress("Calibrating exposure control for the new version by simulation (a minute or two) ...")
        exposure_doc = adaptive.calibrate(bank)
    if parent.version == shipped.version:
        ensure_stored(session, shipped)
    row = BankVersion(bank_id=parent.bank_id, version=new_version, parent_version=parent.version,
                      source=CALIBRATED, document=text, sha256=digest, exposure=exposure_doc,
                      diff={**result.diff(), "calibration": result.metadata, "warnings": warnings}, created_at=now,
                      created_by_id=user_id)
    session.add(row)
    session.flush()
    audit.record(session, user_id=user_id, action="bank.calibrate", object_type="bank_version", object_id=row.id,
                 detail={"bank_id": row.bank_id, "version": new_version, "parent": parent.version,
                         **result.summary}, now=now)
    return row, result


# --- retiring items by hand (leak monitoring, issue 17) ----------------------------------


def _pending_retirement(session: Session, bank_id: str, active: str) -> BankVersion | None:
    """The newest version ``retire_item`` wrote from the active version ``active`` (directly
    or through earlier retirements) that is not active itself: further retirements build on
    it, so that one version holds them all."""
    rows = session.scalars(sa.select(BankVersion).options(defer(BankVersion.document))
                           .where(BankVersion.bank_id == bank_id, BankVersion.source == RETIRED)
                           .order_by(BankVersion.id.desc())).all()
    return next((r for r in rows if (r.diff or {}).get("retirement", {}).get("active") == active
                 and r.version != active), None)


def retired_items(session: Session, shipped: LogicBank, active: str | None = None) -> dict[str, tuple[str, bool]]:
    """``item_id -> (version, active)`` for the items retired by hand: in the version in use
    (active True) or in the pending retirement version written from it (active False). One
    query for the versions (documents not loaded), and one for the active version unless
    ``active`` names it."""
    active = active or active_version(session, shipped.bank_id) or shipped.version
    rows = session.scalars(sa.select(BankVersion).options(defer(BankVersion.document))
                           .where(BankVersion.bank_id == shipped.bank_id, BankVersion.source == RETIRED)
                           .order_by(BankVersion.id.desc())).all()
    out: dict[str, tuple[str, bool]] = {}
    by_version = {r.version: r for r in rows}
    # The active version and the retirements it inherited, through its parents.
    row = by_version.get(active)
    while row is not None:
        for item_id in (row.diff or {}).get("retirement", {}).get("items", []):
            out.setdefault(item_id, (row.version, True))
        row = by_version.get(row.parent_version)
    pending = next((r for r in rows if (r.diff or {}).get("retirement", {}).get("active") == active
                    and r.version != active), None)
    if pending is not None:
        for item_id in pending.diff["retirement"]["items"]:
            out.setdefault(item_id, (pending.version, False))
    return out


def _exposure_doc(bank: LogicBank) -> dict | None:
    """The bank's Sympson-Hetter parameters: kept with the version, else the file beside the
    bank file; None when there are none for this version."""
    doc = adaptive.exposure_document(bank)
    return dict(doc) if doc and doc.get("bank_version") == bank.version else None


def _carried_exposure(bank: LogicBank, new_version: str, item_id: str) -> dict | None:
    """The parent's Sympson-Hetter parameters without the retired item, relabelled for the
    new version (a simulation in a web request would take minutes). One item fewer barely
    changes the selection, but its neighbours in difficulty are chosen a little more often
    until ``banks calibrate`` writes freshly calibrated parameters (docs/technical-manual.md,
    "Leak monitoring"). None when the parent has none."""
    doc = _exposure_doc(bank)
    if not doc or item_id not in doc.get("exposure_k", {}):
        return None
    return {**doc, "bank_version": new_version, "carried_over_from": bank.version,
            "exposure_k": {k: v for k, v in doc["exposure_k"].items() if k != item_id}}


def retire_item(session: Session, shipped: LogicBank, item_id: str, *, reason: str, user_id: int | None,
                now: datetime, evidence: dict | None = None, cache: Cache | None = None) -> BankVersion:
    """Store a new version identical to the active one except that ``item_id`` is retired
    (left out), for a person to review and activate on the Versions page; not activated.

    When an earlier retirement from the same active version is still pending, the new
    version builds on it, so that it lacks every item retired since the activation (the
    last pending version is the one to activate). ``evidence``: the leak monitor's figures,
    kept with the version. Raises RetireError for an item that is not operational in the
    active version or is already retired in the pending one."""
    reason = reason.strip()
    if not reason:
        raise RetireError("a reason is required")
    active = active_bank(session, shipped, cache)
    if item_id not in {i.id for i in active.items}:
        raise RetireError(f"item {item_id} is not an operational item of the active version {active.version}")
    pending = _pending_retirement(session, active.bank_id, active.version)
    earlier = list(pending.diff["retirement"]["items"]) if pending is not None else []
    if item_id in earlier:
        raise RetireError(f"item {item_id} is already retired in version {pending.version}, not yet activated")
    base = active if pending is None else load_version(session, shipped, active.bank_id, pending.version, cache)
    document = json.loads(document_text(session, shipped, base.version))
    existing = session.scalars(sa.select(BankVersion.version).where(BankVersion.bank_id == active.bank_id)).all()
    new_version = recalibration.next_version(active.version, [*existing, shipped.version])
    document["version"] = new_version
    document["items"] = [item for item in document["items"] if item["id"] != item_id]
    text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    name = f"{active.bank_id}-{new_version}.json"
    parse_logic_bank(text, Path("<new>") / name, require_size=False)  # every item must still be valid
    warnings = [p.removeprefix(f"{name}: ") for p in validate_data(document, name, require_size=True)]
    params = {i.id: (i.irt or {}) for i in active.items}
    log = [*(pending.diff["retirement"]["log"] if pending is not None else []),
           {"item_id": item_id, "reason": reason, "by": user_id, "at": now.isoformat(), "evidence": evidence or {}}]
    rows = [{"item_id": e["item_id"], "pretest": False, "action": RETIRED_BY_HAND, "n": e["evidence"].get("n"),
             "old_a": params.get(e["item_id"], {}).get("a"), "old_b": params.get(e["item_id"], {}).get("b"),
             "new_a": None, "new_b": None, "se_a": None, "se_b": None, "fit_z": None, "fit_p": None,
             "clipped": False, "reason": e["reason"]} for e in log]
    if pending is None and active.version == shipped.version:
        ensure_stored(session, shipped)
    retirement = {"active": active.version, "items": [e["item_id"] for e in log], "item_id": item_id,
                  "reason": reason, "log": log}
    row = BankVersion(bank_id=active.bank_id, version=new_version, parent_version=base.version, source=RETIRED,
                      document=text, sha256=sha256(text), exposure=_carried_exposure(base, new_version, item_id),
                      diff={"summary": {RETIRED_BY_HAND: len(log)}, "items": rows, "retirement": retirement,
                            "warnings": warnings},
                      created_at=now, created_by_id=user_id)
    session.add(row)
    session.flush()
    audit.record(session, user_id=user_id, action="bank.retire_item", object_type="bank_version", object_id=row.id,
                 detail={"bank_id": row.bank_id, "version": new_version, "parent": base.version,
                         "active": active.version, "item_id": item_id, "reason": reason[:500]}, now=now)
    return row
