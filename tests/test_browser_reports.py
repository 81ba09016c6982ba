"""Reports and the synthesis in headless Chromium against a live server: a consultant
releases the reports and the client downloads theirs; a consultant goes from the results
through the interview rating to a saved synthesis."""
from __future__ import annotations

import io
import re

import numpy as np
import pytest
from pypdf import PdfReader
from werkzeug.security import generate_password_hash

from portal import resources as res
from portal import synthesis as syn
from portal.db import get_session
from portal.models import Assignment, Candidate, InterviewRating, Role, Synthesis, User
from portal.services import demo, profiles
from conftest import sign_in_page
from test_browser import browser, live_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

PASSWORD = "ett långt lösenord"


@pytest.fixture
def arrange(app, db, clock, make_assignment, make_invitation):
    """A consultant staffed on "Ekonomichef" (profile from the manager template), a client
    user of its organisation and a candidate who has taken the battery; ``synthesis=True``
    adds interview ratings and the consultant's saved judgement."""

    def factory(*, synthesis: bool) -> dict:
        users = {}
        for key, role in (("konsult", Role.CONSULTANT), ("kund", Role.CLIENT)):
            users[key] = User(email=f"{key}@example.com", name=f"{key.title()} Person", role=role,
                              password_hash=generate_password_hash(PASSWORD))
            db.add(users[key])
        db.commit()
        aid = make_assignment(title="Ekonomichef", staff=[users["konsult"].id], norm_group="managers")
        cid, _, _ = make_invitation(aid, name="Alva Lindqvist", email="alva@example.com")
        users["kund"].client_id = db.get(Assignment, aid).client_id
        db.commit()
        with app.app_context():
            session = get_session()
            a = session.get(Assignment, aid)
            profiles.start_from_template(session, a, "manager", user_id=users["konsult"].id, now=clock())
            demo.simulate_battery(session, session.get(Candidate, cid), bank=res.logic_bank(),
                                  inventory=res.inventory(), norms=res.norm_table(a.norm_group), now=clock(),
                                  rng=np.random.default_rng(7))
            if synthesis:
                for item in profiles.current_profile(session, a).competencies:
                    session.add(InterviewRating(candidate_id=cid, rater_id=users["konsult"].id,
                                                competency_key=item.competency_key, level=4,
                                                notes="Intern anteckning", submitted_at=clock()))
                session.add(Synthesis(candidate_id=cid, judgement="Stark analytisk förmåga.",
                                      recommendation="reservations", decided_by_id=users["konsult"].id,
                                      decided_at=clock(), profile_version=1))
            session.commit()
        return {"assignment": aid, "candidate": cid}

    return factory


def log_in(browser, live_server, who):  # noqa: F811
    context = browser.new_context(locale="sv-SE")
    page = context.new_page()
    sign_in_page(page, live_server, f"{who}@example.com", PASSWORD)
    return context, page


def step(page) -> str:
    return page.locator("main").get_attribute("data-step")


def flashes(page) -> str:
    return " ".join(page.locator(".flash").all_inner_texts())


def pdf_text(path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in reader.pages))


def test_client_downloads_the_released_client_report(browser, live_server, arrange, tmp_path):  # noqa: F811
    ids = arrange(synthesis=True)
    cid = ids["candidate"]

    # The consultant releases both reports from the candidate's Reports page.
    context, page = log_in(browser, live_server, "konsult")
    assert step(page) == "dashboard"
    page.get_by_role("link", name="Ekonomichef").click()
    page.get_by_role("link", name="Alva Lindqvist").click()
    assert step(page) == "candidate"
    page.get_by_role("link", name="Rapporter").click()
    assert step(page) == "reports"
    client_section = page.locator("section[data-kind=client]")
    assert "Inte släppt ännu" in client_section.inner_text()
    client_section.get_by_role("checkbox").check()  # "I have reviewed the draft"
    client_section.get_by_role("button", name="Släpp det aktuella utkastet").click()
    assert step(page) == "reports"
    assert "Version 1 av kundrapporten släpptes." in flashes(page)
    client_section = page.locator("section[data-kind=client]")
    assert client_section.locator("tr[data-version]").count() == 1
    assert client_section.locator("tr[data-version='1']").is_visible()
    page.locator("section[data-kind=candidate]").get_by_role("checkbox").check()
    page.locator("section[data-kind=candidate]").get_by_role("button", name="Släpp det aktuella utkastet").click()
    assert "Version 1 av kandidatens återkopplingsrapport släpptes." in flashes(page)
    candidate_report = page.locator("section[data-kind=candidate] tr[data-version='1']") \
        .get_by_role("link", name="Läs").get_attribute("href")
    context.close()

    # The client's user: their assignments, the assignment, the download.
    context, page = log_in(browser, live_server, "kund")
    assert step(page) == "client-home"
    assert page.locator("h1").inner_text() == "Era uppdrag"
    page.get_by_role("link", name="Ekonomichef").click()
    assert step(page) == "client-assignment"
    row = page.locator(f"tr[data-candidate='{cid}']")
    assert "Alva Lindqvist" in row.inner_text() and "Version 1" in row.inner_text()
    with page.expect_download() as info:
        row.get_by_role("link", name="Ladda ner PDF").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".pdf")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    text = pdf_text(saved)
    assert "Alva Lindqvist" in text and "Ekonomichef" in text
    assert "Intern anteckning" not in text

    # Nothing of the candidate's own report on the client's page, and no way to it.
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert candidate_report not in hrefs and candidate_report + "/download" not in hrefs
    assert not any("/preview" in h for h in hrefs)
    assert page.goto(live_server + candidate_report).status == 404
    # The consultant's draft preview is for staff only.
    response = page.goto(f"{live_server}/admin/candidates/{cid}/reports/client/preview")
    assert response.status == 403
    assert "Utkast" not in page.content() and "Stark analytisk förmåga" not in page.content()
    context.close()


