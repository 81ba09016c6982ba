"""Branding (name, sender name, colours, logo) and the clients' own e-mail texts (issue 18):
the checks on what is uploaded and typed, and the branding where candidates, e-mails and
reports show it."""
from __future__ import annotations

import io
from datetime import timedelta
import re
import struct
import zlib

import pytest
import sqlalchemy as sa

from conftest import csrf_from
from helpers import Candidate as CandidateDriver
from portal import resources as res
from portal.db import get_session
from portal.models import (
    Assignment, AuditEvent, Branding, Candidate, ClientMailTemplate, Invitation, OutboxMessage, ReportKind, Role,
    User,
)
from portal.services import branding
from portal.services import reports as report_service
from portal.services.mail import branded_sender, build_email, send_invitation, send_reminder
from portal.web import renderer
from test_mail import _settings, _work, smtp, start_smtp  # noqa: F401  (fixtures)
from test_reports import assessed, pdf_text, squash  # noqa: F401  (fixture)



def png(width: int = 4, height: int = 2, *, crc_ok: bool = True, end: bool = True) -> bytes:
    """A small valid PNG (grey pixels), built by hand."""
    def chunk(kind: bytes, body: bytes, ok: bool = True) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc if ok else crc ^ 1)

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    data = (branding.PNG_SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0), crc_ok)
            + chunk(b"IDAT", zlib.compress(raw)))
    return data + (chunk(b"IEND", b"") if end else b"")


SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 40 10">'
LOGO_SVG = (SVG_HEAD + '<script>alert("x")</script><rect width="40" height="10" fill="#1f4e79" onload="alert(1)"/>'
            '<text x="2" y="8">Byrån &amp; Co</text></svg>').encode()


# -- the checks ---------------------------------------------------------------------------


@pytest.mark.parametrize("hostile, gone", [
    ('<script>alert(1)</script>', "script"),
    ('<rect width="1" height="1" onload="alert(1)" onclick="x()"/>', "onload"),
    ('<foreignObject width="9" height="9"><div xmlns="http://www.w3.org/1999/xhtml">'
     '<iframe src="https://evil.example/"/></div></foreignObject>', "foreignObject"),
    ('<use href="https://evil.example/sprite.svg#a"/>', "evil.example"),
    ('<use xlink:href="https://evil.example/sprite.svg#a"/>', "evil.example"),
    ('<image href="data:image/png;base64,AAAA" width="1" height="1"/>', "image"),
    ('<a href="javascript:alert(1)"><rect width="1" height="1"/></a>', "javascript"),
    ('<rect width="1" height="1" style="fill: red; background: url(https://evil.example/x)"/>', "url(https"),
    ('<rect width="1" height="1" fill="url(https://evil.example/x#g)"/>', "evil.example"),
    ('<style>rect { fill: url(https://evil.example/x) }</style>', "<style"),
    ('<animate attributeName="href" to="javascript:alert(1)"/>', "animate"),
    ('<set attributeName="onmouseover" to="alert(1)"/>', "<set"),
])
def test_svg_sanitiser_removes_active_and_external_content(hostile, gone):
    data = (SVG_HEAD + hostile + '<rect width="40" height="10" fill="#123456"/></svg>').encode()
    clean, removed = branding.sanitize_svg(data)
    text = clean.decode()
    assert gone not in text and removed
    assert "alert" not in text and "<script" not in text and " on" not in text.replace(" one", "")
    assert '<rect width="40" height="10" fill="#123456"></rect>' in text  # the drawing stays


