from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import (BooleanField, DateField, EmailField, FieldList, Form, FormField, HiddenField, IntegerField,
                     PasswordField, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField, TelField,
                     TextAreaField, URLField, widgets)
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length, NumberRange, Optional, ValidationError

from portal import competencies, labels, passwords
from portal.services import accommodation, api_keys, candidate_admin, candidate_import, checks, webhooks
from portal.services.assignments import recommended_time_limit_minutes

#: Why ``portal.passwords.problems`` refuses a password, as the pages say it.
PASSWORD_ERRORS = {
    "too_short": _l("The password must be at least %(n)s characters.", n=passwords.MIN_LENGTH),
    "too_long": _l("The password must be at most %(n)s characters.", n=passwords.MAX_LENGTH),
    "common": _l("This password is one of the 30,000 most common passwords. Choose another, e.g. a few unrelated words."),
    "contains_email": _l("The password must not contain the name part of the e-mail address."),
}


class CsrfForm(FlaskForm):
    """No fields: only the CSRF check, for a button's post or posts whose fields are built per row."""


class LanguageForm(FlaskForm):
    """The page language chosen in the top bar (admin/views.py)."""

    lang = SelectField(choices=["sv", "en"])


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(message=_l("Enter your e-mail address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password.")), Length(max=500)])


class CodeForm(FlaskForm):
    """A two-factor sign-in code or a recovery code (admin/two_factor_views.py)."""

    code = StringField(_l("Code"), validators=[DataRequired(message=_l("Enter the code.")), Length(max=20)])


class LegalHoldForm(FlaskForm):
    """Put on legal hold (with a reason) or release (``release`` set)."""

    reason = StringField(_l("Reason (a case or matter reference, no personal data)"),
                         validators=[Optional(), Length(max=200, message=_l("At most 200 characters."))])
    release = HiddenField()


class HiredForm(FlaskForm):
    hired = HiddenField()


class FinalistForm(FlaskForm):
    """Mark a finalist (``finalist`` "1") or remove the mark ("0"). ``back`` names the page
    to return to (``admin.finalists_views.BACK``), with its ``page``, ``status`` and ``q``."""

    finalist = HiddenField()
    back = HiddenField()
    page = HiddenField()
    status = HiddenField()
    q = HiddenField()


class RetentionForm(FlaskForm):
    """One period per data class (``retention.DATA_CLASSES``); empty keeps the data."""

    assessment = IntegerField(validators=[Optional(), NumberRange(min=1, max=240)])
    contact = IntegerField(validators=[Optional(), NumberRange(min=1, max=240)])
    attachments = IntegerField(validators=[Optional(), NumberRange(min=1, max=240)])
    outbox = IntegerField(validators=[Optional(), NumberRange(min=1, max=240)])
    audit = IntegerField(validators=[Optional(), NumberRange(min=1, max=240)])


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(message=_l("Enter a password.")),
                                                             Length(max=500)])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(message=_l("Repeat the password.")),
        EqualTo("password", message=_l("The two passwords are not the same."))])


class RetireItemForm(FlaskForm):
    """Retire a logic item from the leak-monitoring page (admin/leak_views.py): a reason for
    the version's record, and the box as the confirmation."""

    reason = TextAreaField(_l("Reason (kept with the new version and in the audit log; no personal data)"),
                           validators=[DataRequired(message=_l("Give a reason for retiring the item.")),
                                       Length(max=1000, message=_l("At most 1000 characters."))])
    confirm = BooleanField(_l("I want a new bank version without this item, to review and activate on the "
                              "Versions and calibration page."),
                           validators=[DataRequired(message=_l("Tick the box to confirm."))])


class BankActivateForm(FlaskForm):
    """Activate a logic bank version (admin/banks.py); the box is the confirmation."""

    confirm = BooleanField(_l("I have reviewed the changes and want new attempts to use this version."),
                           validators=[DataRequired(message=_l("Tick the box to confirm the activation."))])


