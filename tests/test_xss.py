"""Hostile text in every free-text field a user can fill is shown as text, never run: 50
payloads (script tags, event handlers, javascript: URLs, SVG, template syntax, spreadsheet
formulas) through candidate names (one by one and by CSV import), client and assignment
names, interview notes, references, the consultant's judgement and the candidate's reply,
checked on every page that shows them and in the reports' HTML and PDF text."""
from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from conftest import csrf_from
from portal import resources as res
from portal.db import get_session
from portal.models import (
    Assignment, Candidate, CandidateComment, Client, InterviewRating, ReferenceCheck, ReportKind, Synthesis,
)
from portal.services import reports as svc
from portal.web import renderer
from test_reports import assessed, pdf_text, squash  # noqa: F401  (fixture)

PAYLOADS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>",
    "\"><script>alert(1)</script>", "'><img src=x onerror=alert(1)>", "<a href=\"javascript:alert(1)\">x</a>",
    "javascript:alert(1)", "<iframe src=\"javascript:alert(1)\"></iframe>", "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>", "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "{{7*7}}", "${7*7}", "{% raw %}x", "<style>@import 'http://evil.example/x.css';</style>",
    "<object data=\"javascript:alert(1)\"></object>", "<embed src=javascript:alert(1)>",
    "<input autofocus onfocus=alert(1)>", "<marquee onstart=alert(1)>", "<video><source onerror=alert(1)>",
    "<svg><script>alert(1)</script></svg>", "\" onmouseover=\"alert(1)", "';alert(1);//",
    "</textarea><script>alert(1)</script>", "</title><script>alert(1)</script>",
    "<!--<script>alert(1)</script>-->", "<base href=\"http://evil.example/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>", "<table background=\"javascript:alert(1)\">",
    "<div style=\"background:url(javascript:alert(1))\">x</div>", "<x onclick=alert(1)>klicka</x>",
    "<scr<script>ipt>alert(1)</script>", "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;", "<ScRiPt>alert(1)</sCrIpT>", "<svg/onload=alert(1)>",
    "<img src=\"x\" onerror=\"alert(String.fromCharCode(88))\">", "=cmd|' /C calc'!A0",
    "=HYPERLINK(\"http://evil.example\",\"x\")", "+SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0", "=1+1", "<link rel=stylesheet href=http://evil.example/x.css>",
    "<script src=//evil.example/x.js></script>", "<a href=\" javascript:alert(1)\">x</a>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>", "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
]
ACTIVE = re.compile(r"<(script|img|svg|iframe|object|embed|input|marquee|video|details|base|meta|link|style|x|"
                    r"math|form|table|body|noscript|scr)\b|\son\w+\s*=|(?:href|src|action|data)\s*=\s*[\"']?\s*"
                    r"javascript:", re.IGNORECASE)


def test_the_list_has_fifty_payloads():
    assert len(PAYLOADS) == 50 and len(set(PAYLOADS)) == 50


def hostile(html: str, payload: str) -> bool:
    """Does ``payload`` appear in ``html`` as markup (unescaped) rather than as text?"""
    return payload in html and bool(ACTIVE.search(payload))


def check_page(html: str, payloads, where: str) -> None:
    for payload in payloads:
        assert not hostile(html, payload), (where, payload)
    # nothing the payloads could add: no script but our own files, no inline handler, no javascript: URL
    for pattern in (r"<script(?![^>]*\bsrc=\"/static/)", r"<[^>]*\son(error|load|focus|click|toggle|mouseover|start|begin)\s*=",
                    r"<[^>]*(href|src|action|data)\s*=\s*[\"']?\s*javascript:"):
        found = re.search(pattern, html, re.I)
        assert found is None, (where, html[max(0, found.start() - 120):found.end() + 80])


