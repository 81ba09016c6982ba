"""Candidate pages. Thin: load the candidate, call a journey service, render or redirect."""
from __future__ import annotations

import time

from functools import wraps

import sqlalchemy as sa
from flask import abort, current_app, flash, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from item_banks import adaptive
from item_banks.team_names import with_english_team_names

from .. import resources as res
from ..db import DatabaseUnavailable, get_session
from ..downloads import attachment
from ..models import FinishReason, ReportKind, Stage, TestKind
from ..extensions import limiter
from ..i18n import current_language
from ..labels import ITEM_KINDS
from ..services import audit, integrity, journey, reports
from ..services.invitations import (
    InvitationRevoked,
    SessionCandidate,
    invitation_and_logic_attempt,
    invitation_for_session,
    item_page_row,
    open_invitation,
)
from ..services.tokens import TokenExpired, TokenInvalid
from ..web import report_page
from .blueprint import bp
from .forms import (CommentForm, EqualityForm, ExperienceForm, LanguageForm, PracticeAnswerForm, SignalForm,
                    WelcomeForm, inventory_page_form, read_answer)

SESSION_KEY = "candidate"
#: A random id of the browser's candidate session (``integrity.device_mark``).
DEVICE_KEY = "device"
#: The presentation this browser was last shown (``L<response id>`` or
#: ``I<attempt id>:<page>``): shown again means a reload (an integrity signal). A plain
#: cookie of its own, so the signed session is not re-sent for it on every question.
SEEN_COOKIE = "so_seen"

STEP_ENDPOINTS = {
    Stage.WELCOME: ".welcome",
    Stage.INSTRUCTIONS: ".instructions",
    Stage.PRACTICE: ".practice",
    Stage.LOGIC: ".item",
    Stage.INVENTORY: ".inventory",
    Stage.DONE: ".done",
}


@bp.get("/i/<token>")
def open_link(token: str):
    db = get_session()
    try:
        invitation = open_invitation(db, token, now=res.now(), settings=res.invitation_settings())
    except InvitationRevoked:
        return _link_problem("revoked"), 410
    except TokenExpired:
        return _link_problem("expired"), 410
    except TokenInvalid:
        return _link_problem("invalid"), 404
    session[SESSION_KEY] = [invitation.id, invitation.nonce]
    session.setdefault(DEVICE_KEY, integrity.new_device_id())
    session.permanent = True
    # The token-free URL keeps the token out of history, logs and Referer.
    return redirect(url_for(".resume"))


def _link_problem(kind: str) -> str:
    return render_template("candidate/link_problem.html", kind=kind)


def _device_mark() -> str:
    """This browser's mark (a session from before marks were kept gets its id now)."""
    device = session.get(DEVICE_KEY)
    if not device:
        device = session[DEVICE_KEY] = integrity.new_device_id()
    return integrity.device_mark(device)