class BrandingForm(FlaskForm):
    """The consultancy's branding (``portal.services.branding``); the logo is read from
    ``request.files`` and checked by the service."""

    consultancy_name = StringField(_l("Consultancy name"), validators=[Optional(), Length(max=200)])
    sender_name = StringField(_l("Sender name in e-mails"), validators=[Optional(), Length(max=200)])
    primary_color = StringField(_l("Primary colour"), validators=[Optional(), Length(max=20)])
    accent_color = StringField(_l("Accent colour"), validators=[Optional(), Length(max=20)])
    remove_logo = BooleanField(_l("Remove the logo"))


class MailTemplateForm(FlaskForm):
    """A client's own invitation or reminder in both languages; empty: the standard e-mail."""

    subject_sv = StringField(_l("Subject (Swedish)"), validators=[Optional(), Length(max=300)])
    body_sv = TextAreaField(_l("Text (Swedish)"), validators=[Optional(), Length(max=5000)])
    subject_en = StringField(_l("Subject (English)"), validators=[Optional(), Length(max=300)])
    body_en = TextAreaField(_l("Text (English)"), validators=[Optional(), Length(max=5000)])


class MailTemplateActionForm(FlaskForm):
    """The button pressed under a client's e-mail texts: ``action`` "preview" or "save". Its own form: the
    buttons' name has no prefix, the texts' fields (``MailTemplateForm``) have the e-mail kind as prefix."""

    action = StringField(default="save")


# -- users -----------------------------------------------------------------------------


class UserForm(FlaskForm):
    """A new user (admin/users.py); ``client_id`` gets its choices per request."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(message=_l("Enter an e-mail address.")), Length(max=254)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=["consultant", "admin", "client"])
    client_id = SelectField(_l("Client organisation (client users only)"), choices=[], validate_choice=False)


class UserActiveForm(FlaskForm):
    """Activate (``active`` "1") or deactivate a user's account."""

    active = HiddenField()


class NameForm(FlaskForm):
    """A user's own display name."""

    name = StringField(_l("Your name"), validators=[DataRequired(message=_l("Enter your name.")), Length(max=200)])


# -- webhooks and single sign-on -------------------------------------------------------


