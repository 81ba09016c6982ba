from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, EmailField, HiddenField, IntegerField, PasswordField, SelectChoice,
                     SelectField, SelectMultipleField, StringField, TextAreaField, URLField, widgets)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from portal import labels, passwords
from portal.services import api_keys, webhooks
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


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(message=_l("Enter your e-mail address.")), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password.")), Length(max=500)])


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


class SynthesisForm(FlaskForm):
    """The consultant's written judgement of one candidate (admin/synthesis_views.py)."""

    judgement = TextAreaField(_l("Overall judgement"), validators=[
        DataRequired(message=_l("Write the overall judgement.")), Length(max=10000)])
    strengths = TextAreaField(_l("Strengths"), validators=[Optional(), Length(max=5000)])
    risks = TextAreaField(_l("Risks and what to verify"), validators=[Optional(), Length(max=5000)])
    recommendation = SelectField(_l("Recommendation"), choices=["", *labels.RECOMMENDATIONS],
                                 validators=[DataRequired(message=_l("Choose a recommendation."))])


class CodeForm(FlaskForm):
    """A two-factor sign-in code or a recovery code (admin/two_factor_views.py)."""

    code = StringField(_l("Code"), validators=[DataRequired(message=_l("Enter the code.")), Length(max=20)])