def _shown(html: str, seen: str):
    """The page, remembering in this browser which presentation it shows."""
    response = make_response(html)
    response.set_cookie(SEEN_COOKIE, seen, path="/test", httponly=True, samesite="Strict",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _not_a_reload(response):
    """A redirect back to the same presentation that the server made (a language switch,
    a missing choice) is not a reload."""
    response.delete_cookie(SEEN_COOKIE, path="/test", httponly=True, samesite="Strict",
                           secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def candidate_required(*stages: Stage, logic_attempt: bool = False):
    """Load the session's candidate; send them to their current step if this isn't it.
    ``logic_attempt``: load the current logic attempt in the same query (``g.logic_attempt``)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            data = session.get(SESSION_KEY) or [None, None]
            if logic_attempt:
                invitation, g.logic_attempt = invitation_and_logic_attempt(get_session(), *data[:2])
            else:
                invitation = invitation_for_session(get_session(), *data[:2])
            if invitation is None:
                return _link_problem("session"), 404
            g.invitation = invitation
            g.candidate = invitation.candidate
            if stages and g.candidate.stage not in stages:
                return redirect(url_for(STEP_ENDPOINTS[g.candidate.stage]))
            return view(*args, **kwargs)

        return wrapper

    return decorator


@bp.get("/test")
@candidate_required()
def resume():
    return redirect(url_for(STEP_ENDPOINTS[g.candidate.stage]))


@bp.post("/test/language")
@candidate_required()
def language():
    form = LanguageForm()
    if form.validate_on_submit():
        journey.set_language(get_session(), g.candidate, form.lang.data)
    return _not_a_reload(redirect(url_for(STEP_ENDPOINTS[g.candidate.stage])))


@bp.route("/test/welcome", methods=["GET", "POST"])
@candidate_required(Stage.WELCOME)
def welcome():
    from ..services import retention

    form = WelcomeForm()
    periods = retention.periods(get_session(), current_app.config)
    version = retention.notice_version(journey.PRIVACY_NOTICE_VERSION, periods)
    if form.validate_on_submit():
        lang = g.candidate.chosen_language or g.invitation.language
        journey.accept_welcome(get_session(), g.candidate, language=lang, now=res.now(), notice_version=version)
        return redirect(url_for(".instructions"))
    # The candidate's own limit (with any extra time), as the instructions and the e-mail say.
    minutes = round(journey.logic_time_limit(g.candidate).total_seconds() / 60)
    return render_template("candidate/welcome.html", form=form, assignment=g.candidate.assignment,
                           minutes=minutes, controller=current_app.config.get("CONTROLLER_NAME", ""),
                           contact=current_app.config.get("PRIVACY_CONTACT", ""), periods=periods,
                           notice_version=version), 200 if not form.errors else 400


@bp.route("/test/instructions", methods=["GET", "POST"])
@candidate_required(Stage.INSTRUCTIONS)
def instructions():
    if request.method == "POST":
        journey.begin_practice(get_session(), g.candidate)
        return redirect(url_for(".practice"))
    return render_template(
        "candidate/instructions.html",
        minutes=round(journey.logic_time_limit(g.candidate).total_seconds() / 60),
        max_items=adaptive.APP_SETTINGS.max_items,
        n_practice=len(res.logic_bank().practice),
        kinds=", ".join(str(ITEM_KINDS.get(t, t)) for t in res.logic_bank().types),
    )


@bp.route("/test/practice", methods=["GET", "POST"])
@candidate_required(Stage.PRACTICE)
def practice():
    bank = res.logic_bank()
    candidate = g.candidate
    if request.method == "POST":
        form = PracticeAnswerForm()
        try:
            if not form.validate_on_submit():
                raise ValueError("no option chosen")
            position, chosen = form.position.data, form.option.data
            feedback = journey.answer_practice(get_session(), candidate, bank,
                                               position=position, chosen=chosen)
        except ValueError:  # none chosen, or an option the item does not have
            flash(_("Choose one of the options."), "error")
            return redirect(url_for(".practice"))
        if feedback is None:
            return redirect(url_for(".practice"))
        return redirect(url_for(".practice", feedback=position, chosen=chosen))
    if "feedback" in request.args:
        try:
            position = int(request.args["feedback"])
            chosen = int(request.args["chosen"])
            item = with_english_team_names(bank.practice[position])
        except (KeyError, ValueError, IndexError):
            return redirect(url_for(".practice"))
        if position < candidate.practice_position and 0 <= chosen < len(item.options):
            return render_template(
                "candidate/practice_feedback.html", item=item, chosen=chosen,
                correct=item.is_correct(chosen), position=position, total=len(bank.practice),
                last=position + 1 >= len(bank.practice),
            )
    if candidate.practice_position >= len(bank.practice):
        return render_template("candidate/ready.html",
                               minutes=round(journey.logic_time_limit(candidate).total_seconds() / 60),
                               max_items=adaptive.APP_SETTINGS.max_items)
    position = candidate.practice_position
    item = with_english_team_names(bank.practice[position])
    options = [(str(i), i) for i in range(len(item.options))]
    return render_template("candidate/practice.html", item=item, options=options,
                           position=position, total=len(bank.practice))


@bp.post("/test/start")
@candidate_required(Stage.PRACTICE)
def start_logic():
    bank = res.logic_bank()
    if g.candidate.practice_position < len(bank.practice):
        return redirect(url_for(".practice"))
    db, now = get_session(), res.now()
    attempt = journey.start_logic(db, g.candidate, bank, now=now, pretest_items=res.pretest_items_per_attempt(),
                                  device=_device_mark())
    # The first item's presentation is stored here, as each answer stores the next one:
    # the item page only shows it. From here on the attempt's own bank version serves it.
    journey.present_logic_item(db, attempt, res.logic_bank_for(attempt), now=now)
    return redirect(url_for(".item"))


def _logic_context():
    db = get_session()
    attempt = g.logic_attempt  # loaded with the session's candidate (``candidate_required``)
    if attempt is None:
        # Stage LOGIC without an attempt cannot normally happen; start it now.
        attempt = journey.start_logic(db, g.candidate, res.logic_bank(), now=res.now(),
                                      pretest_items=res.pretest_items_per_attempt(), device=_device_mark())
    norms = res.norm_table(g.candidate.assignment.norm_group)
    return db, attempt, norms


#: Pause before the one server-side retry of an answer that met a database error.
ANSWER_RETRY_PAUSE = 0.5


def _answer_with_retry(db, attempt, **kwargs) -> journey.AnswerOutcome:
    """Save an answer and commit it here, so that a database error (a restart, a dropped
    connection) while saving or committing is retried once, after a short pause, before
    the candidate sees anything. Safe to repeat: an answer is written at most once per
    presented question (a conditional update). A second failure raises
    :class:`portal.db.DatabaseUnavailable`: a 503 page that keeps the candidate's
    choice and sends it again with one click."""
    for tries in (1, 2):
        try:
            outcome = journey.answer_logic_item(db, attempt, **kwargs)
            db.commit()
            return outcome
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            db.rollback()
            if isinstance(attempt, journey.AttemptRow):
                attempt.finished_at = None  # read open (``_answer_fast``); the rollback undid any finish
            if tries == 2:
                raise DatabaseUnavailable() from exc
            time.sleep(ANSWER_RETRY_PAUSE)
    raise AssertionError("unreachable")  # pragma: no cover


@bp.route("/test/item", methods=["GET", "POST"])
def item():
    page = _item_page_fast() if request.method == "GET" else _answer_fast()
    return _item() if page is None else page


def _answered(outcome: journey.AnswerOutcome, in_test: bool):
    """The answer POST's response once ``outcome`` is committed."""
    if outcome is journey.AnswerOutcome.TOO_LATE:  # committed: the attempt is closed for good
        return render_template("candidate/timeup.html", late=True), 409
    if outcome is journey.AnswerOutcome.CONFLICT:
        flash(_("That question had already been answered in another window. The first answer is kept."), "warning")
    return redirect(url_for(".item") if in_test else url_for(".resume"))


def _answer_fast():
    """The answer POST in its common case (a valid session in the logic test, the attempt
    open and within its time, an option of the item on screen chosen): read as one Core
    row and answered by :func:`journey.answer_logic_item` on plain rows, with no ORM
    entity loaded unless the answer finishes the test. None for anything else, which
    :func:`_item` handles as before (a stale or missing choice, another tab, expiry)."""
    option_id, response_id = read_answer(request.form)
    if response_id < 0:
        return None
    db = get_session()
    data = session.get(SESSION_KEY) or [None, None]
    row = item_page_row(db, *data[:2], answer=True)
    now, timing = res.now(), res.timing()
    if (row is None or row.stage is not Stage.LOGIC or row.attempt_id is None or row.finished_at is not None
            or row.id != response_id or not option_id or option_id not in row.option_ids
            or journey.past_grace(row.deadline, now, timing)):
        db.rollback()
        return None
    g.candidate = g.invitation = SessionCandidate(row.candidate_id, row.stage, row.chosen_language,
                                                  row.invitation_language)
    attempt = journey.AttemptRow(
        row.attempt_id, row.seed, row.deadline, row.finished_at, row.pretest_plan, row.cat_state, row.cat_answers,
        journey.ResponseRow(row.id, row.attempt_id, row.item_id, row.position, row.option_ids, row.option_order,
                            row.presented_at, row.pretest), device=row.device)
    outcome = _answer_with_retry(db, attempt, response_id=response_id, option_id=option_id, now=now,
                                 bank=res.logic_bank_for(row), norms=res.norm_table(row.norm_group), timing=timing)
    if outcome is journey.AnswerOutcome.ACCEPTED:
        _note_device(db, attempt, now)
    return _answered(outcome, attempt.finished_at is None)


def _item_page_fast():
    """The item page in its common case (a valid session in the logic test, the attempt
    open and within its time, an item presented): read as one Core row and rendered, with
    no ORM entity loaded. None for anything else, which :func:`_item` handles (redirects,
    expiry, a missing presentation) exactly as before.

    Half of a candidate's requests are this page; the ORM's loading of the five entities
    cost more CPU than the rest of the page's database work."""
    db = get_session()
    data = session.get(SESSION_KEY) or [None, None]
    row = item_page_row(db, *data[:2])
    now = res.now()
    if (row is None or row.stage is not Stage.LOGIC or row.attempt_id is None or row.finished_at is not None
            or row.id is None or journey.past_grace(row.deadline, now, res.timing())):
        db.rollback()
        return None
    bank = res.logic_bank_for(row)
    db.commit()  # before rendering, as below
    g.candidate = g.invitation = SessionCandidate(row.candidate_id, row.stage, row.chosen_language,
                                                  row.invitation_language)
    return _show_item(journey.presentation(row, bank, deadline=row.deadline, pretest_plan=row.pretest_plan, now=now),
                      row.attempt_id, now)


def _show_item(presented: journey.Presentation, attempt_id: int, now):
    """The item page of ``presented`` (after the transaction ended): both ways to it.
    The page remembers in this browser which presentation it shows; the same one shown
    to it again is a reload (integrity signals), which costs a statement only then."""
    seen = f"L{presented.response.id}"
    if request.cookies.get(SEEN_COOKIE) == seen:
        db = get_session()
        integrity.record_reload(db, attempt_id, now=now)
        db.commit()
    options = list(zip(presented.response.option_ids, presented.response.option_order))
    return _shown(render_template("candidate/item.html", p=presented, options=options), seen)


def _note_device(db, attempt, now) -> None:
    """After an accepted answer: counted when it came from another browser than the one
    that started the attempt (integrity signals); no statement otherwise."""
    if integrity.note_answer_device(db, attempt, _device_mark(), now=now):
        db.commit()


@candidate_required(Stage.LOGIC, logic_attempt=True)
def _item():
    db, attempt, norms = _logic_context()
    # The version the attempt started with, whatever is active now.
    bank, now = res.logic_bank_for(attempt), res.now()
    if request.method == "POST":
        option_id, response_id = read_answer(request.form)
        if not option_id:
            flash(_("Choose one of the options before you continue."), "error")
            return _not_a_reload(redirect(url_for(".item")))
        outcome = _answer_with_retry(db, attempt, response_id=response_id, option_id=option_id, now=now,
                                     bank=bank, norms=norms, timing=res.timing())
        if outcome is journey.AnswerOutcome.ACCEPTED:
            _note_device(db, attempt, now)
        return _answered(outcome, g.candidate.stage is Stage.LOGIC)
    if journey.expire_if_due(db, attempt, now=now, bank=bank, norms=norms, timing=res.timing()):
        return redirect(url_for(".timeup") if attempt.finish_reason is FinishReason.TIMEOUT
                        else url_for(".resume"))
    # The presentation the answer (or the start) stored: read, not computed.
    presented = journey.present_logic_item(db, attempt, bank, now=now)
    if presented is None:  # a stopping rule is met: finish (normally done on the last answer)
        journey.finish_logic(db, attempt, FinishReason.COMPLETED, now=now, bank=bank, norms=norms)
        return redirect(url_for(".resume"))
    # End the transaction before rendering: on SQLite it holds the write lock of every
    # worker (BEGIN IMMEDIATE). The page needs nothing more from the database.
    db.commit()
    return _show_item(presented, attempt.id, now)


def _signal_key() -> str:
    """Beacons are limited per candidate session (many candidates may share an address)."""
    data = session.get(SESSION_KEY) or [None]
    return f"candidate-signal:{data[0]}"


@bp.post("/test/signal")
@limiter.limit(lambda: current_app.config["SIGNAL_RATE_LIMIT"], key_func=_signal_key)
def signal():
    """A beacon of ``static/integrity.js`` (page left, hidden, back): 204 whether stored or
    ignored (capped, or the attempt long finished); 404 for an attempt that is not the
    session's candidate's own. CSRF: the page's form token travels in the form body
    (``sendBeacon`` cannot set headers), checked like any form's."""
    data = session.get(SESSION_KEY) or [None, None]
    invitation = invitation_for_session(get_session(), *data[:2])
    if invitation is None:
        abort(404)
    form = SignalForm()
    if not form.validate():
        abort(400)
    try:
        integrity.record_beacon(get_session(), candidate_id=invitation.candidate_id, attempt_id=form.attempt.data,
                                event=form.event.data, ms=form.ms.data, now=res.now())
    except ValueError:
        abort(400)
    except LookupError:
        abort(404)
    return "", 204


@bp.get("/test/time-up")
@candidate_required(Stage.INVENTORY)
def timeup():
    return render_template("candidate/timeup.html", late=False)


@bp.route("/test/inventory", methods=["GET", "POST"])
@candidate_required(Stage.INVENTORY)
def inventory():
    db, inv, now = get_session(), res.inventory(), res.now()
    if journey.current_attempt(db, g.candidate, TestKind.INVENTORY) is None and "go" not in request.args:
        logic = journey.current_attempt(db, g.candidate, TestKind.LOGIC)
        if logic is not None and logic.finish_reason is FinishReason.TIMEOUT:
            # Closed by the clock while away (or by cron): say so before going on.
            return redirect(url_for(".timeup"))
    attempt = journey.start_inventory(db, g.candidate, inv, now=now, device=_device_mark())
    page = journey.current_inventory_page(db, attempt)
    values: dict[str, int | None] = {}
    missing: list[str] = []
    if request.method == "POST" and page is not None:
        form = inventory_page_form(page.statement_ids)
        values = {sid: form[sid].data for sid in page.statement_ids}
        page_number = -1 if form.page.data is None else form.page.data
        try:
            if journey.save_inventory_page(db, attempt, page_number=page_number, values=values,
                                           inventory=inv,
                                           norms=res.norm_table(g.candidate.assignment.norm_group),
                                           now=now):
                integrity.note_answer_device(db, attempt, _device_mark(), now=now)
            return redirect(url_for(".resume"))
        except journey.PageError as err:
            missing = err.missing
    if page is None:
        return redirect(url_for(".resume"))
    lang = current_language()
    statements = [(sid, inv.get(sid).text[lang]) for sid in page.statement_ids]
    seen = f"I{attempt.id}:{page.number}"
    if request.method == "GET" and request.cookies.get(SEEN_COOKIE) == seen:
        integrity.record_reload(db, attempt.id, now=now)
    status = 400 if missing else 200
    return _shown(render_template("candidate/inventory.html", page=page, statements=statements, values=values,
                                  missing=missing, attempt_id=attempt.id), seen), status


@bp.route("/test/done", methods=["GET", "POST"])
@candidate_required(Stage.DONE)
def done():
    form = ExperienceForm()
    if form.validate_on_submit():
        journey.record_experience(get_session(), g.candidate, int(form.rating.data))
        flash(_("Thank you for your answer."), "success")
        return redirect(url_for(".done"))
    status = 400 if form.errors else 200
    return _done_page(form=form, comment_form=CommentForm(prefix="comment")), status


def _done_page(*, form, comment_form):
    db = get_session()
    report = reports.latest(db, g.candidate, ReportKind.CANDIDATE)
    comment = reports.comment(db, g.candidate)
    if comment is not None and not comment_form.text.data:
        comment_form.text.data = comment.text
    from ..services import equality

    return render_template("candidate/done.html", form=form, comment_form=comment_form, report=report,
                           comment=comment, rated=g.candidate.experience_rating is not None,
                           equality_answered=equality.answers_of(db, g.candidate) is not None)


def _own_report(action: str | None = None):
    """The newest released feedback report of the session's candidate (404 if none);
    with ``action``, the candidate's view or download is audit-logged."""
    report = reports.latest(get_session(), g.candidate, ReportKind.CANDIDATE)
    if report is None:
        abort(404)
    if action:
        audit.record(get_session(), user_id=None, action=action, object_type="report_candidate",
                     object_id=report.id, detail={"by": "candidate", "version": report.version}, now=res.now())
    return report


@bp.get("/test/report")
@candidate_required(Stage.DONE)
def report():
    """The candidate's released feedback report (the newest version), as a page."""
    return report_page(_own_report("view"), back=url_for(".done"), pdf=url_for(".report_pdf"))


@bp.get("/test/report.pdf")
@candidate_required(Stage.DONE)
def report_pdf():
    r = _own_report("download")
    return attachment(r.pdf, name=reports.download_name(r), mimetype="application/pdf")


@bp.route("/test/equality", methods=["GET", "POST"])
@candidate_required(Stage.DONE)
def equality():
    """The voluntary equality-monitoring questions, after the tests (``services.equality``)."""
    from ..services import equality as eq

    db = get_session()
    saved = eq.answers_of(db, g.candidate)
    form = EqualityForm(obj=_EqualityAnswers(saved) if saved is not None and request.method == "GET" else None)
    if form.validate_on_submit():
        eq.save(db, g.candidate, {f: form[f].data for f in eq.QUESTIONS}, now=res.now())
        flash(_("Thank you. Your answers were saved apart from your assessment."), "success")
        return redirect(url_for(".done") + "#equality")
    return render_template("candidate/equality.html", form=form, saved=saved,
                           minimum=eq.MIN_GROUP), 400 if form.errors else 200


class _EqualityAnswers:
    """Saved answers as form data ("prefer not to say" is the empty choice)."""

    def __init__(self, row):
        self.gender, self.age_band, self.first_language = (row.gender or "", row.age_band or "",
                                                           row.first_language or "")


@bp.post("/test/equality/remove")
@candidate_required(Stage.DONE)
def equality_remove():
    from ..services import equality as eq

    form = EqualityForm()  # for its CSRF check only
    if not form.validate_on_submit():
        abort(400)
    if eq.withdraw(get_session(), g.candidate):
        flash(_("Your answers to the equality questions were deleted."), "success")
    return redirect(url_for(".done") + "#equality")


@bp.get("/test/my-data.zip")
@candidate_required()
def my_data():
    """Everything we hold about the candidate that is theirs to take (``privacy`` scope
    ``self``), as a zip: their record, answers, results, feedback reports and reply."""
    from ..services import privacy

    data = privacy.export_candidate(get_session(), g.candidate, storage_dir=res.attachment_dir(), now=res.now(),
                                    scope="self")
    audit.record(get_session(), user_id=None, action="export", object_type="candidate", object_id=g.candidate.id,
                 detail={"by": "candidate", "scope": "self"}, now=res.now())
    return attachment(data, name=f"my-data-{g.candidate.id}.zip", mimetype="application/zip")


@bp.post("/test/report/comment")
@candidate_required(Stage.DONE)
def report_comment():
    _own_report()
    comment_form = CommentForm(prefix="comment")
    if comment_form.validate_on_submit():
        reports.save_comment(get_session(), g.candidate, comment_form.text.data, now=res.now())
        flash(_("Thank you, your comment was saved. The consultant passes it on to the employer with the report."),
              "success")
        return redirect(url_for(".done") + "#comment")
    return _done_page(form=ExperienceForm(), comment_form=comment_form), 400




@bp.app_context_processor
def _language_form():
    return {"language_form": LanguageForm}
