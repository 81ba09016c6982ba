"""Accessibility as a gate (issue 18): axe-core checks every candidate page, both reports
(released and draft) and the main admin and client pages, at phone width (360 px) and at
desktop width, in headless Chromium against a live server with the demo data of
`make run`. No violation of impact moderate or higher may remain.

axe-core is the npm package pinned in tests/a11y/package-lock.json (`make test` installs
it). The pages' Content-Security-Policy allows no inline or foreign script, so only this
test's browser contexts are opened with Playwright's ``bypass_csp`` to inject axe; the
server sends its strict policy as always (checked below).

Run it alone: ``python -m pytest tests/test_browser_a11y.py`` (see README, "Tests")."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from portal import resources as res
from portal.db import get_session
from portal.models import Assignment, Candidate, Invitation, Report, ReportKind, Role, User
from portal.services import demo, reports, verification
from portal.services.invitations import invitation_url
from portal.web import renderer
from conftest import sign_in_page
from test_browser import browser, live_server, step  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = ({"width": 360, "height": 740}, {"width": 1280, "height": 900})
#: Impacts that fail the gate (axe's scale: minor, moderate, serious, critical).
BLOCKING = {"moderate", "serious", "critical"}
PASSWORD = "ett långt lösenord"
ADMIN_EMAIL = "admin@demo.example"

# The violations of one page: rule, impact and the first three elements (CSS selectors).
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map(n => n.target.map(String).join(' >> ')),
    count: v.nodes.length,
  }));
}"""


@pytest.fixture
def axe_path():
    if not AXE.exists():
        reason = ("axe-core is not installed: run `npm ci --prefix tests/a11y` "
                  "(or `make test`, which does it; needs npm)")
        if os.environ.get("CI"):
            pytest.fail(reason + "; .ci/run must install npm")
        pytest.skip(reason)
    return AXE


@pytest.fixture
def world(app, db, clock, tmp_path, make_invitation):
    """The demo data of `make run` (a consultant, a client user, two assignments, a candidate
    with released reports), one password for everyone, an administrator, and a reply from
    the simulated candidate to their feedback report."""
    with app.app_context():
        session = get_session()
        assert demo.seed(session, now=clock(), settings=res.invitation_settings(), bank=res.logic_bank(),
                         inventory=res.inventory(), norms_for=res.norm_table, instance_path=str(tmp_path), renderer=renderer)
        session.commit()
        simulated = session.scalar(sa.select(Candidate).where(Candidate.name == demo.SIMULATED_NAME))
        reports.save_comment(session, simulated, "Jag känner igen mig i det mesta.", now=clock())
        session.commit()
    for user in db.scalars(sa.select(User)):
        user.password_hash = generate_password_hash(PASSWORD)
    db.add(User(email=ADMIN_EMAIL, name="Demo Admin", role=Role.ADMIN,
                password_hash=generate_password_hash(PASSWORD)))
    db.commit()
    cfo = db.scalar(sa.select(Assignment).where(Assignment.title == "Ekonomichef"))
    analyst = db.scalar(sa.select(Assignment).where(Assignment.title == "Data Analyst"))
    simulated = db.scalar(sa.select(Candidate).where(Candidate.name == demo.SIMULATED_NAME))
    released = {r.kind: r.id for r in db.scalars(sa.select(Report).where(Report.candidate_id == simulated.id))}
    # A link whose invitation has expired.
    _, expired_id, expired_link = make_invitation(cfo.id, name="Ebba Utgången", email="ebba@example.com")
    db.get(Invitation, expired_id).expires_at = clock() - timedelta(days=1)
    db.commit()
    return {"cfo": cfo.id, "analyst": analyst.id, "simulated": simulated.id, "expired_link": expired_link,
            "client_report": released[ReportKind.CLIENT], "candidate_report": released[ReportKind.CANDIDATE]}


class Gate:
    """Runs axe on pages and collects the blocking violations."""

    def __init__(self, axe: Path, width: int):
        self.axe, self.width = str(axe), width
        self.found: list[str] = []
        self.checked: list[str] = []

    def check(self, page, label: str) -> None:
        page.wait_for_load_state("load")
        page.add_script_tag(path=self.axe)
        for v in page.evaluate(RUN_AXE):
            if v["impact"] in BLOCKING:
                self.found.append(f"{label} @ {self.width}px: {v['id']} ({v['impact']}, {v['count']}×) "
                                  f"{v['help']}: {'; '.join(v['targets'])}")
        self.checked.append(label)

    def visit(self, page, base: str, path: str, label: str, status: int = 200) -> None:
        response = page.goto(base + path)
        assert response.status == status, f"{label}: {path} answered {response.status}"
        if status == 200:  # the page itself, not a redirect to the login page or elsewhere
            assert page.url.split("?")[0] == base + path, f"{label}: {path} went to {page.url}"
        self.check(page, label)