def test_consultant_rates_and_writes_the_synthesis(browser, live_server, arrange):  # noqa: F811
    ids = arrange(synthesis=False)
    context, page = log_in(browser, live_server, "konsult")
    page.get_by_role("link", name="Ekonomichef").click()
    page.get_by_role("link", name="Alva Lindqvist").click()
    assert step(page) == "candidate"
    assert page.locator("[data-scale='logic.theta']").count()  # the results are there

    page.get_by_role("link", name="Intervjuguide").click()
    assert step(page) == "interview-guide"
    guide = page.locator("section[data-competency=accountability]")
    assert "Ansvarstagande och integritet" in guide.locator("h2").inner_text()
    assert guide.locator("ol > li").count() >= 1  # questions to ask

    page.get_by_role("link", name="Bedömningar", exact=True).click()
    assert step(page) == "ratings"
    section = page.locator("section[data-competency=accountability]")
    assert section.get_attribute("data-submitted") == "no"
    section.locator("input[name=level][value='4']").check()
    section.get_by_label("Belägg: vad kandidaten sa och gjorde").fill(
        "Berättade hur hon själv rättade ett fel i bokslutet och informerade styrelsen.")
    section.get_by_role("button", name="Skicka in").click()
    assert step(page) == "ratings"
    assert "Din bedömning har skickats in." in flashes(page)
    section = page.locator("section[data-competency=accountability]")
    assert section.get_attribute("data-submitted") == "yes"
    assert section.locator("[data-own-level]").inner_text() == "4"
    assert section.get_by_role("button", name="Skicka in").count() == 0  # final once submitted

    page.get_by_role("link", name="← Alva Lindqvist").click()
    page.get_by_role("link", name="Sammanvägning").click()
    assert step(page) == "synthesis"
    row = page.locator("tr[data-competency=accountability]")
    cells = row.locator("td")
    # Target, tests, interview, references, combined: no test scale for this competency,
    # so the combined level comes from the interview rating just submitted, pulled toward
    # the middle of the scale by the prior (one interviewer's 4 says about 3.6).
    level, sd = syn.alone(syn.interview_evidence([4]))
    assert cells.nth(1).inner_text().strip() == "–"
    interview = cells.nth(2).inner_text()
    assert interview.startswith(f"{level:.1f} ± {sd:.1f}") and "1 intervjuare: Konsult Person" in interview
    assert "en intervjuare: dennes eget bedömarfel jämnas inte ut" in interview
    assert cells.nth(4).inner_text().strip() == f"{level:.1f} ± {sd:.1f}"
    assert row.locator("td[data-probability]").get_attribute("data-probability") != ""
    assert "inget underlag ännu" not in row.inner_text()
    assert "Senast sparad" not in page.content()

    judgement = "Tar ansvar för fel och säger ifrån i tid; ledarskapet behöver verifieras med referenser."
    page.get_by_label("Samlad bedömning").fill(judgement)
    page.get_by_label("Rekommendation").select_option(label="Rekommenderas med reservationer")
    page.get_by_role("button", name="Spara sammanvägningen").click()
    assert step(page) == "synthesis"
    assert "Sammanvägningen sparades." in flashes(page)
    assert "Senast sparad" in page.content() and "profilversion 1" in page.content()

    page.reload()
    assert step(page) == "synthesis"
    assert page.get_by_label("Samlad bedömning").input_value() == judgement
    assert page.get_by_label("Rekommendation").input_value() == "reservations"
    assert "Sammanvägningen sparades." not in flashes(page)  # the flash was shown once
    context.close()
