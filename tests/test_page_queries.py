"""Flat at scale (design.md, section 8): every consultant and client page issues the same
number of queries whether its assignment has 5 candidates or 50.

The world: an assignment with a requirement profile whose candidates cycle through five
kinds: finished with the whole evidence (interview ratings, a reference, the client's
first opinion, a synthesis, a released client report; a finalist), in the middle of the
logic test, invited only, finished with nothing else (a finalist), and revoked after a
technical reset. Finished candidates get a copy of one simulated battery
(``demo.copy_battery``), which is what makes 50 of them affordable in a test.
"""
from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from conftest import PASSWORD
from querycount import statements_per_page
from portal import resources as res
from portal.db import get_session
from portal.models import (
    Assignment, Candidate, FirstOpinion, InterviewRating, ReferenceCheck, Report, ReportKind, Role, Synthesis, User,
)
from portal.services import accommodation, demo, invitation_admin, journey, profiles
from portal.services.invitations import invite_candidate

KINDS = ("evidence", "running", "invited", "finished", "reset_revoked")


def _add(session, a, i: int, kind: str, *, source: Candidate, users: dict, now) -> Candidate:
    c, inv = invite_candidate(session, a, name=f"Kandidat {i:03d}", email=f"k{i:03d}@example.com",
                              now=now, settings=res.invitation_settings())
    if kind in ("evidence", "finished"):
        demo.copy_battery(session, source, c, shift=timedelta(minutes=i))
        c.finalist_at = now
    elif kind in ("running", "reset_revoked"):
        bank = res.logic_bank()
        inv.opened_at = now
        journey.accept_welcome(session, c, language="sv", now=now)
        journey.begin_practice(session, c)
        for position in range(len(bank.practice)):
            journey.answer_practice(session, c, bank, position=position, chosen=bank.practice[position].key)
        attempt = journey.start_logic(session, c, bank, now=now, seed=i)
        shown = journey.present_logic_item(session, attempt, bank, now=now)
        journey.answer_logic_item(session, attempt, response_id=shown.response.id,
                                  option_id=shown.response.option_ids[0], now=now, bank=bank,
                                  norms=res.norm_table(a.norm_group))
        journey.present_logic_item(session, attempt, bank, now=now)
        if kind == "reset_revoked":
            accommodation.technical_reset(session, c, reason="Strömavbrott", user_id=users["consultant"], now=now,
                                          practice_items=len(bank.practice))
            invitation_admin.revoke_invitation(session, inv, user_id=users["consultant"], now=now)
    if kind == "evidence":
        keys = [item.competency_key for item in profiles.current_profile(session, a).competencies]
        for key in keys:
            session.add(InterviewRating(candidate_id=c.id, rater_id=users["consultant"], competency_key=key,
                                        level=3 + i % 2, notes="Exempel", submitted_at=now))
        session.add(ReferenceCheck(candidate_id=c.id, referee_name="Rut Referent", consent_at=now,
                                   ratings={keys[0]: {"level": 4, "notes": ""}}))
        session.add(FirstOpinion(candidate_id=c.id, competency_key=keys[0], level=3,
                                 recorded_by_id=users["client"], recorded_at=now))
        session.add(Synthesis(candidate_id=c.id, judgement="Bra.", strengths="", risks="",
                              recommendation="recommend", decided_by_id=users["consultant"], decided_at=now,
                              profile_version=1))
        session.add(Report(candidate_id=c.id, kind=ReportKind.CLIENT, version=1, language="sv",
                           content={"candidate": {"name": c.name}}, stamp={}, html=f"<p>{c.name}</p>",
                           pdf=b"%PDF-1.4 x", pdf_sha256="0" * 64, released_by_id=users["consultant"],
                           released_at=now))
    session.flush()
    return c