class EventsField(SelectMultipleField):
    """Check boxes, one per webhook event."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class EndpointForm(FlaskForm):
    """A new webhook endpoint (admin/webhooks_views.py); ``events`` gets its choices per request."""

    url = URLField(_l("Endpoint URL"), validators=[Length(max=webhooks.URL_MAX)])
    description = StringField(_l("Description (optional)"),
                              validators=[Optional(), Length(max=webhooks.DESCRIPTION_MAX)])
    events = EventsField(_l("Events"), choices=[], validate_choice=False)


class EditForm(FlaskForm):
    """An existing webhook endpoint: its URL (and secret) stay."""

    description = StringField(_l("Description (optional)"),
                              validators=[Optional(), Length(max=webhooks.DESCRIPTION_MAX)])
    events = EventsField(_l("Events"), choices=[], validate_choice=False)
    enabled = BooleanField(_l("Enabled: deliver events to this endpoint"))


class RuleForm(FlaskForm):
    """A single sign-on rule (admin/sso_views.py); ``provider`` and ``client_id`` get their choices per request."""

    kind = SelectField(_l("Match on"), choices=[SelectChoice("domain", _l("E-mail domain")),
                                                SelectChoice("group", _l("Group"))])
    value = StringField(_l("Domain or group"), validators=[DataRequired(message=_l("Enter a domain or a group.")),
                                                            Length(max=200)])
    provider = SelectField(_l("Provider"), choices=[], validate_choice=True)
    role = SelectField(_l("Role of new accounts"),
                       choices=[SelectChoice("consultant", _l("Consultant")),
                                SelectChoice("client", _l("Client user")),
                                SelectChoice("admin", _l("Administrator"))])
    client_id = SelectField(_l("Client organisation (client users only)"), choices=[], validate_choice=False)


# -- API keys --------------------------------------------------------------------------


#: What each API key scope (``portal.services.api_keys.SCOPES``) allows, as the key form says it.
SCOPE_LABELS = {
    "assignments:read": _l("Read assignments"),
    "candidates:read": _l("Read candidates and their status"),
    "candidates:write": _l("Create candidates (and send invitations)"),
    "invitations:write": _l("Cancel invitations"),
    "results:read": _l("Read result summaries of released reports"),
    "reports:read": _l("Download released client reports (PDF)"),
}

#: Why ``portal.services.api_keys`` refuses a new key.
API_KEY_ERRORS = {
    "missing_name": _l("Name the integration the key is for."),
    "name_too_long": _l("The name can be at most 200 characters."),
    "missing_scopes": _l("Choose at least one permission."),
    "unknown_scope": _l("Choose permissions from the list."),
    "unknown_client": _l("Choose a client organisation from the list."),
}


class ApiKeyForm(FlaskForm):
    """A new API key (admin/api_keys_views.py); ``client_id`` gets its choices per request."""

    name = StringField(_l("Name of the integration"),
                       validators=[DataRequired(message=API_KEY_ERRORS["missing_name"]),
                                   Length(max=api_keys.MAX_NAME_LENGTH)])
    scopes = SelectMultipleField(_l("Permissions"),
                                 choices=[SelectChoice(s, SCOPE_LABELS[s]) for s in api_keys.SCOPES],
                                 option_widget=widgets.CheckboxInput(), widget=widgets.ListWidget(prefix_label=False),
                                 validate_choice=False)
    client_id = SelectField(_l("Client organisation"), choices=[], validate_choice=False)


# -- assignments and clients -----------------------------------------------------------


class AssignmentForm(FlaskForm):
    """A new assignment (admin/assignments.py); the select fields get their choices per request."""

    client_id = SelectField(_l("Client"), choices=[], validate_choice=False)
    new_client = StringField(_l("…or a new client"), validators=[Optional(), Length(max=200)])
    title = StringField(_l("Role title"), validators=[DataRequired(message=_l("Enter the role title.")),
                                                      Length(max=200)])
    language = SelectField(_l("Language of the invitations"), choices=["sv", "en"])
    norm_group = SelectField(_l("Norm group"), choices=[], validate_choice=False)
    role_family = SelectField(_l("Role family (for local norms)"), choices=[], validate_choice=False)
    time_limit = IntegerField(_l("Time limit of the logic test (minutes)"), default=recommended_time_limit_minutes,
                              validators=[NumberRange(5, 120, message=_l(
                                  "The time limit must be between 5 and 120 minutes."))])
    deadline = DateField(_l("Last day for the candidates (optional)"), validators=[Optional()])
    uses_logic = BooleanField(_l("Logical reasoning test"), default=True)
    uses_personality = BooleanField(_l("Personality questionnaire"), default=True)


class EditAssignmentForm(FlaskForm):
    """An assignment's settings; its client and language stay."""

    title = AssignmentForm.title
    norm_group = SelectField(_l("Norm group"), choices=[], validate_choice=False)
    role_family = AssignmentForm.role_family
    time_limit = AssignmentForm.time_limit
    deadline = AssignmentForm.deadline
    uses_logic = BooleanField(_l("Logical reasoning test"))
    uses_personality = BooleanField(_l("Personality questionnaire"))
    status = SelectField(_l("Status"), choices=["open", "closed"])


class StaffForm(FlaskForm):
    """Staff a colleague on an assignment."""

    email = EmailField(_l("Consultant's e-mail"), validators=[DataRequired(message=_l("Enter an e-mail address."))])


class ContactForm(FlaskForm):
    """A client's contact person; ``client_id`` names the client (its hidden input is in the template, one per
    client's form)."""

    client_id = IntegerField()
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter the contact's name.")), Length(max=200)])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    email = EmailField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])


# -- synthesis -------------------------------------------------------------------------


class SynthesisForm(FlaskForm):
    """The consultant's written judgement of one candidate (admin/synthesis_views.py)."""

    judgement = TextAreaField(_l("Overall judgement"), validators=[
        DataRequired(message=_l("Write the overall judgement.")), Length(max=10000)])
    strengths = TextAreaField(_l("Strengths"), validators=[Optional(), Length(max=5000)])
    risks = TextAreaField(_l("Risks and what to verify"), validators=[Optional(), Length(max=5000)])
    recommendation = SelectField(_l("Recommendation"), choices=["", *labels.RECOMMENDATIONS],
                                 validators=[DataRequired(message=_l("Choose a recommendation."))])


# -- candidates ------------------------------------------------------------------------


