"""`flask norms build` through the quality gates, with local norms, on constructed data.

Results are written straight into the database (no test is taken), so each gate meets
exactly the protocols it should remove; the last test takes the battery for real to check
that a local table chosen for an assignment scores it and is labelled.
"""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from conftest import TEST_CONFIG, csrf_from, sign_in
from helpers import Candidate as Taker
from norms import clear_cache, load_norm_table, parse_norm_table
from norms import tables as norm_tables
from portal import resources as res
from portal.models import (
    Assignment, Attempt, AuditEvent, Candidate, Client, FinishReason, Result, Role, TestKind, User,
)
from portal.services.norm_data import normalise_email, person_key
from portal.web import renderer

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
KEY = TEST_CONFIG["SECRET_KEY"]
PASSWORD = "correct horse battery"


class Seed:
    """Writes candidates with finished (or unfinished) attempts and their results."""

    def __init__(self, db):
        self.db = db
        self.n = 0

    def assignment(self, client: Client, *, role_family: str = "") -> Assignment:
        a = Assignment(client=client, title="Roll", language="sv", norm_group="general",
                       logic_time_limit_minutes=44, role_family=role_family)
        self.db.add(a)
        self.db.flush()
        return a

    def candidate(self, assignment: Assignment, email: str | None = None, *, stored_key: bool = True) -> Candidate:
        self.n += 1
        email = email or f"person{self.n}@example.com"
        c = Candidate(assignment=assignment, name=f"P {self.n}", email=email,
                      person_key=person_key(KEY, email) if stored_key else None)
        self.db.add(c)
        self.db.flush()
        return c

    def logic(self, c: Candidate, theta: float, *, day: int = 0, finished: bool = True, timed_out: bool = False,
              answered: int = 30, rapid: int = 0) -> Attempt:
        at = T0 + timedelta(days=day, minutes=self.n)
        a = Attempt(candidate=c, kind=TestKind.LOGIC, bank_id="logic", bank_version="t", seed=1, item_ids=[],
                    started_at=at - timedelta(minutes=30), finished_at=at if finished else None,
                    finish_reason=(FinishReason.TIMEOUT if timed_out else FinishReason.COMPLETED) if finished else None)
        self.db.add(a)
        self.db.flush()
        if finished:
            self.db.add(Result(attempt_id=a.id, scale="logic.theta", raw=theta, theta=theta, se=0.3,
                               n_items=answered, n_answered=answered,
                               details={"estimator": "wle", "rapid_guesses": rapid},
                               norm_group="general", norm_ref="general.v2", norm_provisional=True,
                               bank_id="logic", bank_version="t", engine_version="test"))
        return a

    def inventory(self, c: Candidate, value: float, *, day: int = 0, flags: tuple[str, ...] = ()) -> Attempt:
        at = T0 + timedelta(days=day, minutes=self.n)
        a = Attempt(candidate=c, kind=TestKind.INVENTORY, bank_id="big5", bank_version="t", seed=1, item_ids=[],
                    started_at=at - timedelta(minutes=20), finished_at=at, finish_reason=FinishReason.COMPLETED,
                    flags=[{"code": f, "raised": True} for f in flags] + [{"code": "too_fast", "raised": False}])
        self.db.add(a)
        self.db.flush()
        self.db.add(Result(attempt_id=a.id, scale="personality.ES", raw=value, n_items=20, n_answered=20,
                           norm_group="general", norm_ref="general.v2", norm_provisional=True,
                           bank_id="big5", bank_version="t", engine_version="test"))
        return a


def build(runner, tmp_path, *args, group="local"):
    result = runner.invoke(args=["norms", "build", "--group", group, "--label-sv", "Lokal", "--label-en", "Local",
                                 "--output-dir", str(tmp_path), *args])
    return result


def document(tmp_path, group="local", version=1):
    return json.loads((tmp_path / f"{group}.v{version}.json").read_text(encoding="utf-8"))