@pytest.fixture
def world(app, db, clock):
    users = {}
    for key, role in (("consultant", Role.CONSULTANT), ("client", Role.CLIENT)):
        users[key] = User(email=f"{key}@example.com", name=key.title(), role=role,
                          password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"))
        db.add(users[key])
    db.commit()
    users = {k: u.id for k, u in users.items()}
    with app.app_context():
        session = get_session()
        from portal.models import Client
        a = Assignment(client=Client(name="Skalbolaget AB"), title="Ekonomichef", language="sv",
                       norm_group="general", logic_time_limit_minutes=40,
                       consultants=[session.get(User, users["consultant"])])
        session.add(a)
        session.flush()
        session.get(User, users["client"]).client_id = a.client_id
        profiles.start_from_template(session, a, "manager", user_id=users["consultant"], now=clock())
        source, _ = invite_candidate(session, a, name="Källa Simulerad", email="kalla@example.com",
                                     now=clock(), settings=res.invitation_settings())
        demo.simulate_battery(session, source, bank=res.logic_bank(), inventory=res.inventory(),
                              norms=res.norm_table(a.norm_group), now=clock(), rng=np.random.default_rng(3))
        session.commit()
        state = {"assignment": a.id, "users": users, "source": source.id, "added": []}

    def grow(to: int) -> None:
        """Add candidates until the assignment has ``to`` besides the source."""
        with app.app_context():
            session = get_session()
            a, source = session.get(Assignment, state["assignment"]), session.get(Candidate, state["source"])
            while len(state["added"]) < to:
                i = len(state["added"])
                state["added"].append(_add(session, a, i, KINDS[i % len(KINDS)], source=source, users=users,
                                           now=clock()).id)
            session.commit()

    state["grow"] = grow
    return state


def _urls(world, db) -> dict[str, list[str]]:
    aid = world["assignment"]
    evidence = world["added"][0]  # the first candidate: finished, with the whole evidence
    report = db.scalar(sa.select(Report.id).where(Report.candidate_id == evidence))
    staff = [
        "/admin/",
        f"/admin/assignments/{aid}",
        f"/admin/assignments/{aid}?fragment=1",
        f"/admin/assignments/{aid}?status=completed&q=kandidat&page=2",
        f"/admin/assignments/{aid}/candidates",
        f"/admin/assignments/{aid}/candidates?status=in_progress&q=example&page=2",
        f"/admin/assignments/{aid}/candidates/new",
        f"/admin/assignments/{aid}/finalists",
        f"/admin/assignments/{aid}/finalists?page=2",
        f"/admin/assignments/{aid}/profile",
        f"/admin/candidates/{evidence}",
        f"/admin/candidates/{evidence}/synthesis",
        f"/admin/candidates/{evidence}/manage",
        f"/admin/candidates/{evidence}/interview-guide",
        f"/admin/candidates/{evidence}/references",
        f"/admin/candidates/{evidence}/background",
        f"/admin/candidates/{evidence}/reports",
    ]
    client = [
        "/admin/client",
        f"/admin/client/assignments/{aid}",
        f"/admin/client/assignments/{aid}?page=2",
        f"/admin/candidates/{evidence}/first-opinion",
        f"/admin/reports/{report}",
    ]
    return {"consultant@example.com": staff, "client@example.com": client}


def _measure(app, login_as, world, db) -> dict[str, int]:
    engine = app.extensions["portal.engine"]
    counts = {}
    for email, urls in _urls(world, db).items():
        counts.update(statements_per_page(engine, login_as(email), urls))
    return counts


def test_page_queries_do_not_grow_with_the_candidates(app, db, world, login_as):
    world["grow"](5)
    small = _measure(app, login_as, world, db)
    world["grow"](50)
    large = _measure(app, login_as, world, db)
    print("\nqueries per page at 5 and 50 candidates:")
    for url in small:
        print(f"  {small[url]:4d} {large[url]:4d}  {url}")
    grown = {url: (small[url], large[url]) for url in small if small[url] != large[url]}
    assert not grown, f"queries grow with the number of candidates (5 -> 50): {grown}"