#: Why ``portal.services.candidate_admin`` refuses a candidate, a CSV import row or a reset.
CANDIDATE_MESSAGES = {
    "missing_name": _l("Enter the candidate's name."),
    "name_too_long": _l("The name can be at most %(limit)s characters."),
    "missing_email": _l("Enter the candidate's e-mail address."),
    "invalid_email": _l("Enter a valid e-mail address, such as name@example.com."),
    "unknown_language": _l("The language must be sv (Swedish) or en (English)."),
    "invalid_extra_time": _l("Extra time must be a whole number of percent from 0 to %(limit)s."),
    "extra_fields": _l("The row has more columns than the header. Is there a separator inside a name?"),
    "duplicate_email": _l("The same e-mail address is on an earlier row of the file."),
    "already_invited": _l("There is already a candidate with this e-mail address in this assignment."),
    "reason_required": _l("Describe the technical problem. The reason is stored with the test attempt."),
    "reason_too_long": _l("The reason can be at most %(limit)s characters."),
    "already_completed": _l("The candidate has completed the assessment; a technical reset is no longer possible."),
    "too_large": _l("The file is larger than 1 MB."),
    "encoding": _l("The file could not be read as text. In Excel, save it as \"CSV UTF-8\" or \"CSV (semicolon delimited)\" and try again."),
    "empty": _l("The file contains no candidates."),
    "missing_columns": _l("The first row must name the columns: name (namn) and email (e-post) are required. Missing: %(columns)s."),
    "too_many_rows": _l("The file has more than %(limit)s candidates. Split it into smaller files."),
}

#: Values for the placeholders, when the error does not carry them.
_DEFAULT_PARAMS = {
    "name_too_long": {"limit": candidate_admin.MAX_NAME_LENGTH},
    "invalid_extra_time": {"limit": candidate_admin.MAX_EXTRA_TIME_PCT},
    "reason_too_long": {"limit": accommodation.MAX_REASON_LENGTH},
    "too_many_rows": {"limit": candidate_import.MAX_IMPORT_ROWS},
    "missing_columns": {"columns": "name, email"},
}


def candidate_message(code: str, params: dict | None = None) -> str:
    """The user-language text of a ``CandidateAdminError`` / ``CsvRow`` code."""
    params = {**_DEFAULT_PARAMS.get(code, {}), **(params or {})}
    if code == "too_large":
        params = {}
    if isinstance(params.get("columns"), list):
        params["columns"] = ", ".join(params["columns"])
    text = str(CANDIDATE_MESSAGES.get(code, code))
    return text % params if params else text


EXTRA_TIME_CHOICES = [SelectChoice("0", _l("No extra time")), SelectChoice("25", "+25 %"),
                      SelectChoice("50", "+50 %"), SelectChoice("100", "+100 %"),
                      SelectChoice("custom", _l("Other:"))]
LANGUAGE_CHOICES = [SelectChoice("sv", _l("Swedish")), SelectChoice("en", _l("English"))]


class ExtraTimeFields:
    """Extra time on the timed test: one of ``EXTRA_TIME_CHOICES`` or a typed percentage."""

    extra_time = RadioField(_l("Extra time on the timed test"), choices=EXTRA_TIME_CHOICES, default="0",
                            validate_choice=True)
    extra_time_custom = StringField(_l("Other extra time, in percent (0–300)"),
                                    validators=[Length(max=10)])

    def validate_extra_time_custom(self, field):
        if self.extra_time.data == "custom" and self.extra_time_pct() is None:
            raise ValidationError(candidate_message("invalid_extra_time",
                                                    {"limit": candidate_admin.MAX_EXTRA_TIME_PCT}))

    def extra_time_pct(self) -> int | None:
        value = self.extra_time.data
        if value != "custom":
            return int(value) if value and value.isdigit() else None
        raw = (self.extra_time_custom.data or "").strip().replace("%", "").strip()
        if not raw.isdigit() or not 0 <= int(raw) <= candidate_admin.MAX_EXTRA_TIME_PCT:
            return None
        return int(raw)

    def show_extra_time(self, pct: int) -> None:
        if str(pct) in {c.value for c in EXTRA_TIME_CHOICES}:
            self.extra_time.data = str(pct)
        else:
            self.extra_time.data = "custom"
            self.extra_time_custom.data = str(pct)


