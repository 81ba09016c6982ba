"""The candidate journey through the web pages, on SQLite and PostgreSQL."""
from __future__ import annotations

import re

import sqlalchemy as sa

from helpers import Candidate
from portal.models import (
    Attempt, Candidate as CandidateRow, FinishReason, InventoryResponse, LogicResponse, Result,
    Stage, TestKind,
)
from item_banks import adaptive

#: The longest test the candidate is told about ("Question 1 (at most N)").
MAX = adaptive.APP_SETTINGS.max_items


def test_whole_journey_and_results_are_stored(client, db, make_invitation):
    cid, _, link = make_invitation()
    c = Candidate(client, link)
    c.open()
    assert c.step == "welcome"
    assert '<html lang="sv">' in c.html
    assert "Personuppgiftsansvarig" in c.html or "personuppgift" in c.html.lower()
    c.accept_welcome()
    assert c.step == "instructions"
    assert "fortsätter" in c.html or "stannar inte" in c.html  # the clock keeps running
    c.to_practice()
    assert c.step == "practice"
    c.do_practice()
    c.start_test()
    assert c.step == "item"
    assert f"Fråga 1 (högst {MAX})" in c.html
    assert 'id="timer"' in c.html and "data-remaining" in c.html
    answered = c.answer_all_items()
    settings = adaptive.APP_SETTINGS
    assert settings.min_items <= answered <= settings.max_items
    assert c.step == "inventory"
    pages = c.finish_inventory()
    assert c.step == "done"
    assert pages >= 5
    row = db.get(CandidateRow, cid)
    assert row.stage is Stage.DONE and row.completed_at is not None
    scales = {r.scale: r for r in db.scalars(sa.select(Result))}
    assert {"logic.theta", "personality.ES", "personality.EX", "personality.OP", "personality.AG",
            "personality.CO", "personality.ES.composure", "personality.CO.order"} <= set(scales)
    assert len([s for s in scales if s.startswith("personality.")]) == 25
    for r in scales.values():
        assert r.norm_group == "general" and r.norm_ref == "general.v2"
        assert r.bank_version and r.engine_version and 0 < r.percentile < 100
        assert r.percentile_low <= r.percentile <= r.percentile_high and r.band_level == 0.90
    logic = scales["logic.theta"]
    assert logic.n_items == answered and logic.se is not None and -4 <= logic.theta <= 4
    assert logic.details["stop_reason"] in ("se_target", "max_items")
    inventory = db.scalar(sa.select(Attempt).where(Attempt.kind == TestKind.INVENTORY))
    assert [f["code"] for f in inventory.flags] == [
        "too_fast", "long_string", "inconsistency", "acquiescence", "infrequency"]


def test_practice_gives_feedback(client, make_invitation):
    _, _, link = make_invitation()
    c = Candidate(client, link)
    c.open(); c.accept_welcome(); c.to_practice()
    position = re.search(r'name="position" value="(\d+)"', c.html).group(1)
    c.post("/test/practice", {"position": position, "option": "0"})
    assert c.step == "practice"
    assert re.search(r'data-feedback="(correct|incorrect)"', c.html)
    assert "Rätt svar" in c.html


def test_resume_on_another_device_continues_at_the_same_item(app, client, make_invitation):
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    c.answer_item(); c.answer_item()
    assert f"Fråga 3 (högst {MAX})" in c.html
    other = Candidate(app.test_client(), link)  # a new browser, no cookies
    other.open()
    assert other.step == "item"
    assert f"Fråga 3 (högst {MAX})" in other.html
    # The clock kept running: the same deadline is shown on both devices.
    remaining = lambda h: int(re.search(r'data-remaining="(\d+)"', h).group(1))  # noqa: E731
    assert abs(remaining(other.html) - remaining(c.get("/test/item").get_data(as_text=True))) <= 1


def test_option_ids_are_opaque_and_key_not_sent(client, db, make_invitation):
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    response_id, options = c.item_form()
    assert all(len(o) >= 10 and not o.isdigit() for o in options)
    row = db.get(LogicResponse, int(response_id))
    assert sorted(row.option_order) == list(range(len(options)))
    # Nothing in the markup (outside the random option ids and CSRF token) marks the key.
    markup = re.sub(r'value="[^"]*"', "", c.html).lower()
    assert "key" not in markup and "correct" not in markup