def secondary_admin_pages(cfo: int, sim: int) -> list[tuple[str, str]]:
    """Administrator pages beyond the main ones: checked at phone width only, where wide
    tables and forms break first (the gate's run time stays under about two minutes)."""
    return [
        ("/admin/analytics/inventory", "analytics, inventory"),
        ("/admin/analytics/dif", "analytics, DIF"),
        ("/admin/analytics/impact", "analytics, adverse impact"),
        ("/admin/analytics/leaks", "analytics, leak monitoring"),
        ("/admin/clients", "clients"),
        ("/admin/audit", "audit log"),
        ("/admin/banks", "item banks"),
        ("/admin/banks/versions", "item bank versions"),
        ("/admin/retention", "retention"),
        ("/admin/webhooks", "webhooks"),
        ("/admin/api-keys", "API keys"),
        ("/admin/sso", "single sign-on"),
        ("/admin/account/two-factor", "two-factor set-up"),
        ("/admin/competencies/new", "new competency"),
        (f"/admin/assignments/{cfo}/profile/history", "profile history"),
        (f"/admin/assignments/{cfo}/candidates/import", "candidate import"),
        (f"/admin/assignments/{cfo}/retention", "assignment retention"),
        (f"/admin/candidates/{sim}/retention", "candidate retention"),
    ]


def new_page(browser, width, locale="sv-SE"):  # noqa: F811
    # bypass_csp: in this test only, so that axe can be injected into the page.
    context = browser.new_context(viewport=width, locale=locale, bypass_csp=True)
    return context, context.new_page()


def log_in(browser, base, width, email, locale="sv-SE"):  # noqa: F811
    context, page = new_page(browser, width, locale)
    sign_in_page(page, base, email, PASSWORD)
    assert "/admin/login" not in page.url, f"{email} could not sign in"
    return context, page


def candidate_journey(gate, page, base, link, clock):
    """A new candidate from the invitation link to the thank-you page."""
    page.goto(base + link)
    assert step(page) == "welcome"
    gate.check(page, "candidate welcome (with the language choice)")
    page.locator("main button.primary").click()  # without consent: an error message
    assert step(page) == "welcome" and page.locator(".error").count()
    gate.check(page, "candidate welcome, consent missing")
    page.locator("input[name=consent]").check()
    page.locator("main button.primary").click()
    assert step(page) == "instructions"
    gate.check(page, "candidate instructions")
    page.locator("main button.primary").click()
    assert step(page) == "practice"
    gate.check(page, "candidate practice item")
    feedback_checked = False
    while step(page) == "practice":
        if page.locator("[data-feedback]").count():
            if not feedback_checked:
                gate.check(page, "candidate practice feedback")
                feedback_checked = True
            page.locator("a.button.primary").click()
        else:
            page.locator("input[name=option]").first.check()
            page.locator("main button.primary").click()
    assert step(page) == "ready"
    gate.check(page, "candidate ready to start")
    page.locator("main button.primary").click()
    assert step(page) == "item"
    gate.check(page, "candidate logic item")
    page.locator("input[name=option]").first.check()
    page.locator("main button.primary").click()
    clock.advance(hours=1)  # the time limit passes: the time-up page
    page.goto(base + "/test/item")
    assert page.url.endswith("/test/time-up")
    gate.check(page, "candidate time is up")
    page.locator("a.button.primary").click()
    assert step(page) == "inventory"
    gate.check(page, "candidate inventory")
    # Nothing answered (past the browser's own check): the server marks what is missing.
    page.locator("form:has(fieldset.statement)").evaluate("f => f.setAttribute('novalidate', '')")
    page.locator("main button.primary").click()
    assert step(page) == "inventory" and page.locator("[aria-invalid=true], .has-error, .error").count()
    gate.check(page, "candidate inventory, answers missing")
    while step(page) == "inventory":
        for fieldset in page.locator("fieldset.statement").all():
            fieldset.locator("input[type=radio]").nth(3).check()
        page.locator("main button.primary").click()
    assert step(page) == "done"
    gate.check(page, "candidate done")
    page.locator("form.experience input[type=radio]").first.check()
    page.locator("form.experience button").click()
    gate.check(page, "candidate done, rated")
    page.goto(base + "/test/equality")
    gate.check(page, "candidate equality questions")


def verification_journey(gate, app, clock, browser, base, width, candidate_id):  # noqa: F811
    """The supervised verification test on a fresh browser, from the code to the end."""
    with app.app_context():
        session = get_session()
        candidate = session.get(Candidate, candidate_id)
        order = verification.open_order(session, candidate) or verification.place_order(
            session, candidate, res.logic_bank(), user_id=None, now=clock())
        code = verification.reveal_code(session, order, secret_key=app.secret_key, user_id=None, now=clock())
        session.commit()
    context, page = new_page(browser, width)
    gate.visit(page, base, "/verify", "verification code")
    page.locator("input[name=code]").fill("AB-CDEF-GHJK")
    page.locator("main button.primary").click()
    gate.check(page, "verification code, wrong code")
    page.locator("input[name=code]").fill(code)
    page.locator("main button.primary").click()
    assert step(page) == "verify-confirm"
    gate.check(page, "verification confirm")
    page.locator("main button.primary").click()
    assert step(page) == "item"
    gate.check(page, "verification item")
    while step(page) == "item":
        page.locator("input[name=option]").first.check()
        page.locator("main button.primary").click()
    assert step(page) == "verify-done"
    gate.check(page, "verification done")
    context.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # pages look the same on PostgreSQL
