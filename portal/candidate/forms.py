from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional


class WelcomeForm(FlaskForm):
    consent = BooleanField(
        _l("I have read the information about how my data is processed."),
        validators=[DataRequired(message=_l("Please confirm that you have read the information before you start."))],
    )


class LanguageForm(FlaskForm):
    lang = RadioField(choices=["sv", "en"], validators=[InputRequired()])


class ExperienceForm(FlaskForm):
    rating = RadioField(
        _l("How was your experience of the assessment?"),
        choices=["1", "2", "3", "4", "5"],
        validators=[InputRequired(message=_l("Choose a rating from 1 to 5, or skip the question."))],
    )


class CommentForm(FlaskForm):
    text = TextAreaField(
        _l("Your comment"),
        validators=[DataRequired(message=_l("Write your comment before sending it.")),
                    Length(max=2000, message=_l("The comment can be at most %(max)d characters."))],
    )


_NOT_SAY = SelectChoice("", _l("Prefer not to say"))


class EqualityForm(FlaskForm):
    """The voluntary equality-monitoring questions (``services.equality.QUESTIONS``).
    Every question starts at "Prefer not to say"; an unlisted value is refused."""

    gender = RadioField(_l("Gender"), default="", choices=[
        SelectChoice("woman", _l("Woman")), SelectChoice("man", _l("Man")),
        SelectChoice("other", _l("Another gender or non-binary")), _NOT_SAY])
    age_band = RadioField(_l("Age"), default="", choices=[
        SelectChoice("-29", _l("29 or younger")), SelectChoice("30-39", "30-39"), SelectChoice("40-49", "40-49"),
        SelectChoice("50-", _l("50 or older")), _NOT_SAY])
    first_language = RadioField(_l("First language"), default="", choices=[
        SelectChoice("sv", _l("Swedish")), SelectChoice("other", _l("Another language")),
        SelectChoice("both", _l("Swedish and another language equally")), _NOT_SAY])


class CsrfForm(FlaskForm):
    """No fields: only the CSRF check, for a button's post (e.g. starting the verification test)."""


class VerificationCodeForm(FlaskForm):
    code = StringField(
        _l("Verification code"),
        validators=[DataRequired(message=_l("Enter the code the consultant gave you.")), Length(max=40)],
    )


class PostedForm(FlaskForm):
    """A post that is read, not rendered: no CSRF field of its own, whose token would be signed for nothing
    (Flask-WTF's ``CSRFProtect`` checks every post's token before the view)."""

    class Meta:
        csrf = False


class PracticeAnswerForm(PostedForm):
    """A practice item's answer: the item's ``position`` and the chosen ``option``'s index."""

    position = IntegerField(validators=[InputRequired()])
    option = IntegerField(validators=[InputRequired()])


class SignalForm(PostedForm):
    """A beacon of ``static/integrity.js``: the ``attempt``, the ``event`` and, for some
    events, the milliseconds away (``ms``; empty: none)."""

    attempt = IntegerField(validators=[InputRequired()])
    ms = IntegerField(validators=[Optional(strip_whitespace=False)])
    event = StringField(default="")


def inventory_page_form(statement_ids) -> FlaskForm:
    """A page of the personality questionnaire: its ``page`` number and an answer (1-5) per
    statement, named by the statement's id (``statement_ids``). An answer that is missing
    or not a number is None: the journey service says which are missing."""
    fields = {sid: IntegerField() for sid in statement_ids}
    fields["page"] = IntegerField()
    return type("InventoryPageForm", (PostedForm,), fields)()


def read_answer(form) -> tuple[str, int]:
    """An item page's answer post (``form``: ``request.form``), as the logic test and the
    verification test read it: the chosen option's id ("" when none was chosen) and the
    presentation's response id (-1, which names no presentation, when missing or not a
    number).

    A plain function, not a form class: the logic test's answer POST has a fast path tuned
    for CPU per request (issue 14, ``bench/answers.py``) and the two fields need no more.
    The CSRF token is checked for every post by Flask-WTF's ``CSRFProtect``."""
    try:
        response_id = int(form.get("response", ""))
    except ValueError:
        response_id = -1
    return form.get("option", ""), response_id


def answer_to_resend(form) -> dict[str, str]:
    """The answer post's fields as posted (``form``: ``request.form``), for the one-click
    "send it again" of the page shown when the database was unavailable (portal/errors.py):
    nothing was saved, so the same choice, with its CSRF token, can be posted again."""
    return {name: form.get(name, "") for name in ("csrf_token", "response", "option")}