def test_each_gate_removes_what_it_should_and_the_table_records_it(runner, db, tmp_path):
    s = Seed(db)
    client = Client(name="Kund AB")
    a1, a2 = s.assignment(client), s.assignment(client)
    kept_thetas = [-1.0, -0.5, 0.0, 0.5, 1.0]
    for theta in kept_thetas:
        s.logic(s.candidate(a1), theta, day=1)
    s.logic(s.candidate(a1), 3.0, finished=False)                 # never finished
    s.logic(s.candidate(a1), -3.0, day=2, timed_out=True)         # ended by the clock
    # One person in two assignments: the same address written differently. The first
    # completed protocol counts, the retest (with its practice gain) does not.
    twice = s.candidate(a1, " Twice@Example.COM ")
    s.logic(twice, 0.25, day=3)
    s.logic(s.candidate(a2, "twice@example.com"), 2.5, day=9)
    s.logic(s.candidate(a2), -2.5, day=4, rapid=4)                # 4/30 = 13 % rapid guesses
    s.logic(s.candidate(a2), 0.75, day=4, rapid=3)                # 10 %: kept
    kept_thetas += [0.25, 0.75]
    for value in (3.0, 3.5, 4.0):
        s.inventory(s.candidate(a1), value, day=2)
    s.inventory(s.candidate(a2), 1.2, day=2, flags=("long_string",))
    db.commit()

    result = build(runner, tmp_path)
    assert result.exit_code == 0, result.output
    assert "removed by incomplete (not finished, or logic test ended by the time limit): 2" in result.output
    assert "removed by duplicate (a later protocol of a person already counted): 1" in result.output
    assert "removed by rapid-guess-dominated (more than 10% rapid guesses): 1" in result.output
    assert "removed by validity-flagged (any inventory validity flag): 1" in result.output
    assert "PROVISIONAL: N = 3 is below 200" in result.output

    doc = document(tmp_path)
    assert doc["quality"]["removed"] == {"incomplete": 2, "duplicate": 1, "rapid_guessing": 1, "validity_flagged": 1}
    assert doc["quality"]["settings"] == {"max_rapid_share": 0.1, "include_timeouts": False, "exclude_flagged": True}
    assert doc["quality"]["min_n"] == 200 and doc["quality"]["n"] == 3 and doc["quality"]["provisional"] is True
    assert doc["provisional"] is True and doc["n"] == 3
    assert doc["population"] == {"scope": "all", "assignments": sorted([a1.id, a2.id]),
                                 "from": "2026-11-03", "to": "2026-11-06"}
    assert "dubbletter 1" in doc["method"]["sv"] and "duplicate 1" in doc["method"]["en"]
    table = load_norm_table("local", directory=tmp_path)
    assert table.provisional and table.from_collected_data and table.local_scope is None
    assert table.scales["logic.theta"].n == len(kept_thetas)
    assert table.scales["logic.theta"].mean == pytest.approx(np.mean(kept_thetas), abs=1e-4)
    assert table.scales["personality.ES"].mean == pytest.approx(3.5, abs=1e-4)  # the flagged 1.2 is out
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "norm_build")) == 1

    # The settings are options, recorded with the table they made.
    again = build(runner, tmp_path, "--include-timeouts", "--max-rapid-share", "0.2", "--include-flagged")
    assert again.exit_code == 0, again.output
    doc2 = document(tmp_path, version=2)
    assert doc2["quality"]["removed"] == {"incomplete": 1, "duplicate": 1, "rapid_guessing": 0, "validity_flagged": 0}
    assert doc2["quality"]["settings"] == {"max_rapid_share": 0.2, "include_timeouts": True, "exclude_flagged": False}


def test_provisional_below_200_and_not_at_200(runner, db, tmp_path):
    s = Seed(db)
    a = s.assignment(Client(name="Kund AB"))
    rng = np.random.default_rng(16)
    for theta in rng.normal(0, 1.2, 199).clip(-3.9, 3.9):
        s.logic(s.candidate(a), float(theta))
    db.commit()
    result = build(runner, tmp_path)
    assert result.exit_code == 0, result.output
    assert "PROVISIONAL: N = 199 is below 200" in result.output
    assert document(tmp_path)["provisional"] is True

    s.logic(s.candidate(a), 0.1)
    db.commit()
    result = build(runner, tmp_path)
    assert result.exit_code == 0, result.output
    assert "Not provisional: N = 200 >= 200" in result.output and "PROVISIONAL" not in result.output
    doc = document(tmp_path, version=2)
    assert doc["provisional"] is False and doc["quality"]["provisional"] is False and doc["n"] == 200
    assert not load_norm_table("local", directory=tmp_path).provisional
    # A duplicate of someone already counted does not lift N.
    twin = s.candidate(a, "person1@example.com")
    s.logic(twin, 0.3, day=5)
    db.commit()
    assert build(runner, tmp_path).exit_code == 0
    assert document(tmp_path, version=3)["n"] == 200 and document(tmp_path, version=3)["quality"]["removed"]["duplicate"] == 1


