"""Client and candidate reports: content, HTML escaping, PDF text, release workflow,
downloads and the candidate's reply."""
from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from conftest import csrf_from
from portal import report_texts as rt
from portal import resources as res
from portal import synthesis as syn
from portal.db import get_session
from portal.models import (
    Assignment,
    Attempt,
    AuditEvent,
    Candidate,
    CandidateComment,
    Client,
    InterviewRating,
    OutboxMessage,
    ReferenceCheck,
    Report,
    ReportKind,
    Result,
    Role,
    Synthesis,
    TestKind,
    User,
)
from portal.services import checks, demo, profiles
from portal.services import reports as svc
from portal.services.evidence import evidence_matrix
from portal.web import renderer

HOSTILE = '<script>alert("x")</script> Ö\'Brien & Co'


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def assessed(app, db, clock, make_assignment, make_invitation, make_user):
    """A candidate with test results, interview ratings, a reference, background checks
    and the consultant's judgement; a client user of the organisation and of another."""
    users = {key: db.get(User, make_user(f"{key}@example.com", role, name=f"{key.title()} Person"))
             for key, role in (("consultant", Role.CONSULTANT), ("outsider", Role.CONSULTANT), ("admin", Role.ADMIN),
                               ("client", Role.CLIENT), ("other_client", Role.CLIENT))}
    aid = make_assignment(title="Ekonomichef", staff=[users["consultant"].id], norm_group="managers")
    cid, _, link = make_invitation(aid, name="Alva Lindqvist", email="alva@example.com")
    other = Client(name="Annat AB")
    db.add(other)
    db.commit()
    users["client"].client_id = db.get(Assignment, aid).client_id
    users["other_client"].client_id = other.id
    db.commit()
    with app.app_context():
        session = get_session()
        a = session.get(Assignment, aid)
        profiles.start_from_template(session, a, "manager", user_id=users["consultant"].id, now=clock())
        c = session.get(Candidate, cid)
        demo.simulate_battery(session, c, bank=res.logic_bank(), inventory=res.inventory(),
                              norms=res.norm_table(a.norm_group), now=clock(), rng=np.random.default_rng(7))
        keys = [item.competency_key for item in profiles.current_profile(session, a).competencies]
        for key in keys:
            session.add(InterviewRating(candidate_id=cid, rater_id=users["consultant"].id, competency_key=key,
                                        level=4, notes="Intern anteckning", submitted_at=clock()))
        ref = checks.add_reference(session, c, referee_name="Rut Referent", relation="Tidigare chef",
                                   period="2019–2024", consent=True, now=clock(), user_id=users["consultant"].id)
        ref.summary = "Strukturerad och lugn under bokslut."
        ref.ratings = {keys[0]: {"level": 4, "notes": ""}}
        checks.checklist(session, c)
        session.add(Synthesis(candidate_id=cid, judgement="Stark analytisk förmåga.", strengths="Struktur",
                              risks="Ledarerfarenhet bör verifieras.", recommendation="reservations",
                              decided_by_id=users["consultant"].id, decided_at=clock(), profile_version=1))
        session.commit()
    return {"users": {k: u.id for k, u in users.items()}, "assignment": aid, "candidate": cid, "link": link,
            "keys": keys}


def test_client_report_content_and_pdf_text_in_swedish(app, assessed, clock):
    with app.app_context():
        session = get_session()
        c = session.get(Candidate, assessed["candidate"])
        content = svc.build_content(session, c, ReportKind.CLIENT, now=clock(), renderer=renderer, inventory=res.inventory())
        html = svc.render_html(content, renderer=renderer)
        pdf = svc.render_pdf(content, renderer=renderer)
    assert content["language"] == "sv" and content["stamp"]["profile_version"] == 1
    assert content["logic"]["percentile"] is not None and len(content["personality"]) == 5
    text = squash(pdf_text(pdf))
    for expected in ("Alva Lindqvist", "Ekonomichef", "Testbolaget AB", "Consultant Person",
                     "Stark analytisk förmåga.", "Rekommenderas med reservationer", "Rut Referent",
                     "Strukturerad och lugn under bokslut.", "Ledarerfarenhet bör verifieras.",
                     f"Percentil {content['logic']['percentile']}", "Emotionell stabilitet",
                     "kravprofil", "1 /"):
        assert expected in text, expected
    assert "Intern anteckning" not in text  # interviewers' notes stay in the workspace
    assert content["stamp"]["norms"][0] in text
    assert 'data-scale="logic"' in html and "<svg" in html