def test_candidate_names_by_hand_and_by_csv_on_every_list(app, db, assessed, login_as):  # noqa: F811
    aid = assessed["assignment"]
    client = login_as("consultant", check=False)
    token = csrf_from(client.get(f"/admin/assignments/{aid}/candidates/new"))
    for i, payload in enumerate(PAYLOADS[:25]):
        r = client.post(f"/admin/assignments/{aid}/candidates/new",
                        data={"csrf_token": token, "name": payload, "email": f"x{i}@example.com", "language": "sv"})
        assert r.status_code in (200, 302), (payload, r.status_code)
    rows = "\n".join(f"{p.replace(';', ',')};y{i}@example.com" for i, p in enumerate(PAYLOADS[25:]))
    data = ("namn;e-post\n" + rows + "\n").encode("utf-8")
    preview = client.post(f"/admin/assignments/{aid}/candidates/import", content_type="multipart/form-data",
                          data={"csrf_token": token, "file": (io.BytesIO(data), "kandidater.csv")})
    check_page(preview.get_data(as_text=True), PAYLOADS, "import preview")
    payload_field = re.search(r'name="payload" type="hidden" value="([^"]+)"', preview.get_data(as_text=True))
    done = client.post(f"/admin/assignments/{aid}/candidates/import",
                       data={"csrf_token": token, "payload": payload_field.group(1), "valid_only": "1"})
    assert done.status_code == 302
    db.expire_all()
    names = set(db.scalars(sa.select(Candidate.name)))
    stored = [p for p in PAYLOADS if p in names or p.replace(";", ",") in names]
    assert len(stored) >= 45  # stored as typed (a few are reshaped by CSV quoting or trimming)
    for url in (f"/admin/assignments/{aid}", f"/admin/assignments/{aid}/candidates",
                f"/admin/assignments/{aid}?fragment=1", f"/admin/assignments/{aid}/finalists", "/admin/"):
        page = client.get(url)
        assert page.status_code == 200, url
        check_page(page.get_data(as_text=True), PAYLOADS, url)


@pytest.mark.parametrize("chunk", range(5))
def test_free_texts_of_an_assessed_candidate_in_pages_and_reports(app, db, clock, assessed, chunk, login_as):  # noqa: F811
    """Ten payloads per run, spread over the free-text fields; both reports as HTML and PDF."""
    payloads = PAYLOADS[chunk * 10:(chunk + 1) * 10]
    cid, aid = assessed["candidate"], assessed["assignment"]
    p = iter(payloads * 2)
    assignment = db.get(Assignment, aid)
    db.execute(sa.update(Client).where(Client.id == assignment.client_id).values(name=next(p)))
    db.execute(sa.update(Assignment).where(Assignment.id == aid).values(title=next(p)))
    db.execute(sa.update(Candidate).where(Candidate.id == cid).values(name=next(p)))
    db.execute(sa.update(InterviewRating).where(InterviewRating.candidate_id == cid).values(notes=next(p)))
    db.execute(sa.update(ReferenceCheck).where(ReferenceCheck.candidate_id == cid).values(
        referee_name=next(p), relation=next(p), period=next(p), summary=next(p)))
    db.execute(sa.update(Synthesis).where(Synthesis.candidate_id == cid).values(
        judgement=next(p), strengths=next(p), risks=next(p)))
    db.add(CandidateComment(candidate_id=cid, text=next(p), created_at=clock(), updated_at=clock()))
    db.execute(sa.update(Candidate).where(Candidate.id == cid).values(legal_hold_at=clock(),
                                                                     legal_hold_reason=next(p)[:200]))
    db.commit()
    admin = login_as("admin", check=False)
    page = admin.get("/admin/retention")
    assert page.status_code == 200
    check_page(page.get_data(as_text=True), payloads, "/admin/retention")
    client = login_as("consultant", check=False)
    for url in (f"/admin/candidates/{cid}", f"/admin/candidates/{cid}/synthesis", f"/admin/candidates/{cid}/ratings",
                f"/admin/candidates/{cid}/retention",
                f"/admin/candidates/{cid}/references", f"/admin/candidates/{cid}/interview-guide",
                f"/admin/candidates/{cid}/reports", f"/admin/assignments/{aid}", "/admin/"):
        page = client.get(url)
        assert page.status_code == 200, url
        check_page(page.get_data(as_text=True), payloads, url)
    with app.test_request_context():
        session = get_session()
        c = session.get(Candidate, cid)
        for kind in ReportKind:
            content = svc.build_content(session, c, kind, now=clock(), renderer=renderer, inventory=res.inventory())
            html = svc.render_html(content, renderer=renderer)
            check_page(html, payloads, f"{kind.value} report")
            text = squash(pdf_text(svc.render_pdf(content, renderer=renderer)))
            # shown as the literal text that was typed (the candidate's name is on every report)
            assert squash(payloads[2]) in text or squash(payloads[2]).replace("&", "") in text.replace("&", "")