def test_a_local_norm_per_client_holds_only_that_clients_candidates(runner, db, tmp_path):
    s = Seed(db)
    ours, theirs = Client(name="Vår kund AB"), Client(name="Annan kund AB")
    ours_a, ours_b, theirs_a = s.assignment(ours), s.assignment(ours, role_family="sales"), s.assignment(theirs)
    for theta in (1.0, 1.5, 2.0):
        s.logic(s.candidate(ours_a), theta, day=1)
    s.logic(s.candidate(ours_b), 2.5, day=6)
    for theta in (-2.0, -1.5, -1.0):
        s.logic(s.candidate(theirs_a, ), theta, day=3)
    theirs_sales = s.assignment(theirs, role_family="sales")
    s.logic(s.candidate(theirs_sales), -0.5, day=4)
    db.commit()

    result = build(runner, tmp_path, "--client", str(ours.id), group="vaar_kund")
    assert result.exit_code == 0, result.output
    doc = document(tmp_path, "vaar_kund")
    assert doc["population"] == {"scope": "client", "client_id": ours.id, "client": "Vår kund AB",
                                 "assignments": sorted([ours_a.id, ours_b.id]), "from": "2026-11-03",
                                 "to": "2026-11-08"}
    assert doc["scales"]["logic.theta"]["n"] == 4
    assert doc["scales"]["logic.theta"]["mean"] == pytest.approx(1.75, abs=1e-4)
    table = load_norm_table("vaar_kund", directory=tmp_path)
    assert table.local_scope == "client" and table.provisional
    assert "kunden Vår kund AB" in doc["method"]["sv"]

    result = build(runner, tmp_path, "--role-family", "sales", group="sales")
    assert result.exit_code == 0, result.output
    doc = document(tmp_path, "sales")
    assert doc["population"]["scope"] == "role_family" and doc["population"]["role_family"] == "sales"
    assert doc["population"]["assignments"] == sorted([ours_b.id, theirs_sales.id])
    assert doc["scales"]["logic.theta"]["n"] == 2 and doc["scales"]["logic.theta"]["mean"] == pytest.approx(1.0)


@pytest.mark.parametrize("args, message", [
    (["--client", "999999"], "There is no client with id 999999"),
    (["--client", "1", "--role-family", "sales"], "not both"),
    (["--role-family", "astronaut"], "Invalid value for '--role-family'"),
])
def test_bad_population_options_are_refused_and_write_nothing(runner, db, tmp_path, args, message):
    result = build(runner, tmp_path, *args)
    assert result.exit_code != 0 and message in result.output
    assert not list(tmp_path.iterdir())


def test_nothing_left_after_the_gates_writes_nothing(runner, db, tmp_path):
    s = Seed(db)
    a = s.assignment(Client(name="Kund AB"))
    for theta in (0.1, 0.2, 0.3):
        s.logic(s.candidate(a), theta, rapid=20)
    db.commit()
    result = build(runner, tmp_path)
    assert result.exit_code != 0 and "removed by rapid-guess-dominated (more than 10% rapid guesses): 3" in result.output
    assert "Nothing was written" in result.output and not list(tmp_path.iterdir())


def test_person_key_normalises_the_address_and_is_keyed():
    assert normalise_email(" Anna.Berg@Example.COM ") == "anna.berg@example.com"
    assert person_key(KEY, " Anna.Berg@Example.COM ") == person_key(KEY, "anna.berg@example.com")
    assert person_key(KEY, "anna@example.com") != person_key(KEY, "anna2@example.com")
    assert person_key("another key of at least 32 bytes!", "anna@example.com") != person_key(KEY, "anna@example.com")
    assert len(person_key(KEY, "anna@example.com")) == 64 and "anna" not in person_key(KEY, "anna@example.com")