def test_candidate_report_in_english_has_no_internal_material(app, assessed, clock, db):
    db.execute(sa.update(Candidate).where(Candidate.id == assessed["candidate"]).values(chosen_language="en"))
    db.commit()
    with app.app_context():
        session = get_session()
        c = session.get(Candidate, assessed["candidate"])
        content = svc.build_content(session, c, ReportKind.CANDIDATE, now=clock(), renderer=renderer, inventory=res.inventory())
        text = squash(pdf_text(svc.render_pdf(content, renderer=renderer)))
    assert content["language"] == "en"
    # the profile's targets are the client's yardstick, not part of the candidate's feedback
    assert content["logic"]["target"] is None and all(d["target"] is None for d in content["personality"])
    assert "your feedback report" in text.lower() and "Alva Lindqvist" in text and "Your strengths" in text
    for internal in ("Stark analytisk förmåga", "Ledarerfarenhet", "Rut Referent", "Intern anteckning",
                     "Testbolaget AB", "Consultant Person", "reservations"):
        assert internal not in text, internal


def release(client, candidate_id, kind):
    page = client.get(f"/admin/candidates/{candidate_id}/reports")
    return client.post(f"/admin/candidates/{candidate_id}/reports/{kind}/release",
                       data={"csrf_token": csrf_from(page), "reviewed": "yes"})


def test_release_freezes_a_version_that_regenerates_identically(app, db, assessed, login_as):
    cid = assessed["candidate"]
    kons = login_as("consultant", check=False)
    draft = kons.get(f"/admin/candidates/{cid}/reports/client/preview").get_data(as_text=True)
    assert "Utkast – inte släppt" in draft and "Alva Lindqvist" in draft
    draft_pdf = kons.get(f"/admin/candidates/{cid}/reports/client/preview.pdf")
    assert draft_pdf.headers["Content-Disposition"].startswith("attachment")
    assert "utkast" in pdf_text(draft_pdf.data).lower()
    assert db.scalar(sa.select(sa.func.count(Report.id))) == 0  # a draft is stored nowhere

    assert release(kons, cid, "client").status_code == 302
    v1 = db.scalar(sa.select(Report).where(Report.candidate_id == cid))
    assert (v1.version, v1.kind, v1.released_by_id) == (1, ReportKind.CLIENT, assessed["users"]["consultant"])
    assert hashlib.sha256(v1.pdf).hexdigest() == v1.pdf_sha256
    assert "utkast" not in pdf_text(v1.pdf).lower()
    assert v1.stamp["profile_version"] == 1 and v1.stamp["item_banks"] and v1.stamp["norms"]
    with app.app_context():
        assert hashlib.sha256(svc.regenerate_pdf(v1, renderer=renderer)).hexdigest() == v1.pdf_sha256

    # A change after release does not touch version 1; releasing again makes version 2.
    db.execute(sa.update(Synthesis).where(Synthesis.candidate_id == cid).values(judgement="Omprövad bedömning."))
    db.commit()
    release(kons, cid, "client")
    versions = db.scalars(sa.select(Report).where(Report.candidate_id == cid).order_by(Report.version)).all()
    assert [r.version for r in versions] == [1, 2]
    assert "Omprövad bedömning." in squash(pdf_text(versions[1].pdf))
    assert "Omprövad bedömning." not in squash(pdf_text(versions[0].pdf)) and versions[0].pdf_sha256 == v1.pdf_sha256
    page = kons.get(f"/admin/candidates/{cid}/reports").get_data(as_text=True)
    assert 'data-version="2"' in page and 'data-version="1"' in page


def test_release_refuses_without_results_or_synthesis(app, db, assessed, make_invitation, login_as):
    kons = login_as("consultant", check=False)
    fresh, _, _ = make_invitation(assessed["assignment"], name="Utan Resultat", email="u@example.com")
    response = release(kons, fresh, "candidate")
    assert response.status_code == 400 and "inga testresultat att rapportera" in response.get_data(as_text=True)
    unticked = kons.post(f"/admin/candidates/{assessed['candidate']}/reports/client/release",
                         data={"csrf_token": csrf_from(kons.get("/admin/login"))})
    assert unticked.status_code == 400 and "bekräfta att du har granskat utkastet" in unticked.get_data(as_text=True)
    db.execute(sa.delete(Synthesis))
    db.commit()
    response = release(kons, assessed["candidate"], "client")
    assert response.status_code == 400 and "Skriv och spara syntesen" in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count(Report.id))) == 0
    assert kons.post(f"/admin/candidates/{assessed['candidate']}/reports/candidate/release").status_code == 400  # CSRF