def test_svg_sanitiser_keeps_local_references_and_turns_style_into_attributes():
    data = (SVG_HEAD + '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>'
            '<symbol id="s"><circle r="3"/></symbol></defs>'
            '<rect width="9" height="9" fill="url(#g)" style="stroke: #000; stroke-width: 2"/>'
            '<use href="#s"/><use xlink:href="#s"/><title>Byrån</title></svg>').encode()
    clean, removed = branding.sanitize_svg(data)
    text = clean.decode()
    assert removed == []
    assert 'fill="url(#g)"' in text and 'stroke="#000"' in text and 'stroke-width="2"' in text
    assert "style=" not in text  # served under a CSP without inline style
    assert '<use href="#s">' in text and '<use xlink:href="#s">' in text and "<title>Byrån</title>" in text


@pytest.mark.parametrize("data, code", [
    # Billion laughs: refused before any entity is expanded.
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
     b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg"><text>&d;</text></svg>', "logo_svg_dtd"),
    # An external entity (XXE).
    (b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>', "logo_svg_dtd"),
    (b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
     b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>', "logo_svg_dtd"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><rect', "logo_bad_svg"),
    (b'<html><body>not a logo</body></html>', "logo_bad_svg"),
    (b'<svg><rect width="1" height="1"/></svg>', "logo_bad_svg"),  # no SVG namespace
    (b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * 5000 + b"</g>" * 5000 + b"</svg>", "logo_bad_svg"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo_svg_empty"),
])
def test_svg_that_cannot_be_sanitised_is_refused(data, code):
    with pytest.raises(branding.BrandingError) as refused:
        branding.sanitize_svg(data)
    assert refused.value.code == code


def test_png_checks():
    assert branding.png_size(png(120, 40)) == (120, 40)
    assert branding.check_logo("logo.png", png())[0] == (png(), branding.PNG)
    for bad, code in ((png(crc_ok=False), "logo_bad_png"), (png(end=False), "logo_bad_png"),
                      (png()[:30], "logo_bad_png"), (png(5000, 1), "logo_too_large"),
                      (b"GIF89a" + b"\x00" * 40, "logo_type"), (b"", "logo_empty"),
                      (branding.PNG_SIGNATURE + b"\x00" * branding.MAX_LOGO_BYTES, "logo_too_big")):
        with pytest.raises(branding.BrandingError) as refused:
            branding.check_logo("logo.png", bad)
        assert refused.value.code == code


def test_contrast_against_white_follows_wcag():
    assert branding.contrast("#000000", "#ffffff") == pytest.approx(21)
    assert branding.contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert branding.check_colour("#767676", "primary") == "#767676"
    assert branding.check_colour("1F4E79", "accent") == "#1f4e79"
    assert branding.check_colour(" ", "accent") is None  # empty: the default
    for colour, code in (("#777777", "low_contrast"), ("#ffff00", "low_contrast"), ("red", "bad_colour"),
                         ("#12345g", "bad_colour")):
        with pytest.raises(branding.BrandingError) as refused:
            branding.check_colour(colour, "primary")
        assert refused.value.code == code


def test_placeholders_are_checked_and_filled_without_format():
    branding.check_template("Hej {name}", "Öppna {url} före {valid_date} kl. {valid_time}.")
    for subject, body, code in (("Hej {namn}", "{url}", "unknown"), ("Hej", "Länk: {link}", "unknown"),
                                ("Hej", "Ingen länk", "no_link"), ("{url}", "{url}", "link_in_subject"),
                                ("", "{url}", "incomplete"), ("Hej", "{name.__class__} {url}", "unknown")):
        with pytest.raises(branding.BrandingError) as refused:
            branding.check_template(subject, body)
        assert refused.value.code == code
    values = {"name": "<b>Eva</b>", "url": "https://x.example/i/a?b=1&c=2"}
    assert branding.fill("Hej {name}: {url} {other}", values) == "Hej <b>Eva</b>: https://x.example/i/a?b=1&c=2 {other}"
    html = branding.fill_html("Hej {name}\n\n<i>Länk</i>: {url}", values)
    assert "&lt;b&gt;Eva&lt;/b&gt;" in html and "&lt;i&gt;Länk&lt;/i&gt;" in html
    assert '<a href="https://x.example/i/a?b=1&amp;c=2"' in html and html.count("<p>") == 2


# -- pages --------------------------------------------------------------------------------


@pytest.fixture
def people(db, make_assignment, make_user):
    users = {key: make_user(f"{key}@example.com", role, name=f"{key.title()} Person")
             for key, role in (("admin", Role.ADMIN), ("consultant", Role.CONSULTANT), ("outsider", Role.CONSULTANT),
                               ("client", Role.CLIENT))}
    aid = make_assignment(staff=(users["consultant"],))
    client_user = db.get(User, users["client"])
    client_user.client_id = db.get(Assignment, aid).client_id
    db.commit()
    return {"assignment": aid, "client_id": client_user.client_id, **users}


def save_branding(client, **fields):
    page = client.get("/admin/branding")
    data = {"csrf_token": csrf_from(page), "consultancy_name": "", "sender_name": "", "primary_color": "",
            "accent_color": "", **fields}
    return client.post("/admin/branding", data=data, content_type="multipart/form-data")


def test_admin_sets_branding_with_a_cleaned_svg_logo_served_safely(app, db, people, login_as):
    admin = login_as("admin")
    assert 'href="/admin/branding"' in admin.get("/admin/").get_data(as_text=True)
    saved = save_branding(admin, consultancy_name="Byrån & Co", sender_name="Byrån Rekrytering",
                          primary_color="#0B5394", accent_color="#7a1f5c",
                          logo=(io.BytesIO(LOGO_SVG), "logo.svg"))
    assert saved.status_code == 302
    page = admin.get("/admin/branding").get_data(as_text=True)
    assert "SVG-logotypen har rensats; borttaget: onload, script." in page
    row = db.scalar(sa.select(Branding))
    assert (row.consultancy_name, row.sender_name, row.primary_color, row.accent_color, row.logo_type) == (
        "Byrån & Co", "Byrån Rekrytering", "#0b5394", "#7a1f5c", "image/svg+xml")
    assert b"script" not in row.logo and b"onload" not in row.logo and "Byrån &amp; Co".encode() in row.logo
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.object_type == "branding").order_by(AuditEvent.id.desc()))
    assert event.user_id == people["admin"] and "logo" in event.detail["changed"]

    url = re.search(r'src="(/branding/logo\.svg\?v=\d+)"', page).group(1)
    logo = app.test_client().get(url)  # public: candidates have no account
    assert logo.status_code == 200 and logo.mimetype == "image/svg+xml" and logo.data == row.logo
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    assert logo.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "sandbox" in logo.headers["Content-Security-Policy"]
    assert "immutable" in logo.headers["Cache-Control"] and "max-age=31536000" in logo.headers["Cache-Control"]
    assert app.test_client().get("/branding/logo.svg?v=0").headers["Cache-Control"] == "no-cache"
    assert app.test_client().get("/branding/logo.png").status_code == 404

    # A new logo is a new version, so a new URL.
    assert save_branding(admin, consultancy_name="Byrån & Co", logo=(io.BytesIO(png(60, 20)), "logo.png")).status_code == 302
    page = admin.get("/admin/branding").get_data(as_text=True)
    new_url = re.search(r'src="(/branding/logo\.png\?v=\d+)"', page).group(1)
    assert new_url.rsplit("=", 1)[1] != url.rsplit("=", 1)[1]
    served = app.test_client().get(new_url)
    assert served.mimetype == "image/png" and served.data == png(60, 20)
    assert served.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("fields, message", [
    ({"primary_color": "#ffcc00"}, "#ffcc00 för primärfärgen har bara kontrasten 1.5:1 mot vitt; minst 4,5:1 behövs"),
    ({"accent_color": "blue"}, "är ingen färg som #1f4e79"),
    ({"logo": (b'<!DOCTYPE svg [<!ENTITY a "a">]><svg xmlns="http://www.w3.org/2000/svg"/>', "l.svg")},
     "innehåller DOCTYPE eller entitetsdeklarationer"),
    ({"logo": (b"GIF89a......", "logo.gif")}, "måste vara en PNG- eller SVG-fil"),
    ({"logo": (png(crc_ok=False), "logo.png")}, "ingen giltig PNG-bild"),
])
def test_refused_branding_says_why_and_stores_nothing(app, db, people, fields, message, login_as):
    admin = login_as("admin")
    if "logo" in fields:
        fields = {"logo": (io.BytesIO(fields["logo"][0]), fields["logo"][1])}
    refused = save_branding(admin, consultancy_name="Byrån", **fields)
    assert refused.status_code == 400
    assert message in refused.get_data(as_text=True).replace("&#34;", '"')
    assert db.scalar(sa.select(sa.func.count(Branding.id))) == 0