def test_erased_candidates_remain_usable_and_a_person_still_counts_once(app, runner, db, tmp_path, make_invitation,
                                                                       make_assignment):
    from portal.db import get_session
    from portal.services import privacy

    first, second, alone = make_assignment(), make_assignment(), make_assignment()
    c1, _, _ = make_invitation(first, email="Kim@Example.com")
    c2, _, _ = make_invitation(second, email="kim@example.com")
    c3, _, _ = make_invitation(alone, email="solo@example.com")
    keys = dict(db.execute(sa.select(Candidate.id, Candidate.person_key)).all())
    assert keys[c1] == keys[c2] == person_key(KEY, "kim@example.com")  # stored at invitation
    s = Seed(db)
    s.logic(db.get(Candidate, c1), 0.2, day=1)
    s.logic(db.get(Candidate, c2), 1.4, day=20)
    s.logic(db.get(Candidate, c3), -0.6, day=2)
    db.commit()

    with app.app_context():
        session = get_session()
        # Contact data removed (not hired): the key is not contact data and stays.
        privacy.remove_contact(session, session.get(Candidate, c3), now=T0)
        session.commit()
        assert session.get(Candidate, c3).person_key == keys[c3]
        # Erased: the key goes; the person's other completed test is marked first.
        counts = privacy.erase(session, session.get(Candidate, c1), storage_dir=tmp_path / "files", user_id=None,
                               now=T0, reason="retention")
        privacy.erase(session, session.get(Candidate, c3), storage_dir=tmp_path / "files", user_id=None,
                      now=T0, reason="request")
        session.commit()
    assert counts["norm_duplicates"] == 1
    db.expire_all()
    assert db.get(Candidate, c1).person_key is None and db.get(Candidate, c3).person_key is None
    marks = dict(db.execute(sa.select(Attempt.candidate_id, Attempt.norm_duplicate)).all())
    assert marks == {c1: True, c2: False, c3: False}

    out = tmp_path / "norms"
    result = build(runner, out)
    assert result.exit_code == 0, result.output
    doc = document(out)
    # Three protocols, two persons, and both erased candidates' answers are still there:
    # Kim counts once (the later protocol, whose key remains), solo counts as themself.
    assert doc["quality"]["removed"]["duplicate"] == 1 and doc["quality"]["persons"] == 2
    assert doc["quality"]["without_person_key"] == 2
    assert doc["scales"]["logic.theta"]["mean"] == pytest.approx((1.4 - 0.6) / 2, abs=1e-4)

    # Once the second candidacy is erased too, nobody marks it: Kim still counts once.
    with app.app_context():
        session = get_session()
        assert privacy.erase(session, session.get(Candidate, c2), storage_dir=tmp_path / "files", user_id=None,
                             now=T0, reason="retention")["norm_duplicates"] == 0
        session.commit()
    assert build(runner, out).exit_code == 0
    assert document(out, version=2)["quality"]["persons"] == 2 and document(out, version=2)["n"] == 2


def test_table_document_checks_the_quality_record():
    doc = {"format": "second-opinion/norms", "format_version": 2, "group": "x", "version": "1",
           "label": {"sv": "X", "en": "X"}, "provisional": False, "n": 5, "date": "2026-12-06",
           "method": {"sv": "M", "en": "M"}, "source": "s",
           "scales": {"logic.theta": {"distribution": "normal", "mean": 0, "sd": 1, "min": -4, "max": 4,
                                      "discrete": False, "latent": True, "n": 5}},
           "population": {"scope": "client", "client_id": 3, "client": "K", "assignments": [1]},
           "quality": {"gates": [], "removed": {"incomplete": 0}, "kept": 5, "persons": 5, "n": 5, "min_n": 200,
                       "provisional": True, "settings": {}}}
    with pytest.raises(ValueError, match="provisional"):
        parse_norm_table(doc)  # N = 5 under a minimum of 200 cannot be a final table
    doc["provisional"] = True
    assert parse_norm_table(doc).local_scope == "client"
    doc["population"] = {"scope": "client"}
    with pytest.raises(ValueError, match="client_id"):
        parse_norm_table(doc)
    doc["population"] = {"scope": "everyone"}
    with pytest.raises(ValueError, match="scope"):
        parse_norm_table(doc)


@pytest.fixture
def norm_dir(tmp_path, monkeypatch):
    """The app reads norm tables from a copy of the shipped ones, where a test may add its own."""
    directory = tmp_path / "norm_tables"
    shutil.copytree(norm_tables.DEFAULT_DIRECTORY, directory)
    monkeypatch.setattr(norm_tables, "DEFAULT_DIRECTORY", directory)
    monkeypatch.setattr("norms.build.DEFAULT_DIRECTORY", directory)
    clear_cache()
    yield directory
    clear_cache()


