"""API v1 shapes of a registration question."""

from marshmallow import fields, missing, validate

from ..api.fields import Answer, Flag, Input, Text, TextList
from ..models import Question, QuestionOption, QuestionType, max_length
from .answers import answers_of

TYPES = list(QuestionType.ALL)
API_TYPES = ["text", "choice", "multiple", "boolean", "long_text"]


class LabelInput(Input):
    en = Text(limit=max_length(Question.label), load_default="")
    ja = Text(limit=max_length(Question.label_ja), load_default="")


class OptionInput(Input):
    code = Text(required=True, limit=max_length(QuestionOption.code),
                metadata={"pattern": "^[a-z][a-z0-9_]*$"})
    label = fields.Nested(LabelInput, required=True)


class QuestionCreate(Input):
    code = Text(required=True, limit=max_length(Question.code),
                metadata={"pattern": "^[a-z][a-z0-9_]*$",
                          "description": "Lower-case letters, digits and _; unique in "
                                         "the event"})
    label = fields.Nested(LabelInput, required=True,
                          metadata={"description": "The question in English and Japanese "
                                                   "(one of them at least)"})
    type = Text(required=True, limit=16, metadata={
        "enum": API_TYPES, "description": "long_text: a paragraph (an extension)"})
    options = fields.List(fields.Nested(OptionInput), load_default=list,
                          validate=validate.Length(max=50),
                          metadata={"description": "For choice and multiple"})
    required = Flag(load_default=False)
    categories = TextList(metadata={"description": "Category codes it is asked of; empty: "
                                                   "every category"})


class LabelAnswer(Answer):
    en = fields.String()
    ja = fields.String()


class _Label(fields.Nested):
    def __init__(self, **kwargs):
        super().__init__(LabelAnswer, **kwargs)

    def get_value(self, obj, attr, accessor=None, default=None):
        return {"en": obj.label, "ja": obj.label_ja}


class OptionSchema(Answer):
    code = fields.String()
    label = _Label()
    retired = fields.Boolean(metadata={"description": "No longer offered; its answers "
                                                      "are kept"})


class QuestionSchema(Answer):
    id = fields.Integer()
    code = fields.String()
    label = _Label()
    type = fields.String(validate=validate.OneOf(TYPES))
    options = fields.List(fields.Nested(OptionSchema))
    required = fields.Boolean()
    categories = fields.Function(lambda q: [c.code for c in q.categories],
                                 metadata={"type": "array", "items": {"type": "string"}})
    position = fields.Integer()
    retired = fields.Boolean(metadata={"description": "No longer asked; its answers are kept"})


def editor_data(args: dict) -> dict:
    """The API's body as the editor's values (services.add_question)."""
    label = args.get("label") or {}
    return {"code": args.get("code"), "label": label.get("en"), "label_ja": label.get("ja"),
            "type": args.get("type"), "required": args.get("required"),
            "categories": args.get("categories") or [],
            "options": [{"code": o.get("code"), "label": (o.get("label") or {}).get("en"),
                         "label_ja": (o.get("label") or {}).get("ja")}
                        for o in args.get("options") or [] if isinstance(o, dict)]}


API_FIELDS = {"label": "label.en", "label_ja": "label.ja"}


ANSWERS_DESCRIPTION = ("From question code to its answer: text, an option code, a list of "
                       "option codes, or true/false (GET /api/v1/events/{id}/questions)")


class AnswersInput(fields.Dict):
    """A registration's `answers`; each is checked against the event's questions by the
    service (422 with `answers.<code>`). Null is the same as leaving it out."""

    def __init__(self, **kwargs):
        super().__init__(keys=fields.String(), values=fields.Raw(allow_none=True),
                         validate=validate.Length(max=200),
                         metadata={"description": ANSWERS_DESCRIPTION}, **kwargs)

    def deserialize(self, value, attr=None, data=None, **kwargs):
        return super().deserialize(missing if value is None else value, attr, data, **kwargs)


class AnswersOutput(fields.Dict):
    def __init__(self, **kwargs):
        super().__init__(keys=fields.String(), values=fields.Raw(),
                         metadata={"description": ANSWERS_DESCRIPTION}, **kwargs)

    def get_value(self, obj, attr, accessor=None, default=None):
        return answers_of(obj)