def test_language_choice_wins_over_invitation_language(client, make_invitation):
    _, _, link = make_invitation(language="sv")
    c = Candidate(client, link)
    c.open()
    c.post("/test/language", {"lang": "en"})
    assert c.step == "welcome" and '<html lang="en">' in c.html
    assert "Welcome" in c.html
    c.accept_welcome()
    assert "The clock keeps running" in c.html


def test_invitation_language_then_accept_language(app, client, make_invitation):
    _, _, link = make_invitation(language="en")
    c = Candidate(client, link)
    c.open()
    assert '<html lang="en">' in c.html
    # No candidate session: the browser's language decides.
    page = app.test_client().get("/i/forged", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in page.get_data(as_text=True)
    page = app.test_client().get("/i/forged", headers={"Accept-Language": "sv-SE"})
    assert '<html lang="sv">' in page.get_data(as_text=True)


def test_steps_cannot_be_skipped(client, make_invitation):
    _, _, link = make_invitation()
    c = Candidate(client, link)
    c.open()
    c.get("/test/item")
    assert c.step == "welcome"
    c.get("/test/done")
    assert c.step == "welcome"


def test_welcome_requires_consent_with_clear_message(client, make_invitation):
    _, _, link = make_invitation()
    c = Candidate(client, link)
    c.open()
    page = c.post("/test/welcome", {})
    assert page.status_code == 400
    assert c.step == "welcome"
    assert 'class="error"' in c.html


def test_inventory_page_with_gaps_keeps_answers_and_says_what_is_missing(client, db, make_invitation):
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    c.answer_all_items()
    first_ids = re.findall(r'<input type="radio" name="([^"]+)" value="1"', c.html)
    page = c.inventory_page(value=5, skip=first_ids[:2])
    assert page.status_code == 400
    assert c.step == "inventory"
    assert 'role="alert"' in c.html
    # answered statements come back checked, the missing ones are marked
    assert c.html.count('value="5" checked') == len(first_ids) - 2
    assert db.scalar(sa.select(sa.func.count()).select_from(InventoryResponse)) == 0
    c.inventory_page(value=5)
    assert db.scalar(sa.select(sa.func.count()).select_from(InventoryResponse)) == len(first_ids)


def test_experience_rating_is_optional_and_stored(client, db, make_invitation):
    cid, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test(); c.answer_all_items(); c.finish_inventory()
    assert c.step == "done"
    bad = c.post("/test/done", {"rating": "9"})
    assert bad.status_code == 400 and db.get(CandidateRow, cid).experience_rating is None
    c.get("/test/done")
    c.post("/test/done", {"rating": "4"})
    db.expire_all()
    assert db.get(CandidateRow, cid).experience_rating == 4
    assert "Tack för ditt svar" in c.html


def test_double_submit_creates_one_answer(client, db, make_invitation):
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    response, options = c.item_form()
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.html).group(1)
    for _ in range(2):
        client.post("/test/item", data={"csrf_token": token, "response": response, "option": options[1]})
    rows = db.scalars(sa.select(LogicResponse).where(LogicResponse.answered_at.is_not(None))).all()
    assert len(rows) == 1
    page = client.get("/test/item")
    assert f"Fråga 2 (högst {MAX})" in page.get_data(as_text=True)


def test_second_tab_cannot_replace_first_answer(client, db, make_invitation):
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    response, options = c.item_form()
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.html).group(1)
    client.post("/test/item", data={"csrf_token": token, "response": response, "option": options[0]})
    page = client.post("/test/item", data={"csrf_token": token, "response": response,
                                           "option": options[1]}, follow_redirects=True)
    assert "redan besvarats" in page.get_data(as_text=True)
    row = db.get(LogicResponse, int(response))
    assert row.option_ids.index(options[0]) == row.option_order.index(row.chosen_index)


