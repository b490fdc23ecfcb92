"""The organiser's message forms: compose (with preview and test send) and the
automatic messages of an event."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import NumberRange, Optional

from ..content import localized, translated
from ..events.forms import DT_FORMAT, MultiCheckboxField
from ..labels import status_labels
from ..models import Event, Message, Question, QuestionType, Status, max_length

PLACEHOLDER_HINT = _l("Plain text. {name}, {ticket_url} and {agenda_url} are filled in "
                      "for each person.")


class MessageTexts(FlaskForm):
    """Subject and text in both languages, named as the model's columns."""

    subject = StringField(_l("Subject in English"),
                          render_kw={"maxlength": max_length(Message.subject)})
    subject_ja = StringField(_l("Subject in Japanese"),
                             render_kw={"maxlength": max_length(Message.subject)})
    body = TextAreaField(_l("Message in English"), description=PLACEHOLDER_HINT,
                         render_kw={"rows": 8})
    body_ja = TextAreaField(_l("Message in Japanese"), description=PLACEHOLDER_HINT,
                            render_kw={"rows": 8})

    def texts(self) -> dict:
        """{"subject": {"en", "ja"}, "body": {"en", "ja"}}, as the service takes them."""
        return {"subject": {"en": self.subject.data or "", "ja": self.subject_ja.data or ""},
                "body": {"en": self.body.data or "", "ja": self.body_ja.data or ""}}


class ComposeForm(MessageTexts):
    status = MultiCheckboxField(_l("Status"), description=_l(
        "None ticked: pending, confirmed and waitlisted."))
    category = MultiCheckboxField(_l("Category"), description=_l("None ticked: every category."))
    checked_in = SelectField(_l("Checked in"), validate_choice=False)
    answer = SelectField(_l("Answer to a question"), validate_choice=False)
    registration_ids = HiddenField()
    send_at = DateTimeLocalField(_l("Send at"), format=DT_FORMAT, validators=[Optional()],
                                 description=_l("Empty: send now. In the event's time zone."))
    person = SelectField(_l("Preview as"), coerce=int, validate_choice=False)

    def fill_choices(self, event: Event, questions: list[Question]) -> None:
        labels = status_labels()
        self.status.choices = [(s.value, labels[s.value]) for s in Status]
        self.category.choices = [(c.code, localized(c)) for c in event.categories]
        self.checked_in.choices = [("", _l("Checked in or not")), ("yes", _l("Checked in")),
                                   ("no", _l("Not checked in"))]
        self.answer.choices = [("", _l("Any answer"))] + answer_choices(questions)

    @property
    def picked(self) -> list[int]:
        return [int(i) for i in (self.registration_ids.data or "").split(",")
                if i.strip().isdigit()][:5000]

    def audience(self) -> dict:
        to = {"status": self.status.data or [], "category": self.category.data or []}
        if self.checked_in.data in ("yes", "no"):
            to["checked_in"] = self.checked_in.data == "yes"
        if self.picked:
            to["registration_ids"] = self.picked
        if "?" in (self.answer.data or ""):
            question, _sep, flag = self.answer.data.partition("?")
            to["answer"] = {"question": question, "value": flag == "yes"}
        elif self.answer.data:
            question, _sep, option = self.answer.data.partition(":")
            to["answer"] = {"question": question, "option": option}
        return to

    def data_for_service(self) -> dict:
        return self.texts() | {"to": self.audience(), "send_at": self.send_at.data}


def answer_choices(questions: list[Question]) -> list[tuple[str, str]]:
    """"question:option" for each option of a choice question, "question?yes" and
    "question?no" for a yes/no question."""
    choices = []
    for q in questions:
        label = translated(q, "label")
        if q.type in QuestionType.WITH_OPTIONS:
            choices += [(f"{q.code}:{o.code}", f"{label}: {translated(o, 'label')}")
                        for o in q.options if not o.retired]
        elif q.type == QuestionType.BOOLEAN:
            choices += [(f"{q.code}?yes", f"{label}: {_l('Yes')}"),
                        (f"{q.code}?no", f"{label}: {_l('No')}")]
    return choices


# The service's (API's) field name -> the form's, for messages at the right field.
FIELD_NAMES = {"subject.en": "subject", "subject.ja": "subject_ja", "body.en": "body",
               "body.ja": "body_ja", "to.status": "status", "to.category": "category",
               "to.answer": "answer", "to.registration_ids": "registration_ids"}


class AutomaticForm(MessageTexts):
    enabled = BooleanField(_l("On"))
    offset_days = IntegerField(_l("Days"), validators=[NumberRange(min=0, max=60)])
