"""The attendee's feedback form and the follow-up form: plain HTML forms (radio
buttons, text areas, a checkbox), so they work on any phone without JavaScript."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..models import (
    FeedbackQuestion,
    FeedbackQuestionKind,
    FollowUpResponse,
    FollowUpResult,
    QuoteAttribution,
    max_length,
)

TEXT_LIMIT = 2000  # what a person writes in one answer box


def rating_choices():
    return [("5", _l("5 – excellent")), ("4", _l("4 – good")), ("3", _l("3 – fair")),
            ("2", _l("2 – poor")), ("1", _l("1 – very poor"))]


def result_choices():
    return [(FollowUpResult.MEETING.value, _l("A further meeting")),
            (FollowUpResult.PILOT.value, _l("A pilot or demonstration")),
            (FollowUpResult.AGREEMENT.value, _l("An agreement")),
            (FollowUpResult.NOTHING_YET.value, _l("Nothing yet"))]


class FeedbackForm(FlaskForm):
    rating = RadioField(_l("Overall, how would you rate the event?"), choices=rating_choices,
                        validators=[InputRequired(_l("Please choose a rating."))])
    useful = TextAreaField(_l("What was most useful to you?"),
                           validators=[Optional(), Length(max=TEXT_LIMIT)])
    follow_up = RadioField(
        _l("Will you follow up with someone you met?"),
        choices=[("yes", _l("Yes")), ("no", _l("No"))],
        validators=[InputRequired(_l("Please answer yes or no."))])
    comments = TextAreaField(_l("Any other comments"),
                             validators=[Optional(), Length(max=TEXT_LIMIT)])
    quote_consent = BooleanField(
        _l("The organisers may quote what I wrote in their report on the event"))
    attribution = RadioField(
        _l("If quoted, name me as"),
        choices=[(QuoteAttribution.ORGANISATION.value, _l("my organisation")),
                 (QuoteAttribution.ANONYMOUS.value, _l("a participant (anonymously)"))],
        default=QuoteAttribution.ANONYMOUS.value)


class FollowUpForm(FlaskForm):
    result = RadioField(_l("Did following up lead to something?"), choices=result_choices,
                        validators=[InputRequired(_l("Please choose one."))])
    with_whom = StringField(
        _l("With whom? (organisation or country)"),
        validators=[Optional(), Length(max=max_length(FollowUpResponse.with_whom))])


class FeedbackSettingsForm(FlaskForm):
    automatic = BooleanField(_l("Send the feedback request by itself after the event"))
    delay_hours = IntegerField(
        _l("Hours after the end of the event"), validators=[Optional(), NumberRange(0, 2160)],
        description=_l("Leave empty for 09:00 the next morning in the event's time zone."))
    follow_up_days = IntegerField(_l("Follow-up after (days)"),
                                  validators=[InputRequired(), NumberRange(1, 730)])


def kind_choices():
    return [(FeedbackQuestionKind.SCALE.value, _l("Rating from 1 to 5")),
            (FeedbackQuestionKind.YES_NO.value, _l("Yes or no")),
            (FeedbackQuestionKind.TEXT.value, _l("Text"))]


class FeedbackQuestionForm(FlaskForm):
    label = StringField(_l("Question (English)"), validators=[
        Optional(), Length(max=max_length(FeedbackQuestion.label))])
    label_ja = StringField(_l("Question (Japanese)"), validators=[
        Optional(), Length(max=max_length(FeedbackQuestion.label_ja))])
    kind = SelectField(_l("Answer"), choices=kind_choices)