def test_client_downloads_released_report_and_every_download_is_audited(app, db, assessed, login_as):
    cid = assessed["candidate"]
    chef = login_as("client", check=False)
    page = chef.get(f"/admin/client/assignments/{assessed['assignment']}").get_data(as_text=True)
    assert "Inte släppt ännu" in page and "/download" not in page
    release(login_as("consultant", check=False), cid, "client")
    release(login_as("consultant", check=False), cid, "candidate")
    client_report = db.scalar(sa.select(Report).where(Report.kind == ReportKind.CLIENT))
    candidate_report = db.scalar(sa.select(Report).where(Report.kind == ReportKind.CANDIDATE))
    page = chef.get(f"/admin/client/assignments/{assessed['assignment']}").get_data(as_text=True)
    assert f"/admin/reports/{client_report.id}/download" in page
    assert f"/admin/reports/{candidate_report.id}" not in page
    before = db.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    response = chef.get(f"/admin/reports/{client_report.id}/download")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    assert "Alva Lindqvist" in pdf_text(response.data)
    page = chef.get(f"/admin/reports/{client_report.id}").get_data(as_text=True)
    assert f'href="/admin/client/assignments/{assessed["assignment"]}"' in page  # a way back
    disposition = response.headers["Content-Disposition"]
    assert re.search(rf'filename="?kundrapport-{assessed["candidate"]}-v1\.pdf', disposition)
    assert "Alva" not in disposition and "Lindqvist" not in disposition
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id)).all()
    assert [(e.action, e.object_type, e.object_id, e.user_id) for e in events] == [
        ("download", "report_client", client_report.id, assessed["users"]["client"]),
        ("view", "report_client", client_report.id, assessed["users"]["client"])]
    # the candidate's own report, another organisation, an unstaffed consultant: nothing
    assert chef.get(f"/admin/reports/{candidate_report.id}/download").status_code == 404
    assert login_as("other_client", check=False).get(f"/admin/reports/{client_report.id}/download").status_code == 404
    assert login_as("outsider", check=False).get(f"/admin/reports/{client_report.id}/download").status_code == 404
    assert app.test_client().get(f"/admin/reports/{client_report.id}/download").status_code == 302
    assert chef.get(f"/admin/candidates/{cid}/reports/client/preview").status_code == 403  # drafts: staff only


def test_candidate_reads_downloads_and_replies(app, db, assessed, login_as):
    cid = assessed["candidate"]
    candidate = app.test_client()
    candidate.get(assessed["link"])
    assert "Läs din rapport" not in candidate.get("/test/done").get_data(as_text=True)
    assert candidate.get("/test/report").status_code == 404  # nothing released yet
    kons = login_as("consultant", check=False)
    release(kons, cid, "candidate")
    told = db.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "report_ready"))
    assert told.to_address == "alva@example.com" and "återkopplingsrapport" in told.body_text
    mailed = app.test_client()  # the link in the e-mail leads to the report
    mailed.get(re.search(r"http://localhost(/i/\S+)", told.body_text).group(1))
    assert "Läs din rapport" in mailed.get("/test/done").get_data(as_text=True)
    done = candidate.get("/test/done")
    assert "Läs din rapport" in done.get_data(as_text=True)
    page = candidate.get("/test/report")
    assert page.status_code == 200 and "Alva Lindqvist" in page.get_data(as_text=True)
    assert "Stark analytisk förmåga" not in page.get_data(as_text=True)
    pdf = candidate.get("/test/report.pdf")
    assert pdf.headers["Content-Disposition"].startswith("attachment;") and pdf.headers["Cache-Control"] == "no-store"
    token = csrf_from(done)
    empty = candidate.post("/test/report/comment", data={"comment-csrf_token": token, "comment-text": "   "})
    assert empty.status_code == 400 and "Skriv din kommentar" in empty.get_data(as_text=True)
    long = candidate.post("/test/report/comment", data={"comment-csrf_token": token, "comment-text": "x" * 2001})
    assert long.status_code == 400
    saved = candidate.post("/test/report/comment",
                           data={"comment-csrf_token": token, "comment-text": "Jag känner igen mig i det mesta."})
    assert saved.status_code == 302
    assert db.scalar(sa.select(CandidateComment.text)) == "Jag känner igen mig i det mesta."
    assert "data-comment-after-release" not in kons.get(f"/admin/candidates/{cid}/reports").get_data(as_text=True)
    release(kons, cid, "client")
    client_report = db.scalar(sa.select(Report).where(Report.kind == ReportKind.CLIENT))
    assert "Jag känner igen mig i det mesta." in squash(pdf_text(client_report.pdf))
    # a reply after the client report was released: the consultant is told to release again
    later = candidate.get("/test/done")
    assert "annars bifogat som en bilaga som de läser och laddar ner tillsammans med rapporten" in later.get_data(
        as_text=True)  # the candidate is told exactly what happens to the reply
    candidate.post("/test/report/comment", data={"comment-csrf_token": csrf_from(later),
                                                 "comment-text": "Tillägg: <b>jag</b> har nu\nny erfarenhet."})
    assert "data-comment-after-release" in kons.get(f"/admin/candidates/{cid}/reports").get_data(as_text=True)
    # The client sees the new reply as a dated addendum to the frozen report, on its page,
    # in the list and as a PDF of its own; the released report is unchanged.
    frozen = (client_report.html, client_report.pdf_sha256)
    chef = login_as("client", check=False)
    page = chef.get(f"/admin/reports/{client_report.id}").get_data(as_text=True)
    addendum = page[page.index("data-reply-addendum"):]
    assert "Bilaga: kandidatens svar" in addendum and "efter att version 1" in addendum
    assert "Tillägg: &lt;b&gt;jag&lt;/b&gt; har nu\nny erfarenhet." in addendum
    listing = chef.get(f"/admin/client/assignments/{assessed['assignment']}").get_data(as_text=True)
    assert f'data-reply="{client_report.id}"' in listing
    reply_pdf = chef.get(f"/admin/reports/{client_report.id}/reply")
    assert reply_pdf.status_code == 200 and reply_pdf.headers["Content-Disposition"].endswith("kundrapport-"
                                                                                            f"{cid}-v1-svar.pdf")
    text = squash(pdf_text(reply_pdf.data))
    assert "Tillägg: <b>jag</b> har nu ny erfarenhet." in text and client_report.pdf_sha256 in text.replace(" ", "")
    db.expire_all()
    assert (db.get(Report, client_report.id).html, db.get(Report, client_report.id).pdf_sha256) == frozen
    assert login_as("other_client", check=False).get(f"/admin/reports/{client_report.id}/reply").status_code == 404
    # Released again, the report holds the reply and the addendum is gone.
    release(kons, cid, "client")
    newest = db.scalar(sa.select(Report).where(Report.kind == ReportKind.CLIENT, Report.version == 2))
    assert "data-reply-addendum" not in chef.get(f"/admin/reports/{newest.id}").get_data(as_text=True)
    assert chef.get(f"/admin/reports/{newest.id}/reply").status_code == 404


