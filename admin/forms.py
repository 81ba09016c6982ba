from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


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


class RetentionForm(FlaskForm):
    """One period per data class (``retention.DATA_CLASSES``); empty keeps the data."""

    assessment = IntegerField(validators=[Optional(), NumberRange(min=1, max=240)])
    contact = IntegerField(validators=[Optional(), NumberRange(min=1, max=240)])
    attachments = IntegerField(validators=[Optional(), NumberRange(min=1, max=240)])
    outbox = IntegerField(validators=[Optional(), NumberRange(min=1, max=240)])
    audit = IntegerField(validators=[Optional(), NumberRange(min=1, max=240)])