def test_second_tab_saving_same_inventory_page_keeps_first(client, db, make_invitation):
    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test(); c.answer_all_items()
    html = c.html
    ids = re.findall(r'<input type="radio" name="([^"]+)" value="1"', html)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post("/test/inventory", data={"csrf_token": token, "page": "0", **{i: "2" for i in ids}})
    client.post("/test/inventory", data={"csrf_token": token, "page": "0", **{i: "5" for i in ids}})
    values = db.scalars(sa.select(InventoryResponse.value)).all()
    assert len(values) == len(ids) and set(values) == {2}


def test_revisiting_finished_logic_shows_next_step(client, db, make_invitation):
    cid, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test(); c.answer_all_items()
    c.get("/test/item")
    assert c.step == "inventory"
    attempts = db.scalars(sa.select(Attempt).where(Attempt.kind == TestKind.LOGIC)).all()
    assert len(attempts) == 1 and attempts[0].finish_reason is FinishReason.COMPLETED
    assert len(db.scalars(sa.select(Result).where(Result.attempt_id == attempts[0].id)).all()) == 1


def test_items_and_option_order_replay_from_the_stored_seed(client, db, make_invitation):
    import numpy as np

    from item_banks import cat, load_logic_bank

    _, _, link = make_invitation()
    c = Candidate(client, link).through_practice()
    c.start_test()
    for i in range(5):
        c.answer_item(index=i % 2)
    attempt = db.scalar(sa.select(Attempt).where(Attempt.kind == TestKind.LOGIC))
    ab = adaptive.adaptive_bank(load_logic_bank())
    rows = db.scalars(sa.select(LogicResponse).order_by(LogicResponse.position)).all()
    assert len(rows) == 6  # five answered, the sixth on screen
    for row in rows:
        earlier = [r for r in rows if r.position < row.position]
        state = cat.replay(ab.cat_bank, [ab.position_of(r.item_id) for r in earlier],
                           [int(r.correct) for r in earlier], ab.settings,
                           np.random.default_rng([attempt.seed, 0]))
        chosen = cat.select_next(state, ab.settings, np.random.default_rng([attempt.seed, row.position + 1]))
        assert ab.item_ids[chosen] == row.item_id
        n = len(ab.bank.get(row.item_id).options)
        assert row.option_order == [int(i) for i in np.random.default_rng([attempt.seed, row.position]).permutation(n)]


