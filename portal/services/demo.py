"""Demo data for `make run`: one consultant, one client, two assignments,
candidates in several states. One candidate has simulated answers (said in the
name) so the results view has something to show."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from item_banks import Inventory, LogicBank

from .. import passwords
from ..models import Assignment, Attempt, Candidate, Client, Role, Stage, TestKind, User
from . import journey
from .invitations import InvitationSettings, candidate_status, invitation_url, invite_candidate, live_invitations
from .rendering import Renderer

DEMO_EMAIL = "konsult@demo.example"
CLIENT_EMAIL = "kund@demo.example"
SIMULATED_NAME = "Exempel Exempelsson (simulerade svar)"


def _password_file(instance_path: str) -> Path:
    return Path(instance_path) / "demo_password"


def seed(
    session: Session, *, now: datetime, settings: InvitationSettings, bank: LogicBank,
    inventory: Inventory, norms_for, instance_path: str, renderer: Renderer,
) -> bool:
    """Create the demo data unless the database already has users or assignments."""
    if session.scalar(sa.select(sa.func.count()).select_from(User)) or session.scalar(
        sa.select(sa.func.count()).select_from(Assignment)
    ):
        return False
    password = secrets.token_urlsafe(12)
    path = _password_file(instance_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(password)
    consultant = User(email=DEMO_EMAIL, name="Demo Konsult", role=Role.CONSULTANT,
                      password_hash=passwords.hash_password(password))
    session.add(consultant)
    client = Client(name="Nordljus Energi AB (demo)")
    cfo = Assignment(client=client, title="Ekonomichef", language="sv", norm_group="managers",
                     consultants=[consultant])
    analyst = Assignment(client=client, title="Data Analyst", language="en", norm_group="general",
                         consultants=[consultant])
    session.add_all([client, cfo, analyst])
    session.flush()
    session.add(User(email=CLIENT_EMAIL, name="Demo Kund", role=Role.CLIENT, client_id=client.id,
                     password_hash=passwords.hash_password(password)))
    from . import profiles

    profiles.start_from_template(session, cfo, "manager", user_id=consultant.id, now=now)
    profiles.start_from_template(session, analyst, "specialist", user_id=consultant.id, now=now)
    invite_candidate(session, cfo, name="Alva Lindqvist", email="alva@demo.example",
                     now=now, settings=settings)
    invite_candidate(session, cfo, name="Sara Ek", email="sara@demo.example", now=now,
                     settings=settings, extra_time_pct=25)
    invite_candidate(session, analyst, name="Noah Berg", email="noah@demo.example", now=now,
                     settings=settings, language="en")
    simulated, _ = invite_candidate(session, cfo, name=SIMULATED_NAME,
                                    email="exempel@demo.example", now=now, settings=settings)
    simulate_battery(session, simulated, bank=bank, inventory=inventory,
                     norms=norms_for(cfo.norm_group), now=now, rng=np.random.default_rng(2026))
    _demo_evidence(session, simulated, consultant, now=now, inventory=inventory, renderer=renderer)
    return True


def _demo_evidence(session: Session, candidate: Candidate, consultant: User, *, now: datetime,
                   inventory: Inventory, renderer: Renderer) -> None:
    """Interview ratings, a reference, the judgement and released reports for the simulated
    candidate, so every page (and the client's download) has something to show. All of it
    is labelled as demo material in the texts themselves."""
    from ..models import InterviewRating, ReportKind, Synthesis
    from . import checks, profiles, reports

    keys = [item.competency_key for item in profiles.current_profile(session, candidate.assignment).competencies]
    for i, key in enumerate(keys):
        session.add(InterviewRating(candidate_id=candidate.id, rater_id=consultant.id, competency_key=key,
                                    level=3 + (i % 2), notes="Demo: simulerat intervjuunderlag.", submitted_at=now))
    ref = checks.add_reference(session, candidate, referee_name="Demo Referent", relation="Tidigare chef (demo)",
                               period="2020–2025", consent=True, user_id=consultant.id, now=now)
    ref.summary = "Demo: en påhittad referens för att visa hur rapporten ser ut."
    ref.ratings = {key: {"level": 4, "notes": ""} for key in keys[:2]}
    checks.checklist(session, candidate)
    session.add(Synthesis(candidate_id=candidate.id, recommendation="reservations",
                          judgement="Demo: simulerade svar. Bedömningen visar hur en syntes kan formuleras.",
                          strengths="Demo: struktur och analys.", risks="Demo: verifiera ledarerfarenhet med referens.",
                          decided_by_id=consultant.id, decided_at=now, profile_version=1))
    session.flush()
    profiles.lock_current(session, candidate.assignment, now=now, user_id=consultant.id)
    for kind in ReportKind:
        reports.release(session, candidate, kind, user_id=consultant.id, now=now, inventory=inventory,
                        renderer=renderer)


def simulate_battery(session: Session, candidate: Candidate, *, bank, inventory, norms, now, rng) -> None:
    """Answer the whole battery with random but plausible responses."""
    t = now - timedelta(hours=2)
    journey.accept_welcome(session, candidate, language="sv", now=t)
    journey.begin_practice(session, candidate)
    for position in range(len(bank.practice)):
        journey.answer_practice(session, candidate, bank, position=position,
                                chosen=bank.practice[position].key)
    attempt = journey.start_logic(session, candidate, bank, now=t, seed=int(rng.integers(2**62)))
    while True:
        shown = journey.present_logic_item(session, attempt, bank, now=t)
        if shown is None:
            break
        t += timedelta(seconds=int(rng.integers(15, 45)))  # time to read and answer
        item = shown.item
        wanted = item.key if rng.random() < 0.65 else int(rng.integers(len(item.options)))
        option_id = shown.response.option_ids[shown.response.option_order.index(wanted)]
        journey.answer_logic_item(session, attempt, response_id=shown.response.id,
                                  option_id=option_id, now=t, bank=bank, norms=norms)
    inv_attempt = journey.start_inventory(session, candidate, inventory, now=t)
    while (page := journey.current_inventory_page(session, inv_attempt)) is not None:
        t += timedelta(minutes=2)
        values = {sid: int(rng.integers(2, 6)) for sid in page.statement_ids}
        journey.save_inventory_page(session, inv_attempt, page_number=page.number, values=values,
                                    inventory=inventory, norms=norms, now=t)
    assert candidate.stage is Stage.DONE
    assert journey.current_attempt(session, candidate, TestKind.LOGIC).finished_at is not None


#: Candidate columns that say where a candidate is in the battery (copied by ``copy_battery``).
_JOURNEY_COLUMNS = ("stage", "practice_position", "chosen_language", "privacy_accepted_at",
                    "privacy_notice_version", "completed_at")


def copy_battery(session: Session, source: Candidate, target: Candidate, *, shift: timedelta = timedelta(0)) -> None:
    """Give ``target`` a copy of ``source``'s battery: stage, attempts, answers and results,
    every time moved by ``shift``. For benchmarks and tests that need many finished
    candidates: a whole simulated battery (``simulate_battery``) costs about half a second,
    a copy a few bulk inserts. ``target`` must not have started."""
    from ..models import InventoryResponse, LogicResponse, Result

    def moved(value):
        return value + shift if isinstance(value, datetime) else value

    def values(row, skip=("id",)) -> dict:
        return {c.key: moved(getattr(row, c.key)) for c in sa.inspect(type(row)).column_attrs if c.key not in skip}

    if target.stage is not Stage.WELCOME:
        raise ValueError("the target candidate has started already")
    for name in _JOURNEY_COLUMNS:
        setattr(target, name, moved(getattr(source, name)))
    opened = [i.opened_at for i in source.invitations if i.opened_at]
    if opened and target.invitations:
        target.invitations[-1].opened_at = moved(min(opened))
    attempts = session.scalars(sa.select(Attempt).where(Attempt.candidate_id == source.id)
                               .order_by(Attempt.id)).all()
    copies = {}
    for attempt in attempts:
        copy = Attempt(**{**values(attempt, skip=("id", "candidate_id")), "candidate_id": target.id})
        session.add(copy)
        copies[attempt.id] = copy
    session.flush()
    ids = list(copies)
    for model in (LogicResponse, InventoryResponse, Result):
        rows = [{**values(row), "attempt_id": copies[row.attempt_id].id}
                for row in session.scalars(sa.select(model).where(model.attempt_id.in_(ids)).order_by(model.id))]
        if rows:
            session.execute(sa.insert(model), rows)
    session.flush()


@dataclass(frozen=True)
class DemoInfo:
    email: str
    password: str
    client_email: str
    links: list[tuple[str, str, str]]


def describe(session: Session, *, now: datetime, settings: InvitationSettings, instance_path: str) -> DemoInfo:
    path = _password_file(instance_path)
    password = path.read_text().strip() if path.exists() else "(set when the demo was created; see create-user)"
    links = []
    for candidate in session.scalars(sa.select(Candidate).order_by(Candidate.id)):
        live = live_invitations(candidate)
        if live:
            status = candidate_status(candidate, now).value
            links.append((candidate.name, status, invitation_url(live[-1], settings)))
    return DemoInfo(DEMO_EMAIL, password, CLIENT_EMAIL, links)