def test_branding_page_is_for_administrators_only_and_needs_csrf(app, db, people, login_as):
    assert app.test_client().get("/admin/branding").status_code == 302  # to the login page
    consultant = login_as("consultant")
    assert consultant.get("/admin/branding").status_code == 403
    token = csrf_from(consultant.get("/admin/"))
    assert consultant.post("/admin/branding", data={"csrf_token": token, "consultancy_name": "X"}).status_code == 403
    assert 'href="/admin/branding"' not in consultant.get("/admin/").get_data(as_text=True)
    admin = login_as("admin")
    assert admin.post("/admin/branding", data={"consultancy_name": "Utan token"}).status_code == 400
    assert db.scalar(sa.select(sa.func.count(Branding.id))) == 0


def test_candidate_pages_show_the_branding_in_both_languages(app, db, people, make_invitation, login_as):
    admin = login_as("admin")
    assert save_branding(admin, consultancy_name="Byrån & Co", primary_color="#0b5394", accent_color="#7a1f5c",
                         logo=(io.BytesIO(png()), "logo.png")).status_code == 302
    _, _, link = make_invitation(people["assignment"])
    candidate = CandidateDriver(app.test_client(), link)
    candidate.open()
    for lang in ("sv", "en"):
        html = candidate.html
        assert f'<html lang="{lang}">' in html
        assert re.search(r'<span class="brand" data-brand><img src="/branding/logo\.png\?v=\d+" alt="" height="40"> '
                         r'Byrån &amp; Co</span>', html)
        assert "style=" not in html  # colours come through a stylesheet, the CSP allows no inline style
        css_url = re.search(r'<link rel="stylesheet" href="(/branding\.css\?v=\d+)">', html).group(1)
        if lang == "sv":
            candidate.post("/test/language", {"lang": "en"})
    css = app.test_client().get(css_url)
    assert css.mimetype == "text/css" and "immutable" in css.headers["Cache-Control"]
    assert "--accent: #0b5394" in css.get_data(as_text=True) and "--brand-accent: #7a1f5c" in css.get_data(as_text=True)
    assert "style-src 'self'" in candidate.page.headers["Content-Security-Policy"]


