from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length


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
