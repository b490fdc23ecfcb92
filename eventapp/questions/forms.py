"""The organiser's question editor form. Options are written one a line,
"code | English | 日本語", the way the agenda is written."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..content import localized
from ..events.forms import MultiCheckboxField
from ..models import Event, Question, QuestionType, max_length


def type_choices():
    return [(QuestionType.TEXT, _l("Short text")), (QuestionType.LONG_TEXT, _l("Long text")),
            (QuestionType.CHOICE, _l("Single choice")),
            (QuestionType.MULTIPLE, _l("Multiple choice")),
            (QuestionType.BOOLEAN, _l("Yes / no"))]


class QuestionForm(FlaskForm):
    label = StringField(_l("Question (English)"),
                        validators=[Optional(), Length(max=max_length(Question.label))])
    label_ja = StringField(_l("Question (Japanese)"),
                           validators=[Optional(), Length(max=max_length(Question.label_ja))])
    code = StringField(_l("Code"), validators=[Length(max=max_length(Question.code))],
                       description=_l("Short, for exports, imports and the API: lower-case "
                                      "letters, digits and _, e.g. diet."))
    type = SelectField(_l("Answer"), choices=type_choices)
    options = TextAreaField(
        _l("Options"), validators=[Optional(), Length(max=20000)],
        render_kw={"rows": 5},
        description=_l("For a choice: one option a line, “code | English | Japanese”, "
                       "e.g. “halal | Halal | ハラール”."))
    required = BooleanField(_l("An answer is required"))
    categories = MultiCheckboxField(_l("Asked of"), validate_choice=False,
                                    description=_l("None ticked: every category."))
    help = TextAreaField(_l("Help text (English)"), validators=[Optional(), Length(max=1000)],
                         render_kw={"rows": 2})
    help_ja = TextAreaField(_l("Help text (Japanese)"),
                            validators=[Optional(), Length(max=1000)], render_kw={"rows": 2})


def build_question_form(event: Event, language: str, question: Question | None = None,
                        **kwargs) -> QuestionForm:
    form = QuestionForm(obj=question, **kwargs)
    form.categories.choices = [(c.code, localized(c, language)) for c in event.categories]
    if question is not None and not form.is_submitted():
        form.categories.data = [c.code for c in question.categories]
        form.options.data = options_text(question)
    return form


def options_text(question: Question) -> str:
    return "\n".join(" | ".join(filter(None, (o.code, o.label, o.label_ja)))
                     for o in question.options if not o.retired)


def parse_options(text: str) -> list[dict]:
    """Lines "code | English | Japanese" as option dicts (a line with only a code gets
    the code as its label)."""
    options = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not any(parts):
            continue
        code, label, label_ja = (parts + ["", "", ""])[:3]
        options.append({"code": code, "label": label or code, "label_ja": label_ja})
    return options


def editor_data(form: QuestionForm) -> dict:
    return {"code": form.code.data, "label": form.label.data, "label_ja": form.label_ja.data,
            "help": form.help.data, "help_ja": form.help_ja.data, "type": form.type.data,
            "required": form.required.data, "categories": form.categories.data or [],
            "options": parse_options(form.options.data)}