def test_candidate_pages_without_branding_keep_the_product_name(app, people, make_invitation):
    _, _, link = make_invitation(people["assignment"])
    html = CandidateDriver(app.test_client(), link).open().get_data(as_text=True)
    assert '<span class="brand" data-brand>Second Opinion</span>' in html
    css = app.test_client().get(re.search(r'href="(/branding\.css\?v=\d+)"', html).group(1)).get_data(as_text=True)
    assert f"--accent: {branding.DEFAULT_PRIMARY}" in css


def test_e_mails_carry_the_sender_name_and_the_consultancy(app, db, people, make_invitation, smtp, clock,
                                                           login_as):  # noqa: F811
    admin = login_as("admin")
    assert save_branding(admin, consultancy_name="Byrån & Co", sender_name="Byrån, Rekrytering",
                         primary_color="#0b5394").status_code == 302
    for lang, regards in (("sv", "Vänliga hälsningar,"), ("en", "Kind regards,")):
        cid, iid, path = make_invitation(people["assignment"], email=f"kim.{lang}@example.com", language=lang)
        with app.app_context():
            session = get_session()
            message = send_invitation(session, session.get(Candidate, cid), session.get(Invitation, iid),
                                      "http://localhost" + path, now=clock(), renderer=renderer)
            session.commit()
            text, html = message.body_text, message.body_html
        assert text.rstrip().endswith(f"{regards}\nConsultant Person\nByrån & Co"), text[-80:]
        assert "<img" not in html  # no logo in e-mails (often blocked; a data: URI is refused by many)
        assert ">Byrån &amp; Co</p>" in html and "background:#0b5394" in html
    assert _work(app, smtp.settings, clock).sent == 2
    received = smtp.messages()
    assert {m["From"].addresses[0].display_name for m in received} == {"Byrån, Rekrytering"}
    assert {m["From"].addresses[0].addr_spec for m in received} == {"no-reply@example.se"}  # MAIL_FROM's address


