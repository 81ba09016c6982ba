"""Requirement profiles: versions, locking, templates, custom competencies, and the pages."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from conftest import csrf_from, step_of
from portal.competencies import load_library, load_templates
from portal.models import Assignment, AuditEvent, Competency, RequirementProfile, Role
from portal.services import profiles as svc

SECRET_NAME = "Hemliga Kandidaten"


def items(*specs):
    """items(("drive", 3, 4, True), ...) -> the dicts save_profile takes."""
    return [{"key": k, "weight": w, "target_level": t, "must": m} for k, w, t, m in specs]


BASIC = items(("problem_solving", 3, 4, True), ("drive", 2, 3, False))


def audit_since(db, before: int) -> list[AuditEvent]:
    return db.scalars(sa.select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id)).all()


def last_audit_id(db) -> int:
    return db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0


def custom_data(key="custom.safety_culture", name_en="Safety culture"):
    def pair(text):
        return {"sv": f"{text} (sv)", "en": f"{text} (en)"}

    return {
        "key": key,
        "name": {"sv": "Säkerhetskultur", "en": name_en},
        "definition": pair("Puts safety first"),
        "indicators": {str(level): pair(f"Level {level} behaviour") for level in range(1, 6)},
        "questions": [{"question": pair(f"Tell me about situation {n}"),
                       "probes": [pair(f"Probe {n}.{m}") for m in range(1, 4)]} for n in range(1, 5)],
        "scales": [],
    }


@pytest.fixture
def staff_user(make_user):
    return make_user("konsult@example.com")


@pytest.fixture
def assignment(db, make_assignment, staff_user):
    return db.get(Assignment, make_assignment(staff=[staff_user]))


@pytest.fixture
def clock_now(clock):
    return clock()


# -------------------------------------------------------------------------- service


def test_first_save_is_version_1_and_unlocked_edits_stay_in_place(db, assignment, staff_user, clock_now):
    assert svc.current_profile(db, assignment) is None
    v1 = svc.save_profile(db, assignment, user_id=staff_user, items=BASIC, logic_min_percentile=30,
                          personality_targets={"personality.CO": [40, 90]}, now=clock_now)
    assert (v1.version, v1.locked_at, v1.logic_min_percentile) == (1, None, 30)
    assert [(c.competency_key, c.weight, c.target_level, c.must) for c in v1.competencies] == [
        ("problem_solving", 3, 4, True), ("drive", 2, 3, False)]

    # Same keys again (the unique constraint per profile must not trip) plus a new one.
    again = svc.save_profile(db, assignment, user_id=staff_user, logic_min_percentile=None, personality_targets={},
                             items=items(("drive", 5, 5, True), ("problem_solving", 1, 2, False),
                                         ("leadership", 4, 3, False)), now=clock_now)
    db.commit()
    db.expire_all()
    assert again.id == v1.id
    assert svc.history(db, assignment) == [v1]
    assert v1.version == 1 and v1.logic_min_percentile is None and v1.personality_targets == {}
    assert [(c.competency_key, c.weight, c.target_level, c.must) for c in v1.competencies] == [
        ("drive", 5, 5, True), ("problem_solving", 1, 2, False), ("leadership", 4, 3, False)]


def test_lock_then_change_needs_a_reason_and_keeps_the_old_version(db, assignment, staff_user, clock, clock_now):
    assert svc.lock_current(db, assignment, now=clock_now) is None  # nothing to lock yet
    v1 = svc.save_profile(db, assignment, user_id=staff_user, items=BASIC, logic_min_percentile=30,
                          personality_targets={}, now=clock_now)
    locked = svc.lock_current(db, assignment, now=clock_now)
    assert locked.id == v1.id and locked.locked_at == clock_now
    clock.advance(hours=1)
    assert svc.lock_current(db, assignment, now=clock()).locked_at == clock_now  # idempotent

    for reason in ("", "   "):
        with pytest.raises(svc.ProfileError) as exc:
            svc.save_profile(db, assignment, user_id=staff_user, items=items(("drive", 5, 5, True)),
                             logic_min_percentile=None, personality_targets={}, reason=reason, now=clock())
        assert exc.value.code == "locked_needs_reason" and exc.value.field == "reason"

    v2 = svc.save_profile(db, assignment, user_id=staff_user, items=items(("drive", 5, 5, True)),
                          logic_min_percentile=None, personality_targets={},
                          reason=" Kunden vill betona driv ", now=clock())
    db.commit()
    db.expire_all()
    assert (v2.version, v2.reason, v2.locked_at) == (2, "Kunden vill betona driv", None)
    assert svc.current_profile(db, assignment).id == v2.id
    assert [p.version for p in svc.history(db, assignment)] == [1, 2]
    # version 1 unchanged
    old = db.get(RequirementProfile, v1.id)
    assert old.locked_at == clock_now and old.logic_min_percentile == 30
    assert [c.competency_key for c in old.competencies] == ["problem_solving", "drive"]
    # version 2 is edited in place until it is locked in turn
    svc.save_profile(db, assignment, user_id=staff_user, items=items(("drive", 4, 5, True)),
                     logic_min_percentile=None, personality_targets={}, now=clock())
    assert [p.version for p in svc.history(db, assignment)] == [1, 2]
    assert svc.current_profile(db, assignment).competencies[0].weight == 4


def test_an_edit_cannot_change_a_version_locked_meanwhile(app, db, database_url, assignment, staff_user, clock_now):
    """The page loaded an unlocked profile; the results were opened (locked) by another
    request before the save: the save must not rewrite the locked version."""
    svc.save_profile(db, assignment, user_id=staff_user, items=BASIC, logic_min_percentile=None,
                     personality_targets={}, now=clock_now)
    db.commit()
    stale = svc.current_profile(db, assignment)  # as loaded for the page: unlocked
    assert stale.locked_at is None
    engine = sa.create_engine(database_url)
    try:
        with Session(engine) as other:
            svc.lock_current(other, other.get(Assignment, assignment.id), now=clock_now)
            other.commit()
    finally:
        engine.dispose()
    with pytest.raises(svc.ProfileError) as exc:
        svc.save_profile(db, assignment, user_id=staff_user, items=items(("drive", 5, 5, True)),
                         logic_min_percentile=None, personality_targets={}, now=clock_now)
    assert exc.value.code == "locked_needs_reason"
    assert stale.locked_at is not None
    db.rollback()
    assert [c.competency_key for c in svc.current_profile(db, assignment).competencies] == [
        "problem_solving", "drive"]


def test_start_from_template(db, assignment, staff_user, clock_now):
    template = load_templates()["manager"]
    profile = svc.start_from_template(db, assignment, "manager", user_id=staff_user, now=clock_now)
    assert profile.version == 1 and profile.logic_min_percentile == template.logic_min_percentile
    assert [(c.competency_key, c.weight, c.target_level, c.must) for c in profile.competencies] == [
        (i.key, i.weight, i.target_level, i.must) for i in template.competencies]
    with pytest.raises(svc.ProfileError) as exc:
        svc.start_from_template(db, assignment, "sales", user_id=staff_user, now=clock_now)
    assert exc.value.code == "exists"
    with pytest.raises(svc.ProfileError) as exc:
        svc.start_from_template(db, assignment, "astronaut", user_id=staff_user, now=clock_now)
    assert exc.value.code == "unknown_template"


@pytest.mark.parametrize("bad_items, percentile, targets, codes", [
    ([], None, {}, ["empty"]),
    (items(("no_such_thing", 3, 3, False)), None, {}, ["unknown_competency"]),
    (items(("custom.not_created", 3, 3, False)), None, {}, ["unknown_competency"]),
    (items(("drive", 3, 3, False), ("drive", 2, 2, False)), None, {}, ["duplicate"]),
    (items(("drive", 0, 3, False)), None, {}, ["weight_range"]),
    (items(("drive", 6, 3, False)), None, {}, ["weight_range"]),
    (items(("drive", None, 3, False)), None, {}, ["weight_range"]),
    (items(("drive", True, 3, False)), None, {}, ["weight_range"]),
    (items(("drive", 3, 0, False)), None, {}, ["level_range"]),
    (items(("drive", 3, 6, False)), None, {}, ["level_range"]),
    (BASIC, 0, {}, ["percentile_range"]),
    (BASIC, 100, {}, ["percentile_range"]),
    (BASIC, None, {"personality.CO": [90, 40]}, ["personality_target"]),
    (BASIC, None, {"logic.theta": [10, 90]}, ["personality_target"]),
    (items(("drive", 0, 9, False), ("nope", 3, 3, False)), 0, {}, ["weight_range", "level_range",
                                                                    "unknown_competency", "percentile_range"]),
])
def test_invalid_profiles_are_refused_with_every_problem(db, assignment, staff_user, clock_now, bad_items,
                                                         percentile, targets, codes):
    with pytest.raises(svc.ProfileError) as exc:
        svc.save_profile(db, assignment, user_id=staff_user, items=bad_items, logic_min_percentile=percentile,
                         personality_targets=targets, now=clock_now)
    assert [p.code for p in exc.value.problems] == codes and exc.value.code == codes[0]
    assert svc.current_profile(db, assignment) is None


def test_boundary_values_are_accepted(db, assignment, staff_user, clock_now):
    profile = svc.save_profile(db, assignment, user_id=staff_user, logic_min_percentile=99,
                               items=items(("drive", 1, 1, False), ("leadership", 5, 5, True)),
                               personality_targets={"personality.CO.drive": [1, 99]}, now=clock_now)
    assert profile.logic_min_percentile == 99


def test_custom_competency_is_stored_and_usable(db, assignment, staff_user, clock_now):
    assert svc.custom_key("Säkerhet & kultur!") == "custom.sakerhet_kultur"
    assert svc.custom_key("2nd line support") == "custom.c_2nd_line_support"
    before = last_audit_id(db)
    row = svc.create_custom_competency(db, custom_data(), user_id=staff_user, now=clock_now)
    assert db.scalar(sa.select(Competency).where(Competency.key == "custom.safety_culture")).id == row.id
    known = svc.all_competencies(db)
    assert set(load_library()) < set(known)
    assert known["custom.safety_culture"].custom and known["custom.safety_culture"].indicators[3]["en"] == \
        "Level 3 behaviour (en)"
    profile = svc.save_profile(db, assignment, user_id=staff_user, logic_min_percentile=None,
                               personality_targets={},
                               items=items(("custom.safety_culture", 5, 4, True), ("drive", 2, 3, False)),
                               now=clock_now)
    assert profile.competencies[0].competency_key == "custom.safety_culture"
    assert [(e.action, e.object_type, e.detail) for e in audit_since(db, before)] == [
        ("create", "competency", {"key": "custom.safety_culture"}),
        ("create", "requirement_profile", {"version": 1})]

    with pytest.raises(svc.ProfileError) as exc:
        svc.create_custom_competency(db, custom_data(), user_id=staff_user, now=clock_now)
    assert exc.value.code == "exists"
    bad = custom_data(key="safety")
    bad["questions"] = bad["questions"][:3]
    with pytest.raises(svc.ProfileError) as exc:
        svc.create_custom_competency(db, bad, user_id=staff_user, now=clock_now)
    assert exc.value.code == "invalid" and {p.field for p in exc.value.problems} == {"key", "questions"}


def test_audit_events_without_personal_data(db, make_invitation, assignment, staff_user, clock, clock_now):
    make_invitation(assignment.id, name=SECRET_NAME, email="hemlig@example.com")
    before = last_audit_id(db)
    svc.save_profile(db, assignment, user_id=staff_user, items=BASIC, logic_min_percentile=None,
                     personality_targets={}, now=clock_now)
    svc.save_profile(db, assignment, user_id=staff_user, items=BASIC[:1], logic_min_percentile=None,
                     personality_targets={}, now=clock_now)
    svc.lock_current(db, assignment, now=clock_now, user_id=staff_user)
    svc.lock_current(db, assignment, now=clock_now, user_id=staff_user)
    v2 = svc.save_profile(db, assignment, user_id=staff_user, items=BASIC, logic_min_percentile=None,
                          personality_targets={}, reason=f"Efter samtal med {SECRET_NAME}", now=clock_now)
    events = audit_since(db, before)
    assert [(e.action, e.object_type, e.detail, e.user_id) for e in events] == [
        ("create", "requirement_profile", {"version": 1}, staff_user),
        ("update", "requirement_profile", {"version": 1}, staff_user),
        ("lock", "requirement_profile", {"version": 1}, staff_user),
        ("new_version", "requirement_profile", {"version": 2}, staff_user),
    ]
    assert events[-1].object_id == v2.id
    # the reason is free text (it may name people): it stays in the profile, not in the log
    assert all(SECRET_NAME not in str(e.detail) for e in events)


# ---------------------------------------------------------------------------- pages


@pytest.fixture
def consultant(app, staff_user, login_as):
    return login_as("konsult@example.com")


def form_data(page, rows=(), **extra):
    """A profile form post: rows of (key, weight, target, must)."""
    data = {"csrf_token": csrf_from(page), "include": [r[0] for r in rows]}
    for key, weight, target, must in rows:
        data[f"weight-{key}"] = str(weight)
        data[f"target-{key}"] = str(target)
        if must:
            data[f"must-{key}"] = "1"
    data.update(extra)
    return data


def heading_version(response) -> str | None:
    match = re.search(r'<h1 data-version="(\d+)"', response.get_data(as_text=True))
    return match.group(1) if match else None


def test_profile_page_builds_and_versions_a_profile(app, db, consultant, assignment, clock):
    url = f"/admin/assignments/{assignment.id}/profile"
    page = consultant.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and step_of(page) == "profile" and heading_version(page) == "0"
    drive = load_library()["drive"]
    # every library competency, with its definition and the level 3 and 5 anchors, in Swedish
    assert html.count('name="include"') == len(load_library())
    for text in (drive.name["sv"], drive.definition["sv"], drive.indicators[3]["sv"], drive.indicators[5]["sv"]):
        assert str(text).replace("'", "&#39;") in html
    assert 'name="template" value="manager"' in html

    saved = consultant.post(url, data=form_data(page, [("drive", 4, 3, True), ("planning", 2, 4, False)],
                                                logic_min_percentile="25"))
    assert saved.status_code == 302
    page = consultant.get(url)
    html = page.get_data(as_text=True)
    assert heading_version(page) == "1" and 'data-locked="no"' in html
    assert re.search(r'<select name="weight-drive"[^>]*>.*?<option value="4" selected>', html, re.DOTALL)
    assert 'name="must-drive" value="1" checked' in html and 'value="25"' in html
    assert 'name="reason"' not in html  # not locked: no reason asked for

    with app.app_context():
        from portal.db import get_session

        session = get_session()
        svc.lock_current(session, session.get(Assignment, assignment.id), now=clock())
        session.commit()
    page = consultant.get(url)
    html = page.get_data(as_text=True)
    assert 'data-locked="yes"' in html and 'data-next-version="2"' in html and 'name="reason"' in html

    # no reason: refused, everything submitted is shown again
    bad = consultant.post(url, data=form_data(page, [("leadership", 5, 2, True)], logic_min_percentile="40"))
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and heading_version(bad) == "1"
    assert re.search(r'id="reason-error"', html) and 'aria-invalid="true"' in html
    assert 'value="leadership" aria-describedby="def-leadership" checked' in html
    assert re.search(r'<select name="target-leadership"[^>]*>.*?<option value="2" selected>', html, re.DOTALL)
    assert 'name="must-leadership" value="1" checked' in html and 'value="40"' in html

    ok = consultant.post(url, data=form_data(page, [("leadership", 5, 2, True)], reason="Ny chef i teamet"))
    assert ok.status_code == 302
    history = consultant.get(f"{url}/history")
    html = history.get_data(as_text=True)
    assert history.status_code == 200 and step_of(history) == "profile-history"
    assert re.findall(r'<section aria-labelledby="v\d-h" data-version="(\d)"', html) == ["2", "1"]
    assert "Ny chef i teamet" in html and html.index('data-key="leadership"') < html.index('data-key="drive"')
    profiles = db.scalars(sa.select(RequirementProfile).where(RequirementProfile.assignment_id == assignment.id)
                          .order_by(RequirementProfile.version)).all()
    assert [(p.version, p.reason, p.logic_min_percentile) for p in profiles] == [
        (1, "", 25), (2, "Ny chef i teamet", None)]


def test_profile_editor_has_a_summary_sections_and_every_level_of_a_chosen_competency(consultant, assignment):
    url = f"/admin/assignments/{assignment.id}/profile"
    page = consultant.get(url)
    library = load_library()
    consultant.post(url, data=form_data(page, [("drive", 4, 2, True), ("planning", 2, 4, False)],
                                        logic_min_percentile="30", **{"pt-low-CO": "40", "pt-high-CO": "90"}))
    html = consultant.get(url).get_data(as_text=True)
    summary = html[html.index("data-profile-summary"):html.index('id="competencies-h"')]
    assert "2 kompetenser" in summary and "vikt 4, målnivå 2, måste-krav" in summary
    assert "lägsta percentil: 30" in summary and "40–90" in summary
    # The chosen competencies come first, each with all five levels and its target marked ...
    drive = html[html.index('data-key="drive"'):html.index("</fieldset>", html.index('data-key="drive"'))]
    for level in range(1, 6):
        assert str(library["drive"].indicators[level]["sv"]).replace("'", "&#39;") in drive
    assert drive.count("data-target-level") == 1 and "Nivå 2:" in drive
    # ... and the rest of the library is folded away below them.
    others = html[html.index("<details class=\"other-competencies\""):]
    assert html.index('data-key="planning"') < html.index("<details class=\"other-competencies\"")
    assert f"{len(library) - 2} kompetenser till i biblioteket" in others and 'data-key="drive"' not in others
    assert "<details class=\"other-competencies\"  data-others" in html  # closed once something is chosen


def test_profile_form_errors_are_shown_next_to_the_fields(consultant, db, assignment):
    url = f"/admin/assignments/{assignment.id}/profile"
    page = consultant.get(url)
    none = consultant.post(url, data=form_data(page, [], logic_min_percentile="120"))
    html = none.get_data(as_text=True)
    assert none.status_code == 400 and 'id="items-error"' in html and 'id="logic_min_percentile-error"' in html
    assert 'value="120"' in html
    tampered = consultant.post(url, data=form_data(page, [("drive", 9, 3, False), ("problem_solving", 3, 0, True)]))
    html = tampered.get_data(as_text=True)
    assert tampered.status_code == 400
    assert 'id="weight-drive-error"' in html and 'id="target-problem_solving-error"' in html
    assert 'id="weight-problem_solving-error"' not in html
    unknown = consultant.post(url, data=form_data(page, [("not_a_competency", 3, 3, False)]))
    assert unknown.status_code == 400 and "not_a_competency" in unknown.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count(RequirementProfile.id))) == 0


def test_template_start_page(consultant, db, assignment):
    url = f"/admin/assignments/{assignment.id}/profile"
    token = csrf_from(consultant.get(url))
    started = consultant.post(f"{url}/template", data={"csrf_token": token, "template": "sales"})
    assert started.status_code == 302
    page = consultant.get(url)
    assert heading_version(page) == "1" and 'name="template"' not in page.get_data(as_text=True)
    keys = [c.competency_key for c in svc.current_profile(db, assignment).competencies]
    assert keys == [i.key for i in load_templates()["sales"].competencies]
    again = consultant.post(f"{url}/template", data={"csrf_token": token, "template": "manager"},
                            follow_redirects=True)
    assert 'class="flash flash-error"' in again.get_data(as_text=True)
    db.expire_all()
    assert [c.competency_key for c in svc.current_profile(db, assignment).competencies] == keys


def test_csrf_is_enforced(consultant, db, assignment):
    url = f"/admin/assignments/{assignment.id}/profile"
    consultant.get(url)
    no_token = {"include": ["drive"], "weight-drive": "3", "target-drive": "3"}
    assert consultant.post(url, data=no_token).status_code == 400
    assert consultant.post(f"{url}/template", data={"template": "sales"}).status_code == 400
    assert consultant.post("/admin/competencies/new", data={"name_sv": "x"}).status_code == 400
    assert db.scalar(sa.select(sa.func.count(RequirementProfile.id))) == 0


def test_unstaffed_consultant_gets_404(app, db, make_assignment, consultant, staff_user):
    other = make_assignment(title="Annat uppdrag")
    token = csrf_from(consultant.get("/admin/competencies/new"))
    for url in (f"/admin/assignments/{other}/profile", f"/admin/assignments/{other}/profile/history"):
        assert consultant.get(url).status_code == 404, url
    assert consultant.post(f"/admin/assignments/{other}/profile",
                           data={"csrf_token": token, "include": ["drive"], "weight-drive": "3",
                                 "target-drive": "3"}).status_code == 404
    assert consultant.post(f"/admin/assignments/{other}/profile/template",
                           data={"csrf_token": token, "template": "sales"}).status_code == 404
    assert db.scalar(sa.select(sa.func.count(RequirementProfile.id))) == 0
    assert consultant.get("/admin/assignments/999999/profile").status_code == 404


def competency_form(page, questions=4, probes=3, **overrides):
    data = {"csrf_token": csrf_from(page), "name_sv": "Säkerhetskultur", "name_en": "Safety culture",
            "definition_sv": "Sätter säkerheten först.", "definition_en": "Puts safety first."}
    for i in range(5):
        data[f"indicators-{i}-sv"] = f"Nivå {i + 1}"
        data[f"indicators-{i}-en"] = f"Level {i + 1}"
    for n in range(questions):
        data[f"questions-{n}-text_sv"] = f"Berätta om situation {n}."
        data[f"questions-{n}-text_en"] = f"Tell me about situation {n}."
        data[f"questions-{n}-probes_sv"] = "\n".join(f"Fråga {m}?" for m in range(probes))
        data[f"questions-{n}-probes_en"] = "\n".join(f"Probe {m}?" for m in range(probes))
    data.update(overrides)
    return data


def test_consultant_adds_a_competency_and_uses_it(consultant, db, assignment):
    page = consultant.get(f"/admin/competencies/new?assignment_id={assignment.id}")
    assert page.status_code == 200 and step_of(page) == "competency-new"

    bad = consultant.post("/admin/competencies/new",
                          data=competency_form(page, questions=3, name_en="", **{
                              "indicators-2-sv": "", "questions-1-probes_en": "Only one?"}))
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    for error_id in ("name_en-error", "indicators-2-sv-error", "questions-1-probes_en-error", "questions-error"):
        assert f'id="{error_id}"' in html, error_id
    assert "Berätta om situation 2." in html and "Nivå 4" in html  # nothing lost
    assert db.scalar(sa.select(sa.func.count(Competency.id))) == 0

    mismatch = consultant.post("/admin/competencies/new", data=competency_form(
        page, **{"questions-0-probes_en": "A?\nB?\nC?\nD?", "questions-2-text_sv": "Berätta om  SITUATION 0."}))
    html = mismatch.get_data(as_text=True)
    assert mismatch.status_code == 400
    assert 'id="questions-0-probes_en-error"' in html and 'id="questions-2-text_sv-error"' in html
    assert 'id="questions-error"' not in html  # four questions were written

    ok = consultant.post("/admin/competencies/new", data=competency_form(page, assignment_id=str(assignment.id)))
    assert ok.status_code == 302 and ok.headers["Location"].endswith(f"/admin/assignments/{assignment.id}/profile")
    row = db.scalar(sa.select(Competency))
    assert row.key == "custom.safety_culture" and len(row.questions) == 4
    assert row.questions[0]["probes"][2] == {"sv": "Fråga 2?", "en": "Probe 2?"}

    profile_url = f"/admin/assignments/{assignment.id}/profile"
    profile_page = consultant.get(profile_url)
    assert 'value="custom.safety_culture"' in profile_page.get_data(as_text=True)
    saved = consultant.post(profile_url, data=form_data(profile_page, [("custom.safety_culture", 5, 4, True)]))
    assert saved.status_code == 302
    assert svc.current_profile(db, assignment).competencies[0].competency_key == "custom.safety_culture"

    duplicate = consultant.post("/admin/competencies/new", data=competency_form(page))
    assert duplicate.status_code == 400 and 'id="name_en-error"' in duplicate.get_data(as_text=True)


def test_client_users_cannot_reach_the_pages(app, db, assignment, login_as, make_user):
    make_user("kund@example.com", Role.CLIENT, client_id=assignment.client_id)
    client = login_as("kund@example.com")
    for url in (f"/admin/assignments/{assignment.id}/profile", f"/admin/assignments/{assignment.id}/profile/history",
                "/admin/competencies/new"):
        assert client.get(url).status_code == 403, url


def test_lock_time_is_shown(app, consultant, db, assignment, staff_user, clock):
    svc.save_profile(db, assignment, user_id=staff_user, items=BASIC, logic_min_percentile=None,
                     personality_targets={}, now=clock())
    svc.lock_current(db, assignment, now=clock() + timedelta(days=1))
    db.commit()
    history = consultant.get(f"/admin/assignments/{assignment.id}/profile/history").get_data(as_text=True)
    # created 09:00 UTC on the 26th, locked a day later; shown in Stockholm time (Swedish format)
    assert "<dd>2026-11-26 10:00</dd>" in history and "<dd>2026-11-27 10:00</dd>" in history
    page = consultant.get(f"/admin/assignments/{assignment.id}/profile").get_data(as_text=True)
    assert "2026-11-27 10:00" in page


def test_personality_target_bands_are_saved_and_checked(app, db, make_assignment, login_as, make_user):
    from conftest import csrf_from

    aid = make_assignment(staff=[make_user("band@example.com")])
    client = login_as("band@example.com", check=False)
    token = csrf_from(client.get(f"/admin/assignments/{aid}/profile"))
    base = {"csrf_token": token, "include": "drive", "weight-drive": "3", "target-drive": "4"}
    bad = client.post(f"/admin/assignments/{aid}/profile", data={**base, "pt-low-CO": "80", "pt-high-CO": "20"})
    assert bad.status_code == 400 and "lägre gränsen först" in bad.get_data(as_text=True)
    assert 'name="pt-low-CO" value="80"' in bad.get_data(as_text=True)  # kept
    ok = client.post(f"/admin/assignments/{aid}/profile", data={**base, "pt-low-CO": "40", "pt-high-CO": "90"})
    assert ok.status_code == 302
    profile = db.scalar(sa.select(RequirementProfile).where(RequirementProfile.assignment_id == aid))
    assert profile.personality_targets == {"personality.CO": [40, 90]}
    assert 'name="pt-low-CO" value="40"' in client.get(f"/admin/assignments/{aid}/profile").get_data(as_text=True)