def test_a_local_table_chosen_for_an_assignment_scores_it_and_is_labelled(app, client, runner, db, norm_dir,
                                                                         make_assignment, make_invitation):
    user = User(email="anna@example.com", name="Anna", role=Role.CONSULTANT,
                password_hash=generate_password_hash(PASSWORD))
    db.add(user)
    db.commit()
    s = Seed(db)
    ours = s.assignment(Client(name="Vår kund AB"))
    for theta in (1.0, 1.5, 2.0, 2.5):
        s.logic(s.candidate(ours), theta)
    for value in (3.0, 3.4, 3.8, 4.2):
        s.inventory(s.candidate(ours), value)
    db.commit()
    result = runner.invoke(args=["norms", "build", "--group", "vaar_kund", "--client", str(ours.client_id),
                                 "--label-sv", "Vår kunds kandidater", "--label-en", "Our client's candidates"])
    assert result.exit_code == 0, result.output
    assert (norm_dir / "vaar_kund.v1.json").exists()

    new = make_assignment(staff=(user.id,))
    other = make_assignment(staff=(user.id,))  # another client
    db.execute(sa.update(Assignment).where(Assignment.id == new).values(client_id=ours.client_id))
    db.commit()
    assert sign_in(client, "anna@example.com", PASSWORD).status_code == 302

    def edit(aid, group, role_family=""):
        page = client.get(f"/admin/assignments/{aid}/edit")
        return client.post(f"/admin/assignments/{aid}/edit", data={
            "csrf_token": csrf_from(page), "title": "Säljchef", "norm_group": group, "role_family": role_family,
            "time_limit": "20", "uses_logic": "y", "uses_personality": "y", "status": "open"})

    page = client.get(f"/admin/assignments/{new}/edit").get_data(as_text=True)
    assert "Vår kunds kandidater · lokal norm: endast kandidater till Vår kund AB · preliminär (N = 4)" in page
    assert "vaar_kund" not in client.get(f"/admin/assignments/{other}/edit").get_data(as_text=True)
    refused = edit(other, "vaar_kund")
    assert refused.status_code == 400 and "annan kund" in refused.get_data(as_text=True)
    assert db.scalar(sa.select(Assignment.norm_group).where(Assignment.id == other)) == "general"
    assert edit(new, "vaar_kund", "sales").status_code == 302
    db.expire_all()
    saved = db.get(Assignment, new)
    assert (saved.norm_group, saved.role_family) == ("vaar_kund", "sales")

    cid, _, link = make_invitation(new, email="ny@example.com")
    taker = Taker(app.test_client(), link).through_practice()
    taker.start_test()
    taker.answer_all_items()
    taker.finish_inventory(value=4)
    results = db.execute(sa.select(Result.scale, Result.norm_ref, Result.norm_provisional, Result.theta,
                                   Result.percentile).join(Attempt).where(Attempt.candidate_id == cid)).all()
    assert results and {r.norm_ref for r in results} == {"vaar_kund.v1"} and all(r.norm_provisional for r in results)
    local = load_norm_table("vaar_kund")
    logic = next(r for r in results if r.scale == "logic.theta")
    assert logic.percentile == local.convert("logic.theta", min(max(logic.theta, -4), 4), se=0.3).percentile

    html = client.get(f"/admin/candidates/{cid}").get_data(as_text=True)
    assert "Vår kunds kandidater" in html
    assert 'data-local-norm="client"' in html and "lokal norm: endast kandidater till Vår kund AB" in html
    assert 'data-provisional="small-n"' in html and "byggd på 4 kandidater" in html
    assert 'data-provisional="simulated"' not in html
    board = client.get(f"/admin/assignments/{new}").get_data(as_text=True)
    assert 'data-local-norm="client"' in board

    # The reports say it too, in their own language; not the notice about simulated data.
    from portal.db import get_session
    from portal.models import ReportKind
    from portal.services import reports

    for kind in (ReportKind.CLIENT, ReportKind.CANDIDATE):
        with app.test_request_context():
            session = get_session()
            content = reports.build_content(session, session.get(Candidate, cid), kind, now=T0, renderer=renderer, inventory=res.inventory())
            html = reports.render_html(content, renderer=renderer)
        assert [t["ref"] for t in content["norm_tables"]] == ["vaar_kund.v1"] and not content["simulated_norms"]
        assert 'data-local-norm="client"' in html and "kandidater som bedömts för Vår kund AB (N = 4)" in html
        assert 'data-provisional="small-n"' in html and "simulerade data" not in html


def test_a_profile_template_sets_the_role_family_only_when_unset(app, db, make_assignment):
    from portal.db import get_session
    from portal.services import profiles

    blank, chosen = make_assignment(), make_assignment(role_family="manager")
    with app.app_context():
        session = get_session()
        for aid in (blank, chosen):
            profiles.start_from_template(session, session.get(Assignment, aid), "sales", user_id=None, now=T0)
        session.commit()
    assert dict(db.execute(sa.select(Assignment.id, Assignment.role_family)).all()) == {blank: "sales",
                                                                                        chosen: "manager"}