def test_report_covers_show_the_name_and_logo_frozen_at_release(app, db, assessed, clock, login_as):  # noqa: F811
    admin = login_as("admin")
    assert save_branding(admin, consultancy_name="Byrån & Co", logo=(io.BytesIO(png(30, 10)), "logo.png")).status_code == 302
    with app.app_context():
        session = get_session()
        c = session.get(Candidate, assessed["candidate"])
        for kind in (ReportKind.CLIENT, ReportKind.CANDIDATE):
            content = report_service.build_content(session, c, kind, now=clock(), renderer=renderer, inventory=res.inventory())
            html = report_service.render_html(content, renderer=renderer)
            assert content["brand"]["name"] == "Byrån & Co"
            assert content["brand"]["logo"].startswith("data:image/png;base64,")
            cover = re.search(r'class="cover"[^>]*>(.*?)</(section|header)>', html, re.S).group(1)
            assert 'class="report-brand-logo" src="data:image/png;base64,' in cover and "Byrån &amp; Co" in cover
            assert "Byrån & Co" in squash(pdf_text(report_service.render_pdf(content, renderer=renderer)))
        frozen = report_service.build_content(session, c, ReportKind.CLIENT, now=clock(), renderer=renderer, inventory=res.inventory())
    # A later change of branding does not touch what was built (and released) before.
    assert save_branding(admin, consultancy_name="Nya Byrån", remove_logo="y").status_code == 302
    with app.app_context():
        assert "Byrån &amp; Co" in report_service.render_html(frozen, renderer=renderer)
        again = report_service.build_content(get_session(), get_session().get(Candidate, assessed["candidate"]),
                                             ReportKind.CLIENT, now=clock(), renderer=renderer, inventory=res.inventory())
    assert again["brand"] == {"name": "Nya Byrån", "logo": None}


def test_unbranded_report_covers_carry_no_product_name(app, assessed, clock):  # noqa: F811
    with app.app_context():
        session = get_session()
        content = report_service.build_content(session, session.get(Candidate, assessed["candidate"]),
                                               ReportKind.CLIENT, now=clock(), renderer=renderer, inventory=res.inventory())
        assert content["brand"] is None and "data-brand" not in report_service.render_html(content, renderer=renderer)


# -- the clients' own e-mail texts ---------------------------------------------------------

SV_BODY = "Hej {name}!\n\n{client} vill att du gör en bedömning för {role}.\nÖppna länken: {url}\n\n<b>Hälsningar</b>\n{contact}"
EN_BODY = "Dear {name},\n\nPlease take the assessment for {role} at {client} before {valid_date}: {url}\n\n{consultancy}"


