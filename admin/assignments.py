"""Consultants create clients and assignments and staff colleagues."""
from __future__ import annotations

from sqlalchemy.orm import selectinload
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from norms import available_groups, load_norm_table
from portal import labels
from portal import resources as res
from portal.db import get_session
from portal.i18n import current_language
from portal.services.access import client_scope
from portal.models import Client
from portal.models.assignments import ROLE_FAMILIES
from portal.services.assignments import (
    AssignmentError, add_contact, create_assignment, create_client, staff_by_email, time_limit_advice,
    update_assignment,
)

from .blueprint import bp
from .auth import assignment_or_404, staff_required
from .forms import AssignmentForm, ContactForm, EditAssignmentForm, StaffForm

ERRORS = {
    "client_name": (_l("Enter the client's name."), "new_client"),
    "title": (_l("Enter the role title."), "title"),
    "language": (_l("Choose Swedish or English."), "language"),
    "norm_group": (_l("Choose a norm group."), "norm_group"),
    "norm_group_client": (_l("This local norm belongs to another client; choose a norm group for this client."),
                          "norm_group"),
    "role_family": (_l("Choose a role family from the list."), "role_family"),
    "time_limit": (_l("The time limit must be between 5 and 120 minutes."), "time_limit"),
    "battery": (_l("Choose at least one test."), "uses_logic"),
    "staff_email": (_l("There is no active consultant with that e-mail address."), "email"),
    "contact_name": (_l("Enter the contact's name."), "name"),
    "contact_email": (_l("Enter a valid e-mail address."), "email"),
}


def _fail(form, exc: AssignmentError):
    message, field = ERRORS[exc.code]
    getattr(form, field).errors = list(getattr(form, field).errors) + [message]


@bp.route("/assignments/new", methods=["GET", "POST"])
@staff_required
def new_assignment():
    db = get_session()
    form = AssignmentForm()
    clients = db.scalars(client_scope(current_user).order_by(Client.name)).all()
    groups = available_groups()
    form.client_id.choices = [""] + [str(c.id) for c in clients]
    form.norm_group.choices = groups
    _role_family_choices(form)
    status = 200
    if form.validate_on_submit():
        now = res.now()
        try:
            if form.new_client.data:
                client = create_client(db, name=form.new_client.data, user_id=current_user.id, now=now)
            elif form.client_id.data and (client := _visible_client(db, int(form.client_id.data))):
                pass
            else:
                raise AssignmentError("client_name", "no client")
            _check_local_norm(form.norm_group.data, client.id)
            a = create_assignment(db, client=client, title=form.title.data, language=form.language.data,
                                  norm_group=form.norm_group.data, time_limit_minutes=form.time_limit.data,
                                  deadline=form.deadline.data, uses_logic=form.uses_logic.data,
                                  uses_personality=form.uses_personality.data, creator=current_user,
                                  now=now, norm_groups=groups, role_family=form.role_family.data or "")
        except AssignmentError as exc:
            _fail(form, exc)
            status = 400
        else:
            flash(_("The assignment was created. Next: the requirement profile and the candidates."), "success")
            return redirect(url_for("admin.assignment", assignment_id=a.id))
    elif form.errors:
        status = 400
    return render_template("admin/assignment_new.html", form=form, clients=clients, group_labels=_group_labels(groups),
                           advice=time_limit_advice()), status


def _group_labels(groups, client_id: int | None = None) -> dict[str, str]:
    """Norm group -> its name in the page's language, for the norm-group choice, saying
    which tables are local or provisional. Another client's local norm is not offered
    for an assignment of a known client (``client_id``)."""
    out = {}
    for g in groups:
        table = load_norm_table(g)
        population = table.population or {}
        if client_id is not None and table.local_scope == "client" and population.get("client_id") != client_id:
            continue
        text = table.label_for(current_language())
        if table.local_scope == "client":
            text += " · " + _("local norm: only candidates of %(client)s", client=population.get("client"))
        elif table.local_scope == "role_family":
            family = population.get("role_family")
            text += " · " + _("local norm: only candidates for roles in the family %(family)s",
                              family=labels.ROLE_FAMILIES.get(family, family))
        if table.provisional and table.from_collected_data:
            text += " · " + _("provisional (N = %(n)s)", n=table.n)
        out[g] = text
    return out


