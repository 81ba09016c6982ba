"""CLI commands."""
from __future__ import annotations

import re

import sqlalchemy as sa

from conftest import sign_in, step_of
from portal.models import Assignment, Candidate, Result, User


def test_invite_prints_url_as_last_line_and_link_works(app, runner, db, make_assignment):
    aid = make_assignment()
    result = runner.invoke(args=["invite", "--assignment", str(aid), "--name", "Eva Exempel",
                                 "--email", "eva@example.com", "--lang", "en", "--extra-time", "25"])
    assert result.exit_code == 0, result.output
    url = result.output.strip().splitlines()[-1]
    assert url.startswith("http://localhost/i/")
    assert "eva" not in url.lower()
    candidate = db.scalar(sa.select(Candidate))
    assert candidate.extra_time_pct == 25 and candidate.invitations[0].language == "en"
    page = app.test_client().get(url.removeprefix("http://localhost"), follow_redirects=True)
    assert step_of(page) == "welcome" and '<html lang="en">' in page.get_data(as_text=True)


def test_invite_bad_input_is_clear(runner, make_assignment):
    aid = make_assignment()
    result = runner.invoke(args=["invite", "--assignment", "999", "--name", "A", "--email", "a@b.se"])
    assert result.exit_code != 0 and "No assignment with id 999" in result.output
    result = runner.invoke(args=["invite", "--assignment", str(aid), "--name", "A", "--email", "nope"])
    assert result.exit_code != 0 and "not a valid e-mail" in result.output


def test_create_user(runner, db):
    result = runner.invoke(args=["create-user", "--email", "Admin@Example.com", "--role", "admin"],
                           input="a-long-password\na-long-password\n")
    assert result.exit_code == 0, result.output
    user = db.scalar(sa.select(User))
    assert user.email == "admin@example.com" and user.role.value == "admin"
    again = runner.invoke(args=["create-user", "--email", "admin@example.com"],
                          input="a-long-password\na-long-password\n")
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(args=["create-user", "--email", "b@example.com"], input="short\nshort\n")
    assert short.exit_code != 0 and "at least 12" in short.output


def test_demo_is_idempotent_and_prints_logins_and_links(app, runner, db, tmp_path):
    app.instance_path = str(tmp_path)
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "Demo data created." in first.output
    assert "konsult@demo.example" in first.output
    links = [line for line in first.output.splitlines() if "/i/" in line]
    assert len(links) == db.scalar(sa.select(sa.func.count()).select_from(Candidate)) >= 3
    counts = (db.scalar(sa.select(sa.func.count()).select_from(Assignment)),
              db.scalar(sa.select(sa.func.count()).select_from(Candidate)))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "already present" in second.output
    db.expire_all()
    assert counts == (db.scalar(sa.select(sa.func.count()).select_from(Assignment)),
                      db.scalar(sa.select(sa.func.count()).select_from(Candidate)))
    password = first.output.split("password:")[1].split()[0]
    assert password == second.output.split("password:")[1].split()[0]
    # the simulated candidate has results, and says so in its name
    assert db.scalar(sa.select(sa.func.count()).select_from(Result)) == 1 + 5 + 20
    assert any("simulerade" in line for line in links)


def test_demo_client_logs_in_and_sees_the_released_report(app, runner, db, tmp_path):
    from portal.models import Report

    app.instance_path = str(tmp_path)
    output = runner.invoke(args=["demo"]).output
    password = output.split("password:")[1].split()[0]
    assert "kund@demo.example" in output
    assert db.scalar(sa.select(sa.func.count()).select_from(Report)) == 2  # client and candidate report
    client = app.test_client()
    sign_in(client, "kund@demo.example", password)
    home = client.get("/admin/client").get_data(as_text=True)
    assignment = re.search(r'href="(/admin/client/assignments/\d+)">Ekonomichef', home).group(1)
    page = client.get(assignment).get_data(as_text=True)
    download = re.search(r'href="(/admin/reports/\d+/download)"', page).group(1)
    response = client.get(download)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