def test_hostile_names_are_escaped_in_html_reports(app, db, assessed, clock, login_as):
    db.execute(sa.update(Candidate).values(name=HOSTILE))
    db.execute(sa.update(Assignment).values(title=HOSTILE))
    db.execute(sa.update(Synthesis).values(judgement=HOSTILE, risks=HOSTILE))
    db.execute(sa.update(ReferenceCheck).values(referee_name=HOSTILE, summary=HOSTILE))
    db.commit()
    kons = login_as("consultant", check=False)
    for kind in ("client", "candidate"):
        html = kons.get(f"/admin/candidates/{assessed['candidate']}/reports/{kind}/preview").get_data(as_text=True)
        assert "<script>" not in html and "&lt;script&gt;" in html, kind
    release(kons, assessed["candidate"], "client")
    report = db.scalar(sa.select(Report))
    assert "<script>" not in report.html
    assert HOSTILE in squash(pdf_text(report.pdf))  # the PDF shows the text as typed


def test_release_with_an_expired_link_tells_the_consultant(app, db, assessed, clock, login_as):
    kons = login_as("consultant", check=False)
    clock.advance(days=400)
    page = kons.get(f"/admin/candidates/{assessed['candidate']}/reports")
    response = kons.post(f"/admin/candidates/{assessed['candidate']}/reports/candidate/release",
                         data={"csrf_token": csrf_from(page), "reviewed": "yes"}, follow_redirects=True)
    assert "länk har gått ut" in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind == "report_ready")) == 0


@pytest.mark.parametrize(("kind", "lang", "expected"), [
    (ReportKind.CLIENT, "en", ("SECOND OPINION · CLIENT REPORT", "Summary and recommendation",
                               "Recommended with reservations", "Fit to the requirement profile", "Test results")),
    (ReportKind.CANDIDATE, "sv", ("DIN ÅTERKOPPLINGSRAPPORT", "Dina styrkor", "Områden att utveckla",
                                  "Logiskt resonerande")),
])
def test_reports_in_the_other_language(app, db, assessed, clock, kind, lang, expected):
    if kind is ReportKind.CLIENT:
        db.execute(sa.update(Assignment).values(language=lang))
    else:
        db.execute(sa.update(Candidate).values(chosen_language=lang))
    db.commit()
    with app.app_context():
        session = get_session()
        content = svc.build_content(session, session.get(Candidate, assessed["candidate"]), kind, now=clock(), renderer=renderer, inventory=res.inventory())
        text = squash(pdf_text(svc.render_pdf(content, renderer=renderer)))
    assert content["language"] == lang
    for phrase in (*expected, "Alva Lindqvist", content["stamp"]["norms"][0]):
        assert phrase in text, phrase


