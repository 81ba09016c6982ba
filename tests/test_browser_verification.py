"""The supervised verification journey in headless Chromium (issue 17): the consultant
orders a verification test and reveals the code; a fresh browser without the invitation
link enters it, confirms the name and answers the 12 questions; the consultant sees the
verdict on the results page and in the client report's draft."""
from __future__ import annotations

import re

import numpy as np
import pytest
from werkzeug.security import generate_password_hash

from item_banks import verification
from portal import resources as res
from portal.db import get_session
from portal.models import Assignment, Candidate, Role, Synthesis, User
from portal.services import demo
from conftest import sign_in_page
from test_browser import browser, live_server, step  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_verification_journey_in_chromium(app, db, clock, browser, live_server, make_assignment,  # noqa: F811
                                          make_invitation):
    consultant = User(email="konsult@example.com", name="Karin Konsult", role=Role.CONSULTANT,
                      password_hash=generate_password_hash("ett långt lösenord"))
    db.add(consultant)
    db.commit()
    aid = make_assignment(staff=(consultant.id,), language="en")
    cid, _, _ = make_invitation(aid, name="Vera Verifierad", email="vera@example.com")
    with app.app_context():
        session = get_session()
        a, c = session.get(Assignment, aid), session.get(Candidate, cid)
        demo.simulate_battery(session, c, bank=res.logic_bank(), inventory=res.inventory(),
                              norms=res.norm_table(a.norm_group), now=clock(), rng=np.random.default_rng(11))
        session.add(Synthesis(candidate_id=cid, judgement="Solid.", strengths="", risks="",
                              recommendation="recommended", decided_by_id=consultant.id, decided_at=clock()))
        session.commit()

    office = browser.new_context(locale="en-GB")
    page = office.new_page()
    sign_in_page(page, live_server, "konsult@example.com", "ett långt lösenord")
    page.goto(f"{live_server}/admin/candidates/{cid}")
    page.get_by_role("button", name="Order a verification test").click()
    assert page.locator("[data-open-order]").count() == 1
    page.get_by_role("button", name="Show code").click()
    code = page.locator("[data-code] strong").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{2}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert code not in page.url

    # The supervised computer: a fresh browser, no invitation link.
    supervised = browser.new_context(locale="sv-SE")
    cand = supervised.new_page()
    cand.goto(live_server + "/verify")
    assert step(cand) == "verify-code"
    cand.locator("input[name=code]").fill(code)
    cand.locator("button.primary").click()
    assert step(cand) == "verify-confirm"
    assert cand.locator("[data-candidate-name]").inner_text().strip() == "Vera Verifierad"
    cand.locator("button.primary").click()
    answered = 0
    while step(cand) == "item":
        cand.locator("input[name=option]").first.check()
        cand.locator("button.primary").click()
        answered += 1
    assert answered == verification.VERIFICATION_LENGTH
    assert step(cand) == "verify-done"
    assert "percentil" not in cand.content().lower()  # no score on the thank-you page
    supervised.close()

    page.goto(f"{live_server}/admin/candidates/{cid}")
    verdict = page.locator("[data-verdict]")
    assert verdict.get_attribute("data-verdict") in verification.VERDICTS
    text = verdict.inner_text()
    assert "What it does not mean" in text and re.search(r"\bp [=<] 0\.\d{3}", text)
    assert page.locator("[data-estimate=unsupervised]").count() == 1
    assert page.locator("[data-estimate=verification] img.bandbar").count() == 1
    page.goto(f"{live_server}/admin/candidates/{cid}/reports/client/preview")
    assert page.locator("[data-verification]").get_attribute("data-verification") in verification.VERDICTS
    assert "verification test" in page.locator("[data-verification]").inner_text()
    office.close()