def template_form(client, client_id, kind="invitation", **fields):
    page = client.get(f"/admin/clients/{client_id}/emails")
    data = {f"{kind}-csrf_token": csrf_from(page), f"{kind}-subject_sv": "", f"{kind}-body_sv": "",
            f"{kind}-subject_en": "", f"{kind}-body_en": ""}
    data.update({f"{kind}-{k}" if not k == "action" else k: v for k, v in fields.items()})
    return client.post(f"/admin/clients/{client_id}/emails/{kind}", data=data)


def test_client_template_refused_with_unknown_placeholder_or_without_link(app, db, people, login_as):
    staff = login_as("consultant")
    assert 'data-client-emails' in staff.get("/admin/clients").get_data(as_text=True)
    unknown = template_form(staff, people["client_id"], subject_sv="Hej {namn}", body_sv="{url}")
    assert unknown.status_code == 400
    assert "Okänd platshållare: {namn}. Använd bara platshållarna som listas på den här sidan." in unknown.get_data(as_text=True)
    no_link = template_form(staff, people["client_id"], subject_en="Assessment", body_en="Dear {name}, welcome.")
    assert no_link.status_code == 400 and "{url}" in no_link.get_data(as_text=True)
    assert 'data-error="en"' in no_link.get_data(as_text=True)
    half = template_form(staff, people["client_id"], subject_sv="Bara ämne")
    assert half.status_code == 400 and 'data-error="sv"' in half.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count(ClientMailTemplate.id))) == 0


def test_client_template_preview_in_both_languages_saves_nothing(app, db, people, login_as):
    staff = login_as("consultant")
    shown = template_form(staff, people["client_id"], action="preview", subject_sv="Bedömning hos {client}",
                          body_sv=SV_BODY, subject_en="Assessment at {client}", body_en=EN_BODY)
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200
    sv = html.split('data-preview-lang="sv"', 1)[1].split("</div>", 1)[0]
    en = html.split('data-preview-lang="en"', 1)[1].split("</div>", 1)[0]
    assert "Bedömning hos Testbolaget AB" in sv and "Hej Kim Exempel!" in sv and "/i/EXAMPLE" in sv
    assert "&lt;b&gt;Hälsningar&lt;/b&gt;" in sv and "Consultant Person (consultant@example.com)" in sv
    assert "Assessment at Testbolaget AB" in en and "Dear Kim Example," in en and "Second Opinion" in en
    assert re.search(r"before \w+ \d+, \d{4}", en)  # the English date
    assert db.scalar(sa.select(sa.func.count(ClientMailTemplate.id))) == 0