def test_a_released_report_cannot_be_changed(app, db, assessed, login_as):
    release(login_as("consultant", check=False), assessed["candidate"], "client")
    report = db.scalar(sa.select(Report))
    with pytest.raises(sa.exc.DatabaseError, match="frozen"):
        db.execute(sa.update(Report).values(html="<p>changed</p>"))
    db.rollback()
    assert "changed" not in db.scalar(sa.select(Report.html).where(Report.id == report.id))


# --- client report vs consultant texts (issue 12) ----------------------------------------

CLIENT_TEMPLATE = Path(__file__).resolve().parents[1] / "portal" / "templates" / "reports" / "client.html"


def _fragments(text: str) -> list[str]:
    """The fixed parts of a text with placeholders, long enough to be recognised."""
    return [part.strip() for part in re.split(r"%\(\w+\)s|[“”\"]", text) if len(part.strip()) >= 25]


def test_client_template_uses_client_texts_only():
    """Every report text the client report reads is a client text (report_texts.AUDIENCES)."""
    source = CLIENT_TEMPLATE.read_text(encoding="utf-8")
    paths = {"/".join(p for p in m if p) for m in re.findall(r"\bT\.([a-z_]+)(?:\.([a-z_]+))?(?:\.([a-z_]+))?",
                                                               source)}
    assert "synthesis/how_to_read" in paths and "findings/flags" in paths
    for path in paths:
        assert rt.audience_allows("client", path), path
    assert "rtext(" not in source and "follow_up(" not in source


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_released_client_report_has_no_internal_prompts_and_names_every_scale(app, db, assessed, clock, lang):
    """Sources that disagree, interviewers who disagree, a flagged inventory protocol:
    the client report states the findings, never the consultant's prompts or scripts."""
    keys, users = assessed["keys"], assessed["users"]
    db.execute(sa.update(Assignment).where(Assignment.id == assessed["assignment"]).values(language=lang))
    db.execute(sa.update(InterviewRating).where(InterviewRating.competency_key == keys[0]).values(level=5))
    db.add(InterviewRating(candidate_id=assessed["candidate"], rater_id=users["admin"], competency_key=keys[0],
                           level=5, notes="x", submitted_at=clock()))
    db.add(InterviewRating(candidate_id=assessed["candidate"], rater_id=users["admin"], competency_key=keys[1],
                           level=1, notes="x", submitted_at=clock()))
    db.execute(sa.update(ReferenceCheck).values(ratings={keys[0]: {"level": 1, "notes": ""}}))
    attempt = db.scalar(sa.select(Attempt).where(Attempt.candidate_id == assessed["candidate"],
                                                 Attempt.kind == TestKind.INVENTORY))
    attempt.flags = [{"code": "too_fast", "raised": True}]
    db.commit()
    with app.test_request_context():
        session = get_session()
        c = session.get(Candidate, assessed["candidate"])
        matrix = evidence_matrix(session, c)
        rows = {r.key: r for r in matrix.rows}
        assert rows[keys[0]].agreement == "discrepant" and rows[keys[1]].rater_disagreement  # the setup works
        report = svc.release(session, c, ReportKind.CLIENT, user_id=users["consultant"], now=clock(), renderer=renderer, inventory=res.inventory())
        session.commit()
        html, text = squash(report.html), squash(pdf_text(report.pdf))
        content = report.content
    assert content["language"] == lang and content["stamp"]["synthesis_model"] == syn.MODEL_VERSION
    assert syn.MODEL_VERSION in text
    texts = rt.load_texts()
    consultant = [(path, entry) for path, entry in rt.leaf_texts(texts) if rt.audience_allows("consultant", path)]
    assert len(consultant) > 30
    for path, entry in consultant:
        for language in ("sv", "en"):
            for fragment in _fragments(entry[language]):
                assert squash(fragment) not in html and squash(fragment) not in text, (path, language, fragment)
    # The findings are there, as findings.
    disagree = _fragments(rt.text(texts["synthesis"]["disagree"], lang))[0]
    assert squash(disagree) in text
    assert squash(rt.text(texts["findings"]["flags"]["too_fast"], lang)) in text
    assert squash(rt.text(texts["synthesis"]["discounts"]["flagged"], lang)) in text
    # Every test number names its scale.
    competency_rows = content["competencies"]
    tests = [s for comp in competency_rows for s in comp["sources"] if s["source"] == "test"]
    assert tests and all(s["scales"] for s in tests)
    logic_name = "Logiktest (slutledningsförmåga)" if lang == "sv" else "Logic test (reasoning ability)"
    personality = "Personlighet: " if lang == "sv" else "Personality: "
    assert logic_name in text and personality in text


