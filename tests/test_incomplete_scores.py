"""Honest incomplete scores: a logic test cut off by the time limit is shown as what it is
(items reached, the ability on the answered items with its band, the timed score marked
as such) on the results page and in both reports; complete tests show their SE and
reliability; the time limit and the candidate's instructions match the scoring."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from conftest import csrf_from
from helpers import Candidate as Browser
from item_banks import adaptive
from portal import resources as res
from portal.db import get_session
from portal.models import Assignment, Attempt, Candidate, Client, ReportKind, Result, TestKind, User
from portal.services import journey, profiles
from portal.services import reports as svc
from portal.services.assignments import create_assignment
from portal.services.scoring import LOGIC_SCALE
from portal.web import renderer

REACHED = 12  # the example: a strong candidate cut off after 12 items


def pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


@pytest.fixture
def consultant(make_user):
    return make_user("kons@example.com", name="Kons Ult")


def take_logic(app, clock, candidate_id: int, *, items: int | None, language: str = "sv") -> None:
    """Answer every item correctly, 40 s each; ``items`` answers and then let the clock run
    out, or (None) until the test stops on its own rules."""
    with app.app_context():
        session = get_session()
        c = session.get(Candidate, candidate_id)
        bank, norms = res.logic_bank(), res.norm_table(c.assignment.norm_group)
        journey.accept_welcome(session, c, language=language, now=clock())
        journey.begin_practice(session, c)
        for position, item in enumerate(bank.practice):
            journey.answer_practice(session, c, bank, position=position, chosen=item.key)
        attempt = journey.start_logic(session, c, bank, now=clock(), seed=20261126)
        n = 0
        while items is None or n < items:
            shown = journey.present_logic_item(session, attempt, bank, now=clock())
            if shown is None:
                break
            clock.advance(seconds=40)
            option = shown.response.option_ids[shown.response.option_order.index(shown.item.key)]
            journey.answer_logic_item(session, attempt, response_id=shown.response.id, option_id=option,
                                      now=clock(), bank=bank, norms=norms)
            n += 1
        if items is not None:
            assert attempt.finished_at is None, "the test stopped before the time ran out"
            clock.advance(hours=1)
            assert journey.expire_if_due(session, attempt, now=clock(), bank=bank, norms=norms)
        session.commit()


@pytest.fixture
def setup(app, db, clock, consultant, make_assignment, make_invitation):
    """An assignment (60-minute limit, a requirement profile) and a function that invites a
    candidate and has them take the logic test: ``items`` answers, or to the end."""
    aid = make_assignment(title="Analytiker", staff=[consultant], logic_time_limit_minutes=60)
    with app.app_context():
        session = get_session()
        profiles.start_from_template(session, session.get(Assignment, aid), "manager", user_id=consultant,
                                     now=clock())
        session.commit()

    def candidate(items: int | None, *, name="Tea Tidsbrist", email="tea@example.com", language="sv") -> int:
        cid, _, _ = make_invitation(aid, name=name, email=email, language=language)
        take_logic(app, clock, cid, items=items, language=language)
        return cid

    return {"assignment": aid, "candidate": candidate}


def logic_result(db, candidate_id: int) -> Result:
    db.expire_all()
    return db.scalar(sa.select(Result).join(Attempt).where(
        Attempt.candidate_id == candidate_id, Attempt.kind == TestKind.LOGIC, Result.scale == LOGIC_SCALE))


def content(app, clock, candidate_id: int, kind: ReportKind) -> dict:
    with app.app_context():
        session = get_session()
        return svc.build_content(session, session.get(Candidate, candidate_id), kind, now=clock(), renderer=renderer, inventory=res.inventory())


def rendered(app, doc: dict) -> tuple[str, str]:
    with app.app_context():
        return svc.render_html(doc, renderer=renderer), pdf_text(svc.render_pdf(doc, renderer=renderer))


# --- scoring -----------------------------------------------------------------------------

def test_timed_out_result_carries_the_timed_score_and_the_answered_items_estimate(db, setup):
    result = logic_result(db, setup["candidate"](REACHED))
    details = result.details
    answered = details["answered"]
    assert details["complete"] is False and details["stop_reason"] == "time_limit"
    assert result.n_answered == REACHED and details["n_unreached"] > 0
    assert details["max_items"] == adaptive.APP_SETTINGS.max_items
    # Twelve right answers: a strong candidate. The timed score counts the unreached items
    # as wrong and is far lower; the answered-items estimate keeps what was shown.
    assert answered["theta"] > 1.5 and answered["percentile"] > 90
    assert result.theta < answered["theta"] - 1 and result.percentile < answered["percentile"] - 20
    # The timed score's stored band excludes the level shown on the answered items: that is
    # why it must never be presented as a measurement band.
    assert result.percentile_high < answered["percentile"]
    assert answered["percentile_low"] <= answered["percentile"] <= answered["percentile_high"]
    assert result.se == pytest.approx(answered["se"])


# --- the consultant's results page -----------------------------------------------------

def test_results_page_shows_an_incomplete_test_as_such(app, db, setup, login_as):
    cid = setup["candidate"](REACHED)
    result = logic_result(db, cid)
    answered = result.details["answered"]
    html = login_as("kons@example.com", check=False).get(f"/admin/candidates/{cid}").get_data(as_text=True)
    most = adaptive.APP_SETTINGS.max_items
    assert f"Ofullständigt test: tiden tog slut efter {REACHED} av högst {most} frågor." in html
    assert f'data-reached="{REACHED}"' in html
    # the ability on the answered items with its band, its SE and reliability
    measured = f"percentil {answered['percentile']:.0f} <span class=\"band\">(90 %-intervall " \
               f"{answered['percentile_low']:.0f}–{answered['percentile_high']:.0f})"
    assert measured in html
    assert f"SE = {answered['se']:.2f}" in html
    reliability = f"{max(0.0, 1 - answered['se'] ** 2):.2f}".lstrip("0")
    assert f'data-reliability="{reliability}"' in html
    # the timed score, marked as such and without a band
    timed = re.search(r'data-timed="(\d+)">([^<]*)<span class="muted">([^<]*)</span>', html)
    assert timed and int(timed.group(1)) == round(result.percentile)
    assert "obesvarade frågor räknas som fel" in timed.group(3)
    assert f"{result.percentile_low:.0f}–{result.percentile_high:.0f}" not in html
    # the chart draws the answered-items band and marks the timed score differently
    assert html.count('class="bandbar"') == 1


def test_results_page_shows_se_and_reliability_of_a_complete_test(app, db, setup, login_as):
    cid = setup["candidate"](None)
    result = logic_result(db, cid)
    assert result.details["complete"] is True
    html = login_as("kons@example.com", check=False).get(f"/admin/candidates/{cid}").get_data(as_text=True)
    reliability = f"{1 - result.se ** 2:.2f}".lstrip("0")
    assert "Reliabilitet för den här kandidaten" in html
    assert f'data-reliability="{reliability}"' in html
    assert f"SE = {result.se:.2f}" in html
    assert "(1 − SE²; testet siktar på SE 0.32 eller lägre, reliabilitet .90)" in html
    assert f"percentil {result.percentile:.0f} <span class=\"band\">(90 %-intervall " \
           f"{result.percentile_low:.0f}–{result.percentile_high:.0f})" in html
    assert "Ofullständigt test" not in html and "data-timed" not in html


def test_assignment_list_marks_the_timed_score(app, db, setup, login_as):
    cid = setup["candidate"](REACHED)
    result = logic_result(db, cid)
    page = login_as("kons@example.com", check=False).get(f"/admin/assignments/{setup['assignment']}")
    html = page.get_data(as_text=True)
    row = re.search(rf'<tr data-candidate="{cid}">.*?</tr>', html, re.S).group(0)
    assert "data-incomplete" in row and "tiden tog slut" in row
    assert f"tidsbegränsat resultat: percentil {result.percentile:.0f}" in row
    assert f"percentil {result.details['answered']['percentile']:.0f}</strong>" in row
    assert f"{result.percentile_low:.0f}–{result.percentile_high:.0f}" not in row


def strip_new_keys(db, candidate_id: int) -> Result:
    """Make the stored result look like one scored before the answered-items estimate."""
    result = logic_result(db, candidate_id)
    old = {k: v for k, v in result.details.items() if k not in ("answered", "complete", "n_unreached", "estimator")}
    db.execute(sa.update(Result).where(Result.id == result.id).values(details=old))
    db.commit()
    return logic_result(db, candidate_id)


@pytest.mark.parametrize("items", [None, REACHED], ids=["complete", "timed-out"])
def test_results_stored_before_the_change_still_render(app, db, clock, setup, items, login_as):
    cid = setup["candidate"](items)
    result = strip_new_keys(db, cid)
    html = login_as("kons@example.com", check=False).get(f"/admin/candidates/{cid}").get_data(as_text=True)
    if items is None:
        assert f"percentil {result.percentile:.0f} <span" in html and "data-reliability" in html
        assert "Ofullständigt test" not in html
    else:
        assert f"Ofullständigt test: tiden tog slut efter {REACHED} av högst" in html
        assert "resultatet beräknades innan skattningen på de besvarade frågorna" in html
        assert f'data-timed="{result.percentile:.0f}"' in html
    for kind in ReportKind:
        doc = content(app, clock, cid, kind)
        html, text = rendered(app, doc)
        assert "Logiskt resonerande" in text
        assert ("data-incomplete" in html) is (items is not None), kind


def test_a_report_released_before_the_change_renders_again(app, db, clock, setup):
    """Stored content of an old release has no ``timed``/``n_answered`` keys."""
    cid = setup["candidate"](REACHED)
    doc = content(app, clock, cid, ReportKind.CLIENT)
    for key in ("timed", "n_answered", "max_items", "n_unreached"):
        doc["logic"].pop(key)
    doc["logic"].update(level="average", level_name="Genomsnittligt", meaning="Text.", percentile=40, low=30, high=52)
    html, text = rendered(app, doc)
    assert "Tiden tog slut innan testet var klart; uppgifter som inte hanns med räknades som fel" in text
    assert "data-incomplete" not in html


# --- the reports -------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["sv", "en"])
def test_client_report_shows_items_reached_both_numbers_and_the_marked_timed_score(app, db, clock, setup, lang):
    db.execute(sa.update(Assignment).values(language=lang))
    db.commit()
    cid = setup["candidate"](REACHED)
    result = logic_result(db, cid)
    answered = result.details["answered"]
    doc = content(app, clock, cid, ReportKind.CLIENT)
    logic = doc["logic"]
    assert doc["language"] == lang and logic["incomplete"] and logic["n_answered"] == REACHED
    assert logic["percentile"] == round(answered["percentile"]) and logic["timed"] == {"percentile": round(result.percentile)}
    assert (logic["low"], logic["high"]) == (round(answered["percentile_low"]), round(answered["percentile_high"]))
    assert logic["meaning"] is None  # no level text for a result that is not a plain measurement
    html, text = rendered(app, doc)
    most = adaptive.APP_SETTINGS.max_items
    p, low, high, timed = logic["percentile"], logic["low"], logic["high"], logic["timed"]["percentile"]
    expected = {
        "sv": (f"Ofullständigt test: tiden tog slut efter {REACHED} av högst {most} frågor.",
               f"Förmåga på de besvarade frågorna: percentil {p} (intervall {low}–{high})",
               f"Tidsbegränsat resultat: percentil {timed} (obesvarade frågor räknas som fel",
               "Tiden tog slut innan testet var klart.",  # the explanation from report_texts.json
               "testet blev inte klart inom tiden, så resultatet är mindre säkert"),  # the finding under risks
        "en": (f"Incomplete test: time ran out after {REACHED} of at most {most} questions.",
               f"Ability on the answered questions: percentile {p} (band {low}–{high})",
               f"Timed score: percentile {timed} (unanswered questions counted as wrong",
               "Time ran out before the test was finished.",
               "the test was not finished within the time limit, so the result is less certain"),
    }[lang]
    for phrase in expected:
        assert phrase in text, phrase
        assert phrase in html.replace("&#39;", "'"), phrase
    # chart: the band of the answered items, the timed score as a white triangle
    assert f'data-band="{low}-{high}"' in html
    assert re.search(r'<path d="M [\d.]+ 31 l -6 10 h 12 z" fill="#fff" stroke="#000" stroke-width="1.2" '
                     rf'data-timed="{timed}"/>', html)
    assert f"{round(result.percentile_low)}–{round(result.percentile_high)}" not in text


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_candidate_report_tells_the_candidate_that_time_ran_out(app, db, clock, setup, lang):
    cid = setup["candidate"](REACHED, language=lang)
    result = logic_result(db, cid)
    doc = content(app, clock, cid, ReportKind.CANDIDATE)
    assert doc["language"] == lang
    html, text = rendered(app, doc)
    measured, timed = round(result.details["answered"]["percentile"]), round(result.percentile)
    most = adaptive.APP_SETTINGS.max_items
    expected = {
        "sv": (f"Tiden tog slut när du hade besvarat {REACHED} av högst {most} frågor.",
               "Tiden tog slut innan du hann göra klart testet.",
               f"På de frågor du besvarade: percentil {measured} (intervall",
               f"Tidsbegränsat resultat, där de frågor du inte hann till räknas som fel: percentil {timed}"),
        "en": (f"The time ran out after you had answered {REACHED} of at most {most} questions.",
               "Time ran out before you could finish the test.",
               f"On the questions you answered: percentile {measured} (band",
               f"Timed result, with the questions you did not reach counted as wrong: percentile {timed}"),
    }[lang]
    for phrase in expected:
        assert phrase in text, phrase
    assert 'data-incomplete' in html and f'data-timed="{timed}"' in html
    assert not any(s["name"] == doc["logic"]["name"] for s in doc["strengths"])


def test_complete_test_in_the_reports_says_how_many_items_were_answered(app, db, clock, setup):
    cid = setup["candidate"](None)
    result = logic_result(db, cid)
    doc = content(app, clock, cid, ReportKind.CLIENT)
    assert doc["logic"]["incomplete"] is False and doc["logic"]["timed"] is None
    _html, text = rendered(app, doc)
    assert f"{result.n_answered} besvarade frågor av högst {adaptive.APP_SETTINGS.max_items}" in text
    assert "Ofullständigt" not in text


# --- the time limit ----------------------------------------------------------------------

def test_a_new_assignment_gets_the_recommended_time_limit(app, db, consultant, clock, monkeypatch, login_as):
    recommended = adaptive.time_limit_minutes()
    client = login_as("kons@example.com", check=False)
    form = client.get("/admin/assignments/new").get_data(as_text=True)
    assert re.search(rf'name="time_limit"[^>]*value="{recommended}"', form)
    assert f"Rekommenderat: {recommended} minuter" in form
    assert f"{adaptive.APP_SETTINGS.max_items} frågor" in form
    # the model's and the service's default, and both follow the engine's settings
    with app.app_context():
        session = get_session()
        made = create_assignment(session, client=Client(name="X AB"), title="Roll", language="sv",
                                 norm_group="general", deadline=None, uses_logic=True, uses_personality=True,
                                 creator=session.get(User, consultant), now=clock(), norm_groups=["general"])
        bare = Assignment(client=Client(name="Y AB"), title="Roll")
        session.add(bare)
        session.flush()
        assert made.logic_time_limit_minutes == bare.logic_time_limit_minutes == recommended
        monkeypatch.setattr(adaptive, "time_limit_minutes", lambda *a, **k: recommended + 9)
        later = Assignment(client=Client(name="Z AB"), title="Roll")
        session.add(later)
        session.flush()
        assert later.logic_time_limit_minutes == recommended + 9
        session.rollback()
    assert f'value="{recommended + 9}"' in client.get("/admin/assignments/new").get_data(as_text=True)


def test_a_short_time_limit_gets_a_notice_not_an_error(app, db, consultant, make_assignment, login_as):
    recommended = adaptive.time_limit_minutes()
    short = make_assignment(staff=[consultant], logic_time_limit_minutes=recommended - 10)
    enough = make_assignment(staff=[consultant], logic_time_limit_minutes=recommended)
    client = login_as("kons@example.com", check=False)
    page = client.get(f"/admin/assignments/{short}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'data-short-time-limit="{recommended - 10}"' in html
    assert f"kortare än de rekommenderade {recommended} minuterna, så fler kandidater kan få slut på tid" in html
    assert "data-short-time-limit" not in client.get(f"/admin/assignments/{enough}").get_data(as_text=True)
    # saving a short limit is allowed; the 5-120 bounds still hold
    edit = client.get(f"/admin/assignments/{short}/edit")
    data = {"csrf_token": csrf_from(edit), "title": "Controller", "norm_group": "general", "uses_logic": "y",
            "status": "open"}
    assert client.post(f"/admin/assignments/{short}/edit", data={**data, "time_limit": "10"}).status_code == 302
    assert client.post(f"/admin/assignments/{short}/edit", data={**data, "time_limit": "4"}).status_code == 400


# --- the candidate's instructions ----------------------------------------------------------

@pytest.mark.parametrize(("lang", "advice", "early"), [
    ("sv", "När det är lite tid kvar är det därför bättre att gissa så gott du kan på varje fråga än att lämna "
           "frågor obesvarade.", "Testet kan avslutas innan tiden är slut"),
    ("en", "So when little time is left, give your best guess on each question rather than leaving questions "
           "unanswered.", "The test may end before the time is up"),
])
def test_instructions_say_what_to_do_when_time_is_short(app, make_invitation, lang, advice, early):
    _, _, link = make_invitation(language=lang, extra_time_pct=25)
    browser = Browser(app.test_client(), link)
    browser.open()
    assert "25 min" in browser.html  # the welcome: the candidate's own limit (20 minutes + 25 %)
    browser.accept_welcome()
    assert browser.step == "instructions"
    html = browser.html.replace("&#39;", "'")
    assert advice in html and early in html
    assert ("räknas som fel" if lang == "sv" else "count as wrong") in html


# --- the synthesis ------------------------------------------------------------------------

def test_synthesis_uses_the_answered_items_estimate_at_half_weight(app, db, setup, login_as):
    """A timed-out logic test enters the evidence matrix with the estimate on the answered
    questions (not the timed score) and the incomplete-test discount; one stored before
    that estimate existed is left out, and the page says so."""
    import dataclasses

    from portal import synthesis as syn
    from portal.services.evidence import evidence_matrix

    cid = setup["candidate"](REACHED)
    answered = logic_result(db, cid).details["answered"]
    with app.app_context():
        session = get_session()
        rows = [r for r in evidence_matrix(session, session.get(Candidate, cid)).rows
                if any(e.instrument == "logic" for e in r.evidence)]
    assert rows  # the manager template links the logic test to decision making
    logic = next(e for e in rows[0].evidence if e.instrument == "logic")
    score = syn.scale_score(LOGIC_SCALE, answered["percentile"],
                            (answered["percentile_low"], answered["percentile_high"]), discount="incomplete")
    assert logic.discounts == ("incomplete",)
    assert logic.level == pytest.approx(syn.instrument_evidence([score]).level)
    full = syn.instrument_evidence([dataclasses.replace(score, discount=None)])
    assert (full.sd / logic.sd) ** 2 == pytest.approx(0.5)

    strip_new_keys(db, cid)
    html = login_as("kons@example.com", check=False).get(f"/admin/candidates/{cid}/synthesis").get_data(as_text=True)
    assert f'data-left-out="{LOGIC_SCALE}"' in html and "används inte" in html
    assert 'data-evidence="logic"' not in html