class CandidateForm(ExtraTimeFields, FlaskForm):
    """A new candidate (admin/candidates.py)."""

    name = StringField(_l("Name"), validators=[DataRequired(message=CANDIDATE_MESSAGES["missing_name"]),
                                               Length(max=candidate_admin.MAX_NAME_LENGTH)])
    email = StringField(_l("E-mail"), validators=[DataRequired(message=CANDIDATE_MESSAGES["missing_email"]),
                                                  Length(max=candidate_admin.MAX_EMAIL_LENGTH)])
    language = RadioField(_l("Language of the invitation and the tests"), choices=LANGUAGE_CHOICES,
                          default="sv")
    send_now = BooleanField(_l("Send the invitation by e-mail now"), default=True)


class AccommodationForm(ExtraTimeFields, FlaskForm):
    """A candidate's extra time."""


class ResetForm(FlaskForm):
    """A technical reset of the test attempt, with its reason."""

    reason = TextAreaField(_l("Reason (the technical problem)"),
                           validators=[DataRequired(message=CANDIDATE_MESSAGES["reason_required"]),
                                       Length(max=accommodation.MAX_REASON_LENGTH)])


class ReissueForm(FlaskForm):
    """A new invitation link."""

    send_now = BooleanField(_l("Send the new link by e-mail now"), default=True)


class ImportForm(FlaskForm):
    """Candidates from a CSV file; the rows are previewed before they are added."""

    file = FileField(_l("CSV file"), validators=[
        FileRequired(message=_l("Choose a CSV file.")),
        FileAllowed(["csv", "txt"], message=_l("Choose a file ending in .csv or .txt.")),
        FileSize(max_size=candidate_import.MAX_IMPORT_BYTES, message=CANDIDATE_MESSAGES["too_large"]),
    ])


class ConfirmImportForm(FlaskForm):
    """Add the previewed rows: ``payload`` holds them, signed (``IMPORT_SALT``)."""

    payload = HiddenField()
    valid_only = HiddenField()
    send_now = BooleanField(_l("Send the invitations by e-mail now"), default=True)


class EraseForm(FlaskForm):
    """Erase a candidate's personal data, confirmed by typing their name."""

    confirmation = StringField(_l("Type the candidate's name to confirm"),
                               validators=[DataRequired(message=_l("Type the candidate's name.")), Length(max=200)])


# -- references and background checks --------------------------------------------------


#: Why ``portal.services.checks`` (or the checklist form) refuses a reference or a background check.
CHECK_ERRORS = {
    "name_required": _l("Enter the referee's name."),
    "too_long": _l("The text is too long."),
    "consent_required": _l("The candidate's consent is required before the referee is contacted."),
    "unknown_competency": _l("Only competencies in the requirement profile can be rated."),
    "level_range": _l("Choose a level from 1 to 5."),
    "no_profile": _l("The assignment has no requirement profile yet."),
    "bad_status": _l("Choose a status."),
    "bad_date": _l("Enter the date as YYYY-MM-DD."),
    "empty_file": _l("The file is empty."),
    "too_large": _l("The file is larger than 5 MB."),
    "bad_type": _l("Only PDF, PNG and JPG files can be attached."),
    "bad_content": _l("The file's content does not match its type."),
    "no_attachment": _l("There is no attachment."),
    "bad_email": _l("Enter the referee's e-mail address as name@example.com, or leave it empty."),
    "bad_phone": _l("Enter the referee's phone number with at least 6 digits, or leave it empty."),
}


class ReferenceForm(FlaskForm):
    """A referee of a candidate (admin/checks.py)."""

    referee_name = StringField(_l("Referee's name"),
                               validators=[DataRequired(message=_l("Enter the referee's name.")), Length(max=200)])
    relation = StringField(_l("Relation to the candidate (e.g. former manager)"),
                           validators=[Optional(), Length(max=200)])
    period = StringField(_l("Period worked together"), validators=[Optional(), Length(max=100)])
    email = EmailField(_l("Referee's e-mail"), validators=[Optional(), Length(max=254)])
    phone = TelField(_l("Referee's phone"), validators=[Optional(), Length(max=50)])
    consent = BooleanField(_l("The candidate has consented to this referee being contacted"))
    #: Which of the references page's forms was posted: "add" (this one) or "rate" (a reference's ratings,
    #: ``reference_rating_form``); the page writes it as a hidden input.
    action = StringField()