def test_client_template_is_used_for_its_candidates_with_fallbacks(app, db, people, make_assignment,
                                                                     make_invitation, clock, login_as):
    staff = login_as("consultant")
    saved = template_form(staff, people["client_id"], subject_sv="Bedömning hos {client}", body_sv=SV_BODY)
    assert saved.status_code == 302
    assert template_form(staff, people["client_id"], kind="reminder", subject_sv="Påminnelse, {name}",
                         body_sv="Glöm inte: {url}").status_code == 302
    event = db.scalar(sa.select(AuditEvent).where(AuditEvent.object_type == "client_mail_template"))
    assert event.detail == {"kind": "invitation", "languages": ["sv"]} and event.user_id == people["consultant"]
    other_assignment = make_assignment(title="Annat uppdrag")  # another client
    sent = {}
    for key, aid, lang in (("own_sv", people["assignment"], "sv"), ("own_en", people["assignment"], "en"),
                           ("other", other_assignment, "sv")):
        cid, iid, path = make_invitation(aid, name="<i>Eva</i> Öberg", email=f"{key}@example.com", language=lang)
        with app.app_context():
            session = get_session()
            message = send_invitation(session, session.get(Candidate, cid), session.get(Invitation, iid),
                                      "http://localhost" + path, now=clock(), renderer=renderer)
            session.commit()
            sent[key] = (message.subject, message.body_text, message.body_html, path, cid, iid)
    subject, text, html, path, cid, iid = sent["own_sv"]
    assert subject == "Bedömning hos Testbolaget AB"
    assert text.startswith("Hej <i>Eva</i> Öberg!\n\nTestbolaget AB vill att du gör en bedömning för Controller.\n")
    assert f"Öppna länken: http://localhost{path}" in text and "<b>Hälsningar</b>" in text  # plain text as written
    assert "Hej &lt;i&gt;Eva&lt;/i&gt; Öberg!" in html and "&lt;b&gt;Hälsningar&lt;/b&gt;" in html
    assert f'<a href="http://localhost{path}"' in html
    # No English text of the client's own, and another client: the standard e-mails.
    assert sent["own_en"][0] == "Assessment for the role Controller at Testbolaget AB"
    assert sent["other"][0].startswith("Bedömning för rollen Annat uppdrag")

    clock.advance(hours=25)
    with app.app_context():
        session = get_session()
        reminder = send_reminder(session, session.get(Candidate, cid), session.get(Invitation, iid),
                                 "http://localhost" + path, now=clock(), cooldown=timedelta(hours=24), renderer=renderer)
        session.commit()
        assert reminder.subject == "Påminnelse, <i>Eva</i> Öberg"
        assert reminder.body_text == f"Glöm inte: http://localhost{path}\n"

    # Emptying both fields of a language goes back to the standard e-mail.
    assert template_form(staff, people["client_id"]).status_code == 302
    assert db.scalar(sa.select(sa.func.count(ClientMailTemplate.id)).where(
        ClientMailTemplate.kind == "invitation")) == 0


def test_client_templates_follow_the_clients_page_rules(app, db, people, login_as):
    path = f"/admin/clients/{people['client_id']}/emails"
    outsider = login_as("outsider")  # a consultant not staffed on the client's assignments
    assert outsider.get(path).status_code == 404
    token = csrf_from(outsider.get("/admin/"))  # the session's token, from the menu's forms
    posted = outsider.post(path + "/invitation", data={
        "invitation-csrf_token": token, "invitation-subject_sv": "X", "invitation-body_sv": "{url}"})
    assert posted.status_code == 404
    assert login_as("client").get(path).status_code == 403
    assert login_as("admin").get(path).status_code == 200
    staff = login_as("consultant")
    assert staff.get(path).status_code == 200
    no_csrf = staff.post(path + "/invitation", data={"invitation-subject_sv": "X", "invitation-body_sv": "{url}"})
    assert no_csrf.status_code == 400
    assert db.scalar(sa.select(sa.func.count(ClientMailTemplate.id))) == 0


def test_a_hostile_consultancy_name_is_escaped_everywhere(app, db, people, make_invitation, clock, login_as):
    admin = login_as("admin")
    hostile = '<img src=x onerror=alert(1)>"'
    assert save_branding(admin, consultancy_name=hostile, sender_name="A\r\nBcc: x@evil.example").status_code == 302
    assert db.scalar(sa.select(Branding.sender_name)) == "A Bcc: x@evil.example"  # one line, no header injection
    cid, iid, link = make_invitation(people["assignment"])
    page = CandidateDriver(app.test_client(), link).open().get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;&#34;" in page
    with app.app_context():
        session = get_session()
        message = send_invitation(session, session.get(Candidate, cid), session.get(Invitation, iid),
                                  "http://localhost" + link, now=clock(), renderer=renderer)
        assert "<img src=x" not in message.body_html and "&lt;img src=x" in message.body_html
        html = report_service.render_html({**report_service.build_content(
            session, session.get(Candidate, cid), ReportKind.CANDIDATE, now=clock(), renderer=renderer, inventory=res.inventory())}, renderer=renderer)
        assert "<img src=x" not in html
        mime = build_email(message, branded_sender(session, _settings(25)), now=clock())
        session.rollback()
    assert "Bcc" not in mime.keys() and "\r" not in mime["From"] and "\n" not in mime["From"]