def test_client_reports_released_before_synthesis_2_render_byte_for_byte(app):
    """A client report released with the earlier synthesis (its content and the SHA-256 of
    its HTML, as released by the demo before this change) renders with the template it
    was released with: the same HTML, byte for byte, and a PDF that is reproducible."""
    stored = json.loads((Path(__file__).resolve().parent / "data" / "client_report_v1.json").read_text("utf-8"))
    assert "synthesis_model" not in stored["content"]["stamp"]
    with app.test_request_context():
        html = svc.render_html(stored["content"], renderer=renderer)
        first, second = svc.render_pdf(stored["content"], renderer=renderer), svc.render_pdf(stored["content"], renderer=renderer)
    assert hashlib.sha256(html.encode("utf-8")).hexdigest() == stored["html_sha256"]
    assert first == second
    assert "En fråga att utgå från" in squash(pdf_text(first))  # the old layout, prompts and all


def test_a_draft_pdf_is_rendered_once_until_its_content_changes(app, db, assessed, monkeypatch, login_as):
    cid = assessed["candidate"]
    svc.DRAFTS.clear()
    renders = []
    real = svc.render_pdf

    def counting(content, **kwargs):
        renders.append(kwargs.get("draft"))
        return real(content, **kwargs)

    monkeypatch.setattr(svc, "render_pdf", counting)
    kons = login_as("consultant", check=False)
    url = f"/admin/candidates/{cid}/reports/client/preview.pdf"
    first, again = kons.get(url), kons.get(url)
    assert first.status_code == again.status_code == 200 and first.data == again.data
    assert renders == [True] and again.headers["Cache-Control"] == "no-store"
    # the draft follows the data: a changed judgement is rendered anew and shows
    db.execute(sa.update(Synthesis).where(Synthesis.candidate_id == cid).values(judgement="Ny bedömning i dag."))
    db.commit()
    changed = kons.get(url)
    assert len(renders) == 2 and "Ny bedömning i dag." in squash(pdf_text(changed.data))
    # each view of a draft is still audit-logged, cached or not
    assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "preview_pdf", AuditEvent.object_id == cid)) >= 3


def test_the_draft_cache_is_bounded_and_forgets(monkeypatch):
    from datetime import timedelta

    clock = [1000.0]
    monkeypatch.setattr(svc.time, "monotonic", lambda: clock[0])
    cache = svc.DraftCache(max_entries=2, max_age=timedelta(minutes=10))
    cache.put("a", 1, b"A")
    cache.put("b", 2, b"B")
    assert cache.get("a") == b"A"  # now the most recently used
    cache.put("c", 3, b"C")
    assert cache.get("b") is None and cache.get("a") == b"A" and cache.get("c") == b"C"
    cache.forget(3)
    assert cache.get("c") is None
    clock[0] += 601
    assert cache.get("a") is None


# --- the candidate's feedback report (issue 18) -------------------------------------------

REPORT_CSS = Path(__file__).resolve().parents[1] / "portal" / "static" / "report.css"


def set_percentiles(db, candidate_id, percentiles: dict, *, default: float | None = None) -> None:
    """Give the candidate's results these percentiles (bands +-5); every other
    personality scale ``default`` if given."""
    attempts = sa.select(Attempt.id).where(Attempt.candidate_id == candidate_id)
    rows = db.scalars(sa.select(Result).where(Result.attempt_id.in_(attempts))).all()
    for row in rows:
        p = percentiles.get(row.scale, default if row.scale.startswith("personality.") else None)
        if p is not None:
            row.percentile, row.percentile_low, row.percentile_high = p, max(p - 5, 0), min(p + 5, 100)
    db.commit()


def candidate_content(app, db, candidate_id, clock, lang: str) -> dict:
    db.execute(sa.update(Candidate).where(Candidate.id == candidate_id).values(chosen_language=lang))
    db.commit()
    with app.app_context():
        session = get_session()
        return svc.build_content(session, session.get(Candidate, candidate_id), ReportKind.CANDIDATE, now=clock(), renderer=renderer, inventory=res.inventory())


