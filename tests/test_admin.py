"""Consultant login and the minimal results view."""
from __future__ import annotations

import re

import pytest

from conftest import PASSWORD, csrf_from, sign_in, step_of
from helpers import Candidate
from portal.models import User



@pytest.fixture
def consultant(make_user):
    return make_user("anna@example.com", name="Anna")


def test_admin_requires_login(client, make_assignment):
    aid = make_assignment()
    for url in ("/admin/", f"/admin/assignments/{aid}"):
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_login_and_see_assignment(client, consultant, make_assignment):
    make_assignment(title="Ekonomichef", staff=[consultant])
    response = sign_in(client, "anna@example.com", PASSWORD)
    assert response.status_code == 302
    page = client.get("/admin/").get_data(as_text=True)
    assert "Ekonomichef" in page and "Testbolaget AB" in page


def test_wrong_password_is_refused_with_message(client, consultant):
    response = sign_in(client, "anna@example.com", "wrong password")
    assert response.status_code == 401
    assert "Fel e-postadress eller lösenord" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_failed_logins_are_rate_limited(client, consultant):
    for _ in range(10):
        assert sign_in(client, "anna@example.com", "nope").status_code == 401
    response = sign_in(client, "anna@example.com", "nope")
    assert response.status_code == 429
    assert step_of(response) == "error"
    # even the right password waits until the window has passed
    assert sign_in(client, "anna@example.com", PASSWORD).status_code == 429


def test_successful_logins_do_not_count_towards_the_limit(client, consultant):
    for _ in range(12):
        assert sign_in(client, "anna@example.com", PASSWORD).status_code == 302


def test_logout_invalidates_copied_session(app, client, consultant):
    sign_in(client, "anna@example.com", PASSWORD)
    cookie = client.get_cookie("so_session").value
    page = client.get("/admin/")
    client.post("/admin/logout", data={"csrf_token": csrf_from(page)})
    thief = app.test_client()
    thief.set_cookie("so_session", cookie)
    assert thief.get("/admin/").status_code == 302


def test_password_is_stored_hashed(db, consultant):
    user = db.get(User, consultant)
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_results_view_shows_status_scores_and_norm_group(app, client, consultant, make_assignment,
                                                          make_invitation):
    aid = make_assignment(title="Controller", norm_group="managers", staff=[consultant])
    _, _, done_link = make_invitation(aid, name="Klara Klar", email="k@example.com")
    _, _, open_link = make_invitation(aid, name="Olle Öppnat", email="o@example.com")
    make_invitation(aid, name="Ivar Inbjuden", email="i@example.com")
    c = Candidate(app.test_client(), done_link).through_practice()
    c.start_test(); c.answer_all_items(); c.finish_inventory()
    app.test_client().get(open_link)
    sign_in(client, "anna@example.com", PASSWORD)
    html = client.get(f"/admin/assignments/{aid}").get_data(as_text=True)
    statuses = dict(re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a><br>.*?data-status="([a-z_]+)"',
                              html, re.S))
    assert statuses == {"Klara Klar": "completed", "Olle Öppnat": "opened", "Ivar Inbjuden": "invited"}
    assert "Simulerad referensgrupp, chefer (preliminär)" in html  # the managers norm group is named
    assert "preliminära normer" in html
    assert html.count('data-scale="personality.') == 5
    assert re.search(r'data-scale="logic.theta"><strong>percentil \d+</strong><br>'
                     r'<span class="band">\d+–\d+</span>', html)


def _complete(app, link, value=4, straight=False):
    c = Candidate(app.test_client(), link).through_practice()
    c.start_test()
    c.answer_all_items()
    if straight:
        c.finish_inventory(value=5)
    else:
        while c.step == "inventory":
            ids = re.findall(r'<input type="radio" name="([^"]+)" value="1"', c.html)
            page = re.search(r'name="page" value="(\d+)"', c.html).group(1)
            c.post("/test/inventory", {"page": page, **{sid: str(1 + sum(map(ord, sid)) % 5) for sid in ids}})
    return c


def test_candidate_page_shows_theta_band_facets_and_flags(app, client, consultant, make_assignment,
                                                            make_invitation):
    from item_banks import adaptive, load_inventory

    aid = make_assignment(staff=[consultant])
    cid, _, link = make_invitation(aid)
    _complete(app, link, straight=True)
    sign_in(client, "anna@example.com", PASSWORD)
    response = client.get(f"/admin/candidates/{cid}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r'data-theta="-?\d\.\d\d">θ = -?\d\.\d\d, SE = \d\.\d\d', html)
    assert re.search(r'percentil \d+ <span class="band">\(90 %-intervall \d+–\d+\)', html)
    items = int(re.search(r'data-items="(\d+)"', html).group(1))
    assert adaptive.APP_SETTINGS.min_items <= items <= adaptive.APP_SETTINGS.max_items
    assert re.search(r'data-rapid="\d+"', html)
    assert html.count('class="facet-row"') == len(load_inventory().facets) == 20
    assert html.count('class="domain-row"') == 5
    flags = dict(re.findall(r'data-flag="([a-z_]+)" data-raised="(true|false)"', html))
    assert flags["long_string"] == "true" and flags["acquiescence"] == "true"
    assert "preliminära normer" in html
    assert html.count('class="bandbar"') == 1 + 25


def test_candidate_page_for_attentive_answers_raises_no_long_string(app, client, consultant,
                                                                     make_assignment, make_invitation):
    aid = make_assignment(staff=[consultant])
    cid, _, link = make_invitation(aid)
    _complete(app, link)
    sign_in(client, "anna@example.com", PASSWORD)
    html = client.get(f"/admin/candidates/{cid}").get_data(as_text=True)
    flags = dict(re.findall(r'data-flag="([a-z_]+)" data-raised="(true|false)"', html))
    assert flags["long_string"] == "false"


def test_candidate_page_requires_login_and_exists(client, consultant, make_assignment, make_invitation):
    cid, _, _ = make_invitation(make_assignment(staff=[consultant]))
    assert client.get(f"/admin/candidates/{cid}").status_code == 302
    sign_in(client, "anna@example.com", PASSWORD)
    assert client.get("/admin/candidates/99999").status_code == 404
    html = client.get(f"/admin/candidates/{cid}").get_data(as_text=True)
    assert "Inte påbörjat" in html


def test_candidate_names_are_escaped(client, consultant, make_assignment, make_invitation):
    aid = make_assignment(staff=[consultant])
    make_invitation(aid, name="<script>alert(1)</script>", email="x@example.com")
    sign_in(client, "anna@example.com", PASSWORD)
    html = client.get(f"/admin/assignments/{aid}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_unknown_assignment_is_404(client, consultant):
    sign_in(client, "anna@example.com", PASSWORD)
    assert client.get("/admin/assignments/9999").status_code == 404