def test_no_accessibility_violations(axe_path, app, clock, browser, live_server, world,  # noqa: F811
                                     make_invitation):
    base, w = live_server, world
    sim, cfo = w["simulated"], w["cfo"]
    found, checked = [], 0
    for width in WIDTHS:
        gate = Gate(axe_path, width["width"])

        # Candidate pages: a Swedish candidate at phone width, an English one at desktop width.
        aid, lang, locale = (cfo, "sv", "sv-SE") if width["width"] < 600 else (w["analyst"], "en", "en-GB")
        _, _, link = make_invitation(aid, name=f"Tova Tillgänglig {width['width']}",
                                     email=f"tova{width['width']}@example.com", language=lang)
        context, page = new_page(browser, width, locale)
        candidate_journey(gate, page, base, link, clock)
        context.close()

        # The simulated demo candidate: released feedback report, reply to it.
        with app.app_context():
            session = get_session()
            inv = session.get(Candidate, sim).invitations[-1]
            sim_link = invitation_url(inv, res.invitation_settings()).removeprefix("http://localhost")
        context, page = new_page(browser, width)
        page.goto(base + sim_link)
        assert step(page) == "done"
        gate.check(page, "candidate done, report released")
        gate.visit(page, base, "/test/report", "candidate's feedback report (released)")
        context.close()

        # Link problems and error pages, without a candidate session.
        context, page = new_page(browser, width)
        gate.visit(page, base, w["expired_link"], "invitation link expired", status=410)
        gate.visit(page, base, "/i/not-a-real-token", "invitation link invalid", status=404)
        gate.visit(page, base, "/test", "no candidate session", status=404)
        gate.visit(page, base, "/no-such-page", "page not found", status=404)
        gate.visit(page, base, "/api/v1/docs", "API reference")
        gate.visit(page, base, "/admin/login", "admin login")
        # The server's policy stays strict: axe got in through this context's bypass only.
        csp = page.request.get(base + "/admin/login").headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe" not in csp
        page.locator("input[name=email]").fill("nobody@example.com")
        page.locator("input[name=password]").fill("wrong password")
        page.locator("form button[type=submit]").last.click()
        gate.check(page, "admin login, refused")
        context.close()

        verification_journey(gate, app, clock, browser, base, width, sim)

        # The consultant's pages.
        context, page = log_in(browser, base, width, demo.DEMO_EMAIL)
        for path, label in [
            ("/admin/", "consultant start page"),
            (f"/admin/assignments/{cfo}", "assignment board"),
            (f"/admin/assignments/{cfo}/candidates", "candidate list"),
            (f"/admin/assignments/{cfo}/candidates/new", "add candidate"),
            (f"/admin/assignments/{cfo}/edit", "assignment settings"),
            ("/admin/assignments/new", "new assignment"),
            (f"/admin/assignments/{cfo}/profile", "profile editor"),
            (f"/admin/assignments/{cfo}/finalists", "finalists"),
            (f"/admin/candidates/{sim}", "candidate results"),
            (f"/admin/candidates/{sim}/manage", "candidate manage"),
            (f"/admin/candidates/{sim}/interview-guide", "interview guide"),
            (f"/admin/candidates/{sim}/ratings", "interview ratings"),
            (f"/admin/candidates/{sim}/references", "references"),
            (f"/admin/candidates/{sim}/background", "background checks"),
            (f"/admin/candidates/{sim}/synthesis", "synthesis"),
            (f"/admin/candidates/{sim}/reports", "reports"),
            (f"/admin/candidates/{sim}/reports/client/preview", "client report, draft preview"),
            (f"/admin/candidates/{sim}/reports/candidate/preview", "candidate report, draft preview"),
            (f"/admin/reports/{w['client_report']}", "client report, released"),
            (f"/admin/reports/{w['candidate_report']}", "candidate report, released (consultant)"),
            ("/admin/outbox", "outbox"),
        ]:
            gate.visit(page, base, path, label)
        context.close()

        # The administrator's pages.
        context, page = log_in(browser, base, width, ADMIN_EMAIL)
        for path, label in [
            ("/admin/users", "users"),
            ("/admin/analytics", "analytics overview"),
        ] + (secondary_admin_pages(cfo, sim) if width["width"] < 600 else []):
            gate.visit(page, base, path, label)
        context.close()

        # The client's pages.
        context, page = log_in(browser, base, width, demo.CLIENT_EMAIL)
        for path, label in [
            ("/admin/client", "client start page"),
            (f"/admin/client/assignments/{cfo}", "client assignment"),
            (f"/admin/reports/{w['client_report']}", "client report, released (client)"),
            (f"/admin/candidates/{sim}/first-opinion", "first opinion"),
        ]:
            gate.visit(page, base, path, label)
        context.close()

        found += gate.found
        checked += len(gate.checked)

    assert checked >= 2 * 45, checked
    assert not found, f"{len(found)} accessibility violations (impact moderate or higher):\n" + "\n".join(found)