def _check_local_norm(group: str, client_id: int) -> None:
    """A client's local norm may be chosen only for that client's assignments."""
    try:
        table = load_norm_table(group)
    except Exception:  # an unknown group is the service's error to report
        return
    if table.local_scope == "client" and (table.population or {}).get("client_id") != client_id:
        raise AssignmentError("norm_group_client", "local norm of another client")


def _role_family_choices(form) -> None:
    form.role_family.choices = [("", _("– not set –"))] + [(f, str(labels.ROLE_FAMILIES[f])) for f in ROLE_FAMILIES]


@bp.route("/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_assignment(assignment_id: int):
    db = get_session()
    a = assignment_or_404(assignment_id)
    groups = available_groups()
    if request.method == "GET":
        form = EditAssignmentForm(obj=a, time_limit=a.logic_time_limit_minutes, status=a.status.value)
    else:
        form = EditAssignmentForm()
    form.norm_group.choices = groups
    _role_family_choices(form)
    status = 200
    if form.validate_on_submit():
        try:
            _check_local_norm(form.norm_group.data, a.client_id)
            update_assignment(db, a, title=form.title.data, norm_group=form.norm_group.data,
                              time_limit_minutes=form.time_limit.data, deadline=form.deadline.data,
                              uses_logic=form.uses_logic.data, uses_personality=form.uses_personality.data,
                              status=form.status.data, user_id=current_user.id, now=res.now(), norm_groups=groups,
                              role_family=form.role_family.data or "")
        except AssignmentError as exc:
            _fail(form, exc)
            status = 400
        else:
            flash(_("The assignment was saved."), "success")
            return redirect(url_for("admin.assignment", assignment_id=a.id))
    elif form.errors:
        status = 400
    return render_template("admin/assignment_edit.html", a=a, form=form, group_labels=_group_labels(groups, a.client_id),
                           advice=time_limit_advice()), status


@bp.post("/assignments/<int:assignment_id>/staff")
@staff_required
def staff_assignment(assignment_id: int):
    db = get_session()
    a = assignment_or_404(assignment_id)
    form = StaffForm()
    if form.validate_on_submit():
        try:
            user = staff_by_email(db, a, form.email.data, user_id=current_user.id, now=res.now())
        except AssignmentError as exc:
            flash(ERRORS[exc.code][0], "error")
        else:
            flash(_("%(email)s now works on this assignment.", email=user.email), "success")
    else:
        flash(_("Enter an e-mail address."), "error")
    return redirect(url_for("admin.assignment", assignment_id=a.id))


def _visible_client(db, client_id: int) -> Client | None:
    """The client if the current user may see it (a consultant: one of their assignments')."""
    return db.scalar(client_scope(current_user).where(Client.id == client_id))


@bp.route("/clients", methods=["GET", "POST"])
@staff_required
def clients():
    db = get_session()
    form = ContactForm()
    status = 200
    if request.method == "POST":
        client = _visible_client(db, form.client_id.data or 0)
        if client is None:
            abort(404)
        if form.validate_on_submit():
            try:
                add_contact(db, client, name=form.name.data, email=form.email.data or "",
                            phone=form.phone.data or "", title=form.title.data or "",
                            user_id=current_user.id, now=res.now())
            except AssignmentError as exc:
                _fail(form, exc)
                status = 400
            else:
                flash(_("The contact was added."), "success")
                return redirect(url_for("admin.clients"))
        else:
            status = 400
    all_clients = db.scalars(client_scope(current_user).options(selectinload(Client.contacts))
                             .order_by(Client.name)).all()
    return render_template("admin/clients.html", clients=all_clients, form=form,
                           failed_client=form.client_id.data), status