def test_whole_journey_in_english_on_the_shipped_banks(client, db, make_invitation):
    from item_banks import load_inventory, load_logic_bank

    _, _, link = make_invitation(language="en")
    c = Candidate(client, link)
    c.open()
    assert '<html lang="en">' in c.html and "How we process your data" in c.html
    c.accept_welcome()
    assert "figure patterns" in c.html  # the instructions name the item types in the bank
    c.to_practice()
    assert "Practice question 1 of" in c.html
    c.do_practice()
    c.start_test()
    seen_types = set()
    bank = load_logic_bank()
    while c.step == "item":
        response_id, _ = c.item_form()
        item = bank.get(db.get(LogicResponse, int(response_id)).item_id)
        seen_types.add(item.type)
        if item.figure:
            assert c.html.count("data:image/svg+xml;base64,") == 1 + len(item.options)
            assert "Which figure belongs in the empty cell?" in c.html
        else:
            assert item.stem_text("en").splitlines()[0] in c.html
        c.answer_item()
    assert seen_types == set(bank.types)  # the form is balanced over the four types
    pages = c.finish_inventory()
    assert c.step == "done" and "Thank you, you are done!" in c.html
    assert pages == -(-len(load_inventory().statements) // 10)


def test_privacy_notice_names_the_controller_and_contact_and_its_version_is_recorded(make_app, db,
                                                                                    make_invitation):
    from portal.services.journey import PRIVACY_NOTICE_VERSION

    app = make_app(CONTROLLER_NAME="Rekrytering & Co AB", PRIVACY_CONTACT="dataskydd@rekrytering.example",
                   RETENTION_MONTHS="assessment=18,contact=4,attachments=keep")
    client = app.test_client()
    cid, _, link = make_invitation()
    page = client.get(link, follow_redirects=True)
    html = page.get_data(as_text=True)
    assert "Rekrytering &amp; Co AB, rekryteringsföretaget som bjöd in dig" in html
    assert "dataskydd@rekrytering.example" in html
    retention = re.search(r"<dd data-retention>(.*?)</dd>", html, re.S).group(1)
    assert "18 månader" in retention and "4 månader" in retention and "bakgrundskontroll" not in retention
    version = re.search(r'data-notice-version="([^"]+)"', html).group(1)
    assert version.startswith(PRIVACY_NOTICE_VERSION + "+")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    client.post("/test/welcome", data={"csrf_token": token, "consent": "y"})
    db.expire_all()
    row = db.get(CandidateRow, cid)
    assert row.privacy_accepted_at is not None and row.privacy_notice_version == version
    # other periods, another notice: its version differs
    other = make_app(RETENTION_MONTHS="assessment=24").test_client()
    _, _, link2 = make_invitation()
    html2 = other.get(link2, follow_redirects=True).get_data(as_text=True)
    assert re.search(r'data-notice-version="([^"]+)"', html2).group(1) != version


def test_the_english_practice_item_names_its_teams_in_english(app, make_invitation):
    """Bank 3.0.0 named teams in Swedish in both languages; since 3.0.1 the English texts
    name them in English. A candidate taking the test in English sees English team names in
    the deductive practice item, also while 3.0.0 is the active version (its practice item
    is shown translated: never scored, nothing of it stored); the operational items of 3.0.0
    are shown as stamped."""
    from datetime import datetime, timezone

    from item_banks import archive, load_logic_bank
    from item_banks.generators.deductive import TEAMS
    from item_banks.team_names import TEAMS_EN, with_english_team_names
    from portal.db import get_session
    from portal.services import bank_versions

    assert set(TEAMS_EN) == set(TEAMS)
    old = archive.load_archived("logic-aig", "3.0.0")
    old_practice = next(item for item in old.practice if item.type == "deductive")
    assert any(team in old_practice.stem["en"] for team in TEAMS)  # what 3.0.1 mends
    shown = with_english_team_names(old_practice)
    assert not any(team in shown.stem["en"] or any(team in o["en"] for o in shown.options)
                   or team in shown.explanation["en"] for team in TEAMS)
    assert shown.stem["sv"] == old_practice.stem["sv"] and shown.key == old_practice.key
    assert shown.structure == old_practice.structure
    operational = next(item for item in old.items if item.type == "deductive" and "Team " in item.stem["en"])
    assert with_english_team_names(operational) is operational  # stamped content is shown as stamped

    bank = load_logic_bank()
    practice = next(item for item in bank.practice if item.type == "deductive")
    assert practice.id == old_practice.id and practice.structure == old_practice.structure
    assert with_english_team_names(practice).stem == practice.stem  # nothing left to translate
    english = [TEAMS_EN[team] for team in practice.structure["entities"] if team in TEAMS]
    assert english

    def practice_pages(email: str) -> str:
        _, _, link = make_invitation(language="en", email=email)
        c = Candidate(app.test_client(), link)
        c.open(); c.accept_welcome(); c.to_practice()
        seen = ""
        while c.step == "practice":
            seen += c.html
            if "data-feedback" in c.html:
                c.get("/test/practice")
                continue
            position = re.search(r'name="position" value="(\d+)"', c.html).group(1)
            c.post("/test/practice", {"position": position, "option": "0"})
        return seen

    seen = practice_pages("shipped@example.com")
    assert all(name in seen for name in english) and not any(team in seen for team in TEAMS)
    with app.app_context():  # 3.0.0 active again (e.g. a version calibrated from it)
        session = get_session()
        bank_versions.ensure_stored(session, old)
        assert bank_versions.activate(session, bank, "3.0.0", user_id=None,
                                      now=datetime(2026, 12, 6, tzinfo=timezone.utc))
        session.commit()
    seen = practice_pages("archived@example.com")
    assert all(name in seen for name in english) and not any(team in seen for team in TEAMS)