def flat(text: str) -> str:
    """Text on one line, also where a line ended after a hyphen ("to-" / "do")."""
    return re.sub(r"-\s+", "-", squash(text))


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text, non-breaking spaces read as spaces, line breaks kept."""
    return [page.extract_text().replace("\xa0", " ") for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_candidate_report_leads_with_three_strengths_and_at_most_three_areas_each_with_advice(
        app, db, assessed, clock, lang):
    cid = assessed["candidate"]
    # Five scales above the middle (a tie at 95), two below it, the rest in the middle.
    set_percentiles(db, cid, {"logic.theta": 60, "personality.ES": 95, "personality.ES.composure": 95,
                              "personality.ES.recovery": 90, "personality.EX": 88, "personality.OP": 72,
                              "personality.AG.trust": 5, "personality.CO": 20}, default=50)
    content = candidate_content(app, db, cid, clock, lang)
    texts = rt.load_texts()
    # The three furthest above the middle, the tie in the report's order; each with its advice.
    assert [s["scale"] for s in content["strengths"]] == [
        "personality.ES", "personality.ES.composure", "personality.ES.recovery"]
    for s in content["strengths"]:
        assert s["advice"] == rt.text(texts["scales"][s["scale"].removeprefix("personality.")]["strength"], lang)
    # At most three areas to develop, furthest from the middle first, none of them a strength
    # already listed; each with its developmental text.
    assert [s["scale"] for s in content["development"]] == ["personality.AG.trust", "personality.EX",
                                                            "personality.CO"]
    assert content["development"][0]["develop"] == rt.text(texts["scales"]["AG.trust"]["develop_low"], lang)
    assert content["development"][1]["develop"] == rt.text(texts["scales"]["EX"]["develop_high"], lang)

    with app.test_request_context():
        html = svc.render_html(content, renderer=renderer)
        pdf = svc.render_pdf(content, renderer=renderer)
    strengths = re.search(r"<ul class=\"feedback\" data-strengths>(.*?)</ul>", html, re.S).group(1)
    development = re.search(r"<ul class=\"feedback\" data-development>(.*?)</ul>", html, re.S).group(1)
    assert strengths.count("<li") == 3 and development.count("<li") == 3
    assert strengths.count("data-advice") == 3 and development.count("data-advice") == 3
    # The reader sees them first: on the first page, with the advice sentences.
    first = flat(pages_text(pdf)[0])
    for s in content["strengths"]:
        assert f"{s['name']}." in first and flat(s["advice"]) in first, s["name"]
    for s in content["development"]:
        assert f"{s['name']}." in first and flat(s["develop"]) in first, s["name"]
    intro = "De 3 resultat där du sticker ut mest" if lang == "sv" else "The 3 results where you stand out most"
    assert intro in first


def test_an_incomplete_logic_test_is_never_a_strength_and_fewer_strong_scales_are_listed_as_they_are():
    def scale(name, percentile, level, develop=None):
        return {"scale": name, "name": name, "percentile": percentile, "level": level, "meaning": "m",
                "develop": develop, "facets": []}

    texts = rt.load_texts()
    logic = {**scale("logic.theta", 99, None), "timed": {"percentile": 40}}
    personality = [scale("personality.EX", 80, "above_average", "d"), scale("personality.OP", 50, "average"),
                   scale("personality.CO", 10, "low", "c")]
    feedback = svc._feedback(logic, personality, "en", texts)
    assert [s["scale"] for s in feedback["strengths"]] == ["personality.EX"]
    assert feedback["strengths"][0]["advice"] == texts["scales"]["EX"]["strength"]["en"]
    assert [s["scale"] for s in feedback["development"]] == ["personality.CO"]
    complete = {**scale("logic.theta", 99, "high"), "timed": None}
    assert svc._feedback(complete, personality, "sv", texts)["strengths"][0]["advice"] == \
        texts["logic"]["strength"]["sv"]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_candidate_report_cover_has_no_engine_strings_and_the_versions_close_the_report(
        app, db, assessed, clock, lang):
    content = candidate_content(app, db, assessed["candidate"], clock, lang)
    stamp = content["stamp"]
    with app.test_request_context():
        html = svc.render_html(content, renderer=renderer)
        pages = pages_text(svc.render_pdf(content, renderer=renderer))
    first, last = squash(pages[0]), squash(pages[-1])
    scoring = "Poängsättning" if lang == "sv" else "Scoring"
    assert scoring not in first and "Second Opinion" not in first
    for value in [*stamp["engine"], *stamp["item_banks"], *stamp["norms"]]:
        assert squash(value) not in first, value
    # ... and all of them, in small print, at the end.
    assert scoring in last and f"Second Opinion {stamp['app']}" in last
    for value in [*stamp["engine"], *stamp["item_banks"], *stamp["norms"]]:
        assert squash(value) in last, value
    cover = re.search(r'<header class="cover".*?</header>', html, re.S).group(0)
    assert "data-stamp" not in cover and "cat-" not in cover
    # Landmarks: the report in <main>, the colophon after it as the page's footer.
    assert html.count("<main>") == 1 and html.index("</main>") < html.index('<footer class="colophon"')


@pytest.mark.parametrize(("lang", "n", "answered", "ran_out", "ran_out_of"), [
    ("sv", 1, "Du besvarade 1 fråga.", "besvarat 1 fråga.", "besvarat 1 av högst 1 fråga."),
    ("sv", 12, "Du besvarade 12 frågor.", "besvarat 12 frågor.", "besvarat 12 av högst 20 frågor."),
    ("en", 1, "You answered 1 question.", "answered 1 question.", "answered 1 of at most 1 question."),
    ("en", 12, "You answered 12 questions.", "answered 12 questions.", "answered 12 of at most 20 questions."),
])
def test_candidate_report_plurals(app, db, assessed, clock, lang, n, answered, ran_out, ran_out_of):
    content = candidate_content(app, db, assessed["candidate"], clock, lang)
    content["logic"]["n_answered"] = n
    cut_off = json.loads(json.dumps(content))
    cut_off["logic"].update(timed={"percentile": 20}, incomplete=True, max_items=None)
    of_max = json.loads(json.dumps(cut_off))
    of_max["logic"]["max_items"] = 1 if n == 1 else 20
    with app.test_request_context():
        assert answered in squash(svc.render_html(content, renderer=renderer))
        assert ran_out in squash(svc.render_html(cut_off, renderer=renderer))
        assert ran_out_of in squash(svc.render_html(of_max, renderer=renderer))


def test_report_pages_have_a_main_landmark_and_the_bar_outside_it(app, db, assessed, clock, login_as):
    cid = assessed["candidate"]
    kons = login_as("consultant", check=False)
    for kind in ("client", "candidate"):
        html = kons.get(f"/admin/candidates/{cid}/reports/{kind}/preview").get_data(as_text=True)
        assert html.count("<main>") == 1 and html.count("</main>") == 1, kind
    release(kons, cid, "candidate")
    report = db.scalar(sa.select(Report).where(Report.kind == ReportKind.CANDIDATE))
    page = kons.get(f"/admin/reports/{report.id}").get_data(as_text=True)
    assert page.index('<nav class="doc-bar"') < page.index("<main>") < page.index("</main>")


def test_page_numbers_stay_on_one_line(app, assessed, clock):
    css = REPORT_CSS.read_text(encoding="utf-8")
    bottom_right = re.search(r"@bottom-right \{([^}]*)\}", css).group(1)
    assert "white-space: nowrap" in bottom_right and 'counter(page) "\\a0/\\a0" counter(pages)' in bottom_right
    with app.app_context():
        session = get_session()
        content = svc.build_content(session, session.get(Candidate, assessed["candidate"]), ReportKind.CLIENT,
                                    now=clock(), renderer=renderer, inventory=res.inventory())
        pages = pages_text(svc.render_pdf(content, renderer=renderer))
    assert len(pages) > 3
    for number, text in enumerate(pages, start=1):
        assert re.search(rf"(^|\s){number} / {len(pages)}($|\s)", text), (number, text[-200:])


def test_quoted_labels_are_not_broken_across_lines(app, db, assessed, clock):
    """The norm notices quote the comparison group's name; whatever its length and
    wherever the line ends, the quoted name stays on one line."""
    css = REPORT_CSS.read_text(encoding="utf-8")
    assert re.search(r"\.quoted \{[^}]*white-space: nowrap", css)
    content = candidate_content(app, db, assessed["candidate"], clock, "en")
    labels = [f"Managers {'and specialists ' * k}in the Nordic countries (provisional)" for k in range(1, 4)]
    labels += [f"{'Finance ' * k}managers, own candidates" for k in range(3, 8)]
    content["norm_tables"] = [{"ref": f"x.v{i}", "label": {"sv": label, "en": label}, "n": 120, "provisional": True,
                               "from_data": True, "min_n": 300, "local": None, "client": None, "role_family": None}
                              for i, label in enumerate(labels)]
    with app.test_request_context():
        html = svc.render_html(content, renderer=renderer)
        text = "\n".join(pages_text(svc.render_pdf(content, renderer=renderer)))
    assert html.count('<span class="quoted">') == len(labels)
    lines = text.splitlines()
    for label in labels:
        assert any(f"“{label}”" in line for line in lines), label


def test_candidate_reports_released_before_texts_2_render_byte_for_byte(app):
    """A candidate report released before the rework (every strong scale listed as a
    strength, the versions on the cover) renders with the template it was released with."""
    stored = json.loads((Path(__file__).resolve().parent / "data" / "candidate_report_v1.json").read_text("utf-8"))
    assert stored["content"]["stamp"]["report_texts"] == 1 and "advice" not in stored["content"]["strengths"][0]
    with app.test_request_context():
        html = svc.render_html(stored["content"], renderer=renderer)
        first, second = svc.render_pdf(stored["content"], renderer=renderer), svc.render_pdf(stored["content"], renderer=renderer)
    assert hashlib.sha256(html.encode("utf-8")).hexdigest() == stored["html_sha256"]
    assert first == second
    assert "Poängsättning" in pages_text(first)[0]  # the old cover, stamp and all
