"""Branding (administrators) and the clients' own invitation and reminder texts (staff
who may see the client), portal/services/branding.py."""
from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import brand_assets
from portal import resources as res
from portal.db import get_session
from portal.labels import MAIL_KINDS
from portal.models import Assignment, Client
from portal.services import branding, mail
from portal.services.access import assignment_scope, client_scope
from portal.web import renderer

from .blueprint import bp
from .auth import admin_required, staff_required
from .forms import BrandingForm, MailTemplateActionForm, MailTemplateForm

FIELD_NAMES = {"primary": _l("primary colour"), "accent": _l("accent colour")}


def _message(exc: branding.BrandingError) -> str:
    v = exc.values
    field = FIELD_NAMES.get(v.get("field"), "")
    messages = {
        "bad_colour": lambda: _("The %(field)s “%(value)s” is not a colour such as #1f4e79 (a # and six hex digits).",
                                field=field, value=v["value"]),
        "low_contrast": lambda: _("The %(field)s %(value)s has a contrast of only %(ratio)s:1 against white; at least "
                                  "4.5:1 is needed so that text stays readable (WCAG AA). Choose a darker colour.",
                                  field=field, value=v["value"], ratio=v["ratio"]),
        "logo_empty": lambda: _("The logo file is empty."),
        "logo_too_big": lambda: _("The logo is %(size)s kB; at most %(limit)s kB is allowed.",
                                  size=v["size"], limit=v["limit"]),
        "logo_too_large": lambda: _("The logo is %(w)s × %(h)s pixels; at most %(limit)s pixels on a side are allowed.",
                                    w=v["width"], h=v["height"], limit=v["limit"]),
        "logo_type": lambda: _("The logo must be a PNG or an SVG file."),
        "logo_bad_png": lambda: _("The file is not a valid PNG image."),
        "logo_bad_svg": lambda: _("The file is not a valid SVG image (well-formed XML with an <svg> root)."),
        "logo_svg_dtd": lambda: _("The SVG contains a DOCTYPE or entity declarations, which are not allowed. "
                                  "Export it again as plain SVG."),
        "logo_svg_empty": lambda: _("Nothing drawable is left in the SVG once scripts, embedded content and "
                                    "external references are removed."),
    }
    return messages.get(exc.code, lambda: _("The value was refused."))()


@bp.route("/branding", methods=["GET", "POST"])
@admin_required
def branding_settings():
    db = get_session()
    config = current_app.config
    row = branding.stored(db)
    form = BrandingForm(data={
        "consultancy_name": row.consultancy_name if row else "", "sender_name": row.sender_name if row else "",
        "primary_color": (row.primary_color or "") if row else "", "accent_color": (row.accent_color or "") if row else "",
    })
    status = 200
    if form.validate_on_submit():
        upload = request.files.get("logo")
        logo_upload = None
        if upload is not None and upload.filename:
            logo_upload = (upload.filename, upload.read(branding.MAX_LOGO_BYTES + 1))
        try:
            removed = branding.save(
                db, name=form.consultancy_name.data or "", sender_name=form.sender_name.data or "",
                primary=form.primary_color.data, accent=form.accent_color.data, logo_upload=logo_upload,
                remove_logo=bool(form.remove_logo.data), user_id=current_user.id, now=res.now())
        except branding.BrandingError as exc:
            target = {"primary": form.primary_color, "accent": form.accent_color}.get(exc.values.get("field"))
            if target is not None:
                target.errors = [_message(exc)]
            else:
                form.logo_errors = [_message(exc)]
            status = 400
        else:
            db.commit()
            brand_assets.forget()
            flash(_("Branding saved."), "success")
            if removed:
                flash(_("The SVG logo was cleaned; removed: %(parts)s.", parts=", ".join(removed)), "warning")
            return redirect(url_for(".branding_settings"))
    elif form.errors:
        status = 400
    brand = branding.current(db, config)
    return render_template("admin/branding.html", form=form, brand=brand,
                           default_name=branding.default_name(config),
                           default_sender=branding.default_sender_name(config),
                           default_colour=branding.DEFAULT_PRIMARY,
                           max_kb=branding.MAX_LOGO_BYTES // 1024,
                           logo_errors=getattr(form, "logo_errors", [])), status


# -- a client's own e-mail texts ------------------------------------------------------------

PLACEHOLDER_HELP = {
    "name": _l("the candidate's name"), "role": _l("the role"), "client": _l("the client's name"),
    "url": _l("the candidate's personal link (required)"), "minutes": _l("the candidate's time for the logic test"),
    "valid_date": _l("the last day the link works"), "valid_time": _l("the time of day the link stops working"),
    "contact": _l("the consultant's name and e-mail address"), "consultancy": _l("the consultancy's name"),
}