def reference_rating_form(keys) -> FlaskForm:
    """A reference's ratings, read from the post: ``reference_id``, a level (1-5; empty: not rated) and the
    referee's words per competency of the profile (``keys``), named ``level-<key>`` and ``notes-<key>`` as the
    references page writes them, and the ``summary``. The service checks the levels' range."""
    fields = {"reference_id": IntegerField(), "summary": StringField(default="")}
    for key in keys:
        fields[f"level-{key}"] = IntegerField(validators=[Optional()])
        fields[f"notes-{key}"] = StringField(default="")
    return type("ReferenceRatingForm", (FlaskForm,), fields)()


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class IsoDateField(StringField):
    """A date typed as YYYY-MM-DD: ``data`` stays the text as typed (shown again after a failed post), ``date``
    is the parsed date (None while empty or invalid)."""

    def __init__(self, *args, message=None, **kwargs):
        super().__init__(*args, filters=[_strip], default="", **kwargs)
        self.message = message
        self.date = None

    def pre_validate(self, form):
        self.date = None
        if self.data:
            try:
                self.date = date.fromisoformat(self.data)
            except ValueError:
                raise ValidationError(self.message) from None


def checklist_form(row_ids) -> FlaskForm:
    """The background checklist, read from its one post (admin/checks.py): per item (``row_ids``) its status,
    date, source, note and attachment, named ``status-<id>``, ``checked_on-<id>`` ... as the page writes them.
    An item whose status is not posted keeps its stored values, so the view validates an item's fields only
    when its status is posted (``field.validate(form)``). The CSRF token is checked by ``CsrfForm`` first."""
    fields = {}
    for row_id in row_ids:
        fields[f"status-{row_id}"] = StringField(validators=[
            AnyOf(list(labels.CHECK_STATUSES), message=CHECK_ERRORS["bad_status"])])
        fields[f"checked_on-{row_id}"] = IsoDateField(message=CHECK_ERRORS["bad_date"])
        fields[f"source-{row_id}"] = StringField(filters=[_strip], default="", validators=[
            Length(max=checks.MAX_TEXT["source"], message=CHECK_ERRORS["too_long"])])
        fields[f"note-{row_id}"] = StringField(filters=[_strip], default="")
        fields[f"file-{row_id}"] = FileField()
    return type("ChecklistForm", (FlaskForm,), fields)(meta={"csrf": False})


# -- requirement profiles and competencies ---------------------------------------------


#: Message per problem code of a requirement profile (``portal.services.profiles``), shown next to the field it
#: concerns.
PROFILE_PROBLEMS = {
    "empty": _l("Include at least one competency."),
    "unknown_competency": _l("A competency that is not in the library was submitted (%(key)s)."),
    "duplicate": _l("Each competency can be included only once (%(key)s)."),
    "weight_range": _l("Choose a weight from 1 to 5."),
    "level_range": _l("Choose a target level from 1 to 5."),
    "percentile_range": _l("Enter a percentile from 1 to 99, or leave the field empty."),
    "personality_target": _l("Enter each target band as percentiles from 1 to 99, the lower limit first."),
    "locked_needs_reason": _l("Write why the profile is changed after it was locked."),
}


class ProfileForm(FlaskForm):
    """The profile's own fields; the per-competency rows are read by :func:`_read_rows`."""

    logic_min_percentile = IntegerField(
        _l("Minimum percentile on the logic test (optional)"),
        validators=[Optional(), NumberRange(min=1, max=99, message=PROFILE_PROBLEMS["percentile_range"])])
    reason = TextAreaField(_l("Reason for the change"), validators=[Length(max=2000)])


