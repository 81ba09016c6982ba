"""Requirement profiles per assignment (edit, start from a template, history) and
consultant-made competencies. The rules live in ``portal.services.profiles``."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import competencies as lib
from portal import resources as res
from portal.db import get_session
from portal.services import profiles as svc

from .blueprint import bp
from .auth import assignment_or_404, staff_required
from .forms import PROFILE_PROBLEMS, CompetencyForm, ProfileForm, TemplateForm, profile_form

LEVELS = lib.LEVELS
DEFAULT_WEIGHT = 3
DEFAULT_TARGET = 3


@dataclass
class Row:
    """One competency on the profile form, with the values to show."""

    competency: lib.Competency
    included: bool = False
    weight: str = str(DEFAULT_WEIGHT)
    target_level: str = str(DEFAULT_TARGET)
    must: bool = False
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.competency.key

    @property
    def slug(self) -> str:
        """For element ids (keys of custom competencies contain a dot)."""
        return self.key.replace(".", "-")


def _int_or_none(raw: str | None) -> int | None:
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _posted(form: ProfileForm, name: str, default: str | None = None) -> str | None:
    """The posted value of the field ``name`` (``profile_form``); ``default`` when it was not posted or the
    form has no such field (a competency key that is not in the library)."""
    if name not in form or form[name].data is None:
        return default
    return form[name].data


def _rows_from_profile(known: dict[str, lib.Competency], profile) -> list[Row]:
    saved = {pc.competency_key: pc for pc in profile.competencies} if profile else {}
    rows = []
    for key, competency in known.items():
        pc = saved.get(key)
        rows.append(Row(competency) if pc is None else
                    Row(competency, True, str(pc.weight), str(pc.target_level), pc.must))
    return rows


def _read_rows(known: dict[str, lib.Competency], form: ProfileForm) -> tuple[list[Row], list[dict]]:
    """The submitted values for every row (to show again) and the items to save."""
    included = form.include.data
    rows = [Row(c, key in included, _posted(form, f"weight-{key}", str(DEFAULT_WEIGHT)),
                _posted(form, f"target-{key}", str(DEFAULT_TARGET)), _posted(form, f"must-{key}") == "1")
            for key, c in known.items()]
    # Keys are taken as submitted (not filtered by the library) so the service reports
    # a tampered or stale form instead of silently dropping part of it.
    items = [{"key": key, "weight": _int_or_none(_posted(form, f"weight-{key}")),
              "target_level": _int_or_none(_posted(form, f"target-{key}")),
              "must": _posted(form, f"must-{key}") == "1"} for key in included]
    return rows, items


def _place_problems(problems, rows: list[Row], form: ProfileForm) -> list[str]:
    """Attach each problem to its row or field; returns those about the list as a whole."""
    by_key = {row.key: row for row in rows}
    general = []
    for p in problems:
        text = str(PROFILE_PROBLEMS[p.code]) % {"key": p.key} if p.code in PROFILE_PROBLEMS else p.message or p.code
        if p.field in ("weight", "target_level") and p.key in by_key:
            by_key[p.key].errors.setdefault(p.field, []).append(text)
        elif p.field == "logic_min_percentile":
            if text not in form.logic_min_percentile.errors:
                form.logic_min_percentile.errors.append(text)
        elif p.field == "reason":
            form.reason.errors.append(text)
        else:
            general.append(text)
    return general


def _read_targets(form: ProfileForm) -> tuple[dict, bool]:
    """Optional target bands (percentiles) for the personality domains; (targets, malformed)."""
    targets, malformed = {}, False
    for domain in res.inventory().domains:
        low = (form[f"pt-low-{domain.id}"].data or "").strip()
        high = (form[f"pt-high-{domain.id}"].data or "").strip()
        if not low and not high:
            continue
        try:
            targets[f"personality.{domain.id}"] = [int(low) if low else 1, int(high) if high else 99]
        except ValueError:
            malformed = True
    return targets, malformed


@bp.route("/assignments/<int:assignment_id>/profile", methods=["GET", "POST"])
@staff_required
def profile(assignment_id: int):
    db = get_session()
    a = assignment_or_404(assignment_id)
    current = svc.current_profile(db, a)
    known = svc.all_competencies(db)
    form = profile_form(known, [d.id for d in res.inventory().domains])
    general: list[str] = []
    status = 200
    if request.method == "POST":
        rows, items = _read_rows(known, form)
        locked = current is not None and current.locked_at is not None
        form_ok = form.validate_on_submit()
        form.reason.errors = list(form.reason.errors)
        form.logic_min_percentile.errors = list(form.logic_min_percentile.errors)
        reason = (form.reason.data or "").strip()
        if locked and not reason:
            form.reason.errors.append(PROFILE_PROBLEMS["locked_needs_reason"])
            form_ok = False
        percentile = form.logic_min_percentile.data if not form.logic_min_percentile.errors else None
        targets, malformed = _read_targets(form)
        problems = svc.profile_problems(db, items, logic_min_percentile=percentile, personality_targets=targets)
        if malformed:
            form_ok = False
            general.append(str(PROFILE_PROBLEMS["personality_target"]))
        if form_ok and not problems:
            try:
                saved = svc.save_profile(db, a, user_id=current_user.id, items=items,
                                         logic_min_percentile=percentile, personality_targets=targets,
                                         reason=reason, now=res.now())
            except svc.ProfileError as exc:
                problems = list(exc.problems)  # e.g. locked while the form was open
                current = svc.current_profile(db, a)
            else:
                flash(_("Requirement profile version %(n)s was saved.", n=saved.version), "success")
                return redirect(url_for("admin.profile", assignment_id=a.id))
        general += [g for g in _place_problems(problems, rows, form) if g not in general]
        status = 400
    else:
        rows = _rows_from_profile(known, current)
        if current is not None:
            form.logic_min_percentile.data = current.logic_min_percentile
    templates = lib.load_templates() if current is None else {}
    if request.method == "POST":
        shown_targets = {f"personality.{d.id}": [form[f"pt-low-{d.id}"].data or "", form[f"pt-high-{d.id}"].data or ""]
                         for d in res.inventory().domains}
    else:
        shown_targets = {k: [str(v[0]), str(v[1])] for k, v in ((current.personality_targets or {}).items()
                                                                 if current else [])}
    return render_template("admin/profile.html", a=a, profile=current, form=form, rows=rows,
                           domains=res.inventory().domains, shown_targets=shown_targets,
                           general_errors=general, templates=templates, template_form=TemplateForm(),
                           levels=LEVELS), status


@bp.post("/assignments/<int:assignment_id>/profile/template")
@staff_required
def profile_template(assignment_id: int):
    db = get_session()
    a = assignment_or_404(assignment_id)
    form = TemplateForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        svc.start_from_template(db, a, form.template.data or "", user_id=current_user.id, now=res.now())
    except svc.ProfileError as exc:
        flash(_("The assignment already has a requirement profile; a template can only start a new one.")
              if exc.code == "exists" else _("Choose one of the templates."), "error")
    else:
        flash(_("Requirement profile version 1 was created from the template. Adjust it to the role and save."),
              "success")
    return redirect(url_for("admin.profile", assignment_id=a.id))


@bp.get("/assignments/<int:assignment_id>/profile/history")
@staff_required
def profile_history(assignment_id: int):
    db = get_session()
    a = assignment_or_404(assignment_id)
    versions = list(reversed(svc.history(db, a)))
    return render_template("admin/profile_history.html", a=a, versions=versions,
                           known=svc.all_competencies(db))


# ------------------------------------------------------------- custom competencies


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _check_questions(form: CompetencyForm) -> tuple[list[dict], list[str]]:
    """The filled-in questions as library dicts, and errors about the set as a whole.
    Errors about one question are put on its fields."""
    questions, seen = [], {"sv": set(), "en": set()}
    for entry in form.questions:
        q = entry.form
        if q.is_blank():
            continue
        ok = True
        for lang, text_field, probes_field in (("sv", q.text_sv, q.probes_sv), ("en", q.text_en, q.probes_en)):
            text = (text_field.data or "").strip()
            if not text:
                text_field.errors = [_("Write the question in both languages.")]
                ok = False
            elif " ".join(text.lower().split()) in seen[lang]:
                text_field.errors = [_("This question is the same as an earlier one.")]
                ok = False
            seen[lang].add(" ".join(text.lower().split()))
            if not lib.MIN_PROBES <= len(_lines(probes_field.data)) <= lib.MAX_PROBES:
                probes_field.errors = [_("Write %(low)s to %(high)s follow-up questions, one per line.",
                                         low=lib.MIN_PROBES, high=lib.MAX_PROBES)]
                ok = False
        if ok and len(_lines(q.probes_sv.data)) != len(_lines(q.probes_en.data)):
            q.probes_en.errors = [_("Write as many follow-up questions in English as in Swedish.")]
            ok = False
        if ok:
            questions.append({
                "question": {"sv": q.text_sv.data.strip(), "en": q.text_en.data.strip()},
                "probes": [{"sv": sv, "en": en}
                           for sv, en in zip(_lines(q.probes_sv.data), _lines(q.probes_en.data), strict=True)],
            })
    filled = sum(not entry.form.is_blank() for entry in form.questions)
    general = []
    if not lib.MIN_QUESTIONS <= filled <= lib.MAX_QUESTIONS:
        general.append(_("Write %(low)s to %(high)s interview questions.",
                         low=lib.MIN_QUESTIONS, high=lib.MAX_QUESTIONS))
    return questions, general


@bp.route("/competencies/new", methods=["GET", "POST"])
@staff_required
def competency_new():
    db = get_session()
    form = CompetencyForm()
    if request.method == "GET":
        form.assignment_id.data = request.args.get("assignment_id", "")
    question_errors: list[str] = []
    other_errors: list[str] = []
    status = 200
    if request.method == "POST":
        form_ok = form.validate_on_submit()
        questions, question_errors = _check_questions(form)
        if form_ok and not question_errors and not any(entry.form.errors for entry in form.questions):
            data = {
                "key": svc.custom_key(form.name_en.data),
                "name": {"sv": form.name_sv.data.strip(), "en": form.name_en.data.strip()},
                "definition": {"sv": form.definition_sv.data.strip(), "en": form.definition_en.data.strip()},
                "indicators": {str(level): {"sv": entry.form.sv.data.strip(), "en": entry.form.en.data.strip()}
                               for level, entry in zip(LEVELS, form.indicators, strict=True)},
                "questions": questions,
                "scales": [],
            }
            try:
                svc.create_custom_competency(db, data, user_id=current_user.id, now=res.now())
            except svc.ProfileError as exc:
                if exc.code == "exists":
                    form.name_en.errors = [_("There is already a competency with this name.")]
                else:  # not expected after the checks above; show the library's own words
                    other_errors = [p.message for p in exc.problems]
            else:
                flash(_("The competency was added. It can now be included in requirement profiles."), "success")
                target = _int_or_none(form.assignment_id.data)
                if target is not None:
                    return redirect(url_for("admin.profile", assignment_id=target))
                return redirect(url_for("admin.competency_new"))
        status = 400
    return render_template("admin/profile_competency.html", form=form, levels=LEVELS,
                           question_errors=question_errors, other_errors=other_errors), status