def _client_or_404(client_id: int) -> Client:
    """The client if the current user may see it (the Clients page's rule); 404 otherwise."""
    client = get_session().scalar(client_scope(current_user).where(Client.id == client_id))
    if client is None:
        abort(404)
    return client


def _forms(client_id: int) -> dict[str, MailTemplateForm]:
    stored = branding.templates_of(get_session(), client_id)
    forms = {}
    for kind in branding.KINDS:
        data = {}
        for lang in ("sv", "en"):
            row = stored.get((kind, lang))
            data[f"subject_{lang}"] = row.subject if row else ""
            data[f"body_{lang}"] = row.body if row else ""
        forms[kind] = MailTemplateForm(prefix=kind, data=data, formdata=None)
    return forms


def _sample_context(client, lang: str) -> dict:
    """The standard e-mail's context for a made-up candidate, for the preview."""
    brand = branding.current(get_session(), current_app.config)
    assignment = get_session().scalar(
        assignment_scope(current_user).with_only_columns(Assignment.title)
        .where(Assignment.client_id == client.id).order_by(Assignment.id.desc()).limit(1))
    expires = res.now() + timedelta(days=current_app.config.get("INVITATION_MAX_AGE_DAYS", 14))
    with force_locale(lang):
        return {
            "lang": lang, "name": "Kim Exempel" if lang == "sv" else "Kim Example",
            "role": assignment or (_("Controller")), "client": client.name,
            "url": current_app.config.get("BASE_URL", "").rstrip("/") + "/i/EXAMPLE",
            "minutes": 20, **mail.valid_until(renderer, expires),
            "contact": (current_user.name or current_user.email, current_user.email),
            "brand_name": brand.name if brand.name != branding.PRODUCT_NAME else "",
            "brand_color": brand.primary, "uses_logic": True, "uses_personality": True, "started": False,
        }


@bp.get("/clients/<int:client_id>/emails")
@staff_required
def client_emails(client_id: int):
    client = _client_or_404(client_id)
    return render_template("admin/client_emails.html", client=client, forms=_forms(client.id),
                           kinds=MAIL_KINDS, placeholders=PLACEHOLDER_HELP, previews={}, errors={})


@bp.post("/clients/<int:client_id>/emails/<kind>")
@staff_required
def client_emails_save(client_id: int, kind: str):
    client = _client_or_404(client_id)
    if kind not in branding.KINDS:
        abort(404)
    forms = _forms(client.id)
    form = forms[kind] = MailTemplateForm(prefix=kind)
    errors: dict[str, str] = {}
    previews: dict = {}
    if not form.validate_on_submit():
        flash(_("The form had expired or a text was too long. Try again."), "error")
        return render_template("admin/client_emails.html", client=client, forms=forms, kinds=MAIL_KINDS,
                               placeholders=PLACEHOLDER_HELP, previews={}, errors={}), 400
    texts = {lang: (form[f"subject_{lang}"].data or "", form[f"body_{lang}"].data or "") for lang in ("sv", "en")}
    action = MailTemplateActionForm().action.data
    if action == "preview":
        for lang, (subject, body) in texts.items():
            if not subject.strip() and not body.strip():
                previews[lang] = None  # the standard e-mail
                continue
            try:
                branding.check_template(subject, body)
            except branding.BrandingError as exc:
                errors[lang] = _template_message(exc)
                continue
            with force_locale(lang):
                previews[lang] = mail.render_custom(subject, body, _sample_context(client, lang), renderer=renderer)
        return render_template("admin/client_emails.html", client=client, forms=forms, kinds=MAIL_KINDS,
                               placeholders=PLACEHOLDER_HELP, previews={kind: previews}, errors={kind: errors},
                               preview_kind=kind), 400 if errors else 200
    try:
        branding.save_templates(get_session(), client.id, kind, texts, user_id=current_user.id, now=res.now())
    except branding.BrandingError as exc:
        errors[exc.values.get("lang", "sv")] = _template_message(exc)
        return render_template("admin/client_emails.html", client=client, forms=forms, kinds=MAIL_KINDS,
                               placeholders=PLACEHOLDER_HELP, previews={}, errors={kind: errors}), 400
    flash(_("The invitation texts for %(client)s were saved.", client=client.name) if kind == "invitation" else
          _("The reminder texts for %(client)s were saved.", client=client.name), "success")
    return redirect(url_for(".client_emails", client_id=client.id))


def _template_message(exc: branding.BrandingError) -> str:
    if exc.code == "unknown":
        return _("Unknown placeholder: %(names)s. Use only the placeholders listed on this page.",
                 names=exc.values["names"])
    if exc.code == "no_link":
        return _("The text must contain {url}, the candidate's personal link.")
    if exc.code == "link_in_subject":
        return _("The link {url} belongs in the text, not in the subject.")
    return _("Fill in both the subject and the text, or leave both empty to send the standard e-mail.")