def profile_form(keys, domain_ids) -> ProfileForm:
    """The requirement profile form with the fields of this library and questionnaire, named as
    admin/profile.html writes them: ``include`` (the competencies ticked, as posted: the service reports an
    unknown one), per competency (``keys``) ``weight-<key>``, ``target-<key>`` and ``must-<key>`` ("1": a
    must-have), and per personality domain (``domain_ids``) a target band ``pt-low-<id>``, ``pt-high-<id>``.
    A value not posted is None; the view shows defaults and the service checks the ranges."""
    fields = {"include": SelectMultipleField(choices=[], validate_choice=False)}
    for key in keys:
        for name in ("weight", "target", "must"):
            fields[f"{name}-{key}"] = StringField()
    for domain_id in domain_ids:
        fields[f"pt-low-{domain_id}"] = StringField()
        fields[f"pt-high-{domain_id}"] = StringField()
    return type("ProfileEditForm", (ProfileForm,), fields)()


class TemplateForm(FlaskForm):
    """Start a requirement profile from a template."""

    template = StringField(_l("Template"))


class TextPairForm(Form):
    """A text in both languages (a behavioural indicator of a custom competency)."""

    sv = TextAreaField(_l("Swedish"), validators=[DataRequired(message=_l("Write the Swedish text.")),
                                                  Length(max=2000)])
    en = TextAreaField(_l("English"), validators=[DataRequired(message=_l("Write the English text.")),
                                                  Length(max=2000)])


class QuestionForm(Form):
    """An interview question of a custom competency, with its follow-up questions; all empty: not used."""

    text_sv = TextAreaField(_l("Question in Swedish"), validators=[Optional(), Length(max=1000)])
    text_en = TextAreaField(_l("Question in English"), validators=[Optional(), Length(max=1000)])
    probes_sv = TextAreaField(_l("Follow-up questions in Swedish, one per line"),
                              validators=[Optional(), Length(max=2000)])
    probes_en = TextAreaField(_l("Follow-up questions in English, one per line"),
                              validators=[Optional(), Length(max=2000)])

    def is_blank(self) -> bool:
        return not any((f.data or "").strip() for f in self)


class CompetencyForm(FlaskForm):
    """A consultant-made competency (admin/profiles.py): names, definitions, an indicator per level and the
    interview questions."""

    name_sv = StringField(_l("Name in Swedish"), validators=[DataRequired(message=_l("Write the Swedish name.")),
                                                             Length(max=120)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(message=_l("Write the English name.")),
                                                             Length(max=120)])
    definition_sv = TextAreaField(_l("Definition in Swedish"),
                                  validators=[DataRequired(message=_l("Write the Swedish definition.")),
                                              Length(max=2000)])
    definition_en = TextAreaField(_l("Definition in English"),
                                  validators=[DataRequired(message=_l("Write the English definition.")),
                                              Length(max=2000)])
    indicators = FieldList(FormField(TextPairForm), min_entries=len(competencies.LEVELS), max_entries=len(competencies.LEVELS))
    questions = FieldList(FormField(QuestionForm), min_entries=competencies.MAX_QUESTIONS,
                          max_entries=competencies.MAX_QUESTIONS)
    assignment_id = HiddenField()


# -- interview ratings, first opinions, reports ----------------------------------------


class LevelField(StringField):
    """A level (1-5) as posted: None when empty or not posted, -1 when not a whole number (the services report
    it as out of range, like any other level outside 1-5)."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] != "":
            try:
                self.data = int(valuelist[0])
            except ValueError:
                self.data = -1


class RatingForm(FlaskForm):
    """One competency's interview rating (admin/interviews.py), from the ratings page or the interview guide
    (admin/_rating_form.html writes the inputs): ``action`` "submit" submits, anything else saves a draft;
    ``back`` (posted as ``from``) "guide" returns to the guide. The service checks the level."""

    competency = StringField(default="")
    action = StringField()
    level = LevelField()
    notes = StringField(default="")
    back = StringField(name="from")


class ReleaseForm(FlaskForm):
    """Release a report: ``reviewed`` "yes" is the box confirming the draft was reviewed (admin/reports.html)."""

    reviewed = StringField()


def first_opinion_form(keys) -> FlaskForm:
    """The client's first opinion (admin/client_views.py): a level per competency of the profile (``keys``),
    named ``level-<key>`` as the page writes them."""
    return type("FirstOpinionForm", (FlaskForm,), {f"level-{key}": LevelField() for key in keys})()
