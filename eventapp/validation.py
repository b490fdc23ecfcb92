"""Domain validation errors shared by pages (shown at the field) and the API (422).

Messages are translated when raised (services run inside the request, whose language
is known), so a Japanese form shows Japanese messages at its fields.
"""

from flask_babel import gettext as _

# A message id: translated where it is shown (unstorable_message, the API's fields).
UNSTORABLE = "Contains a character that cannot be saved (NUL or a broken character)."


def unstorable(text: str) -> bool:
    """Text no database here can store: NUL (PostgreSQL text cannot hold it) or a lone
    surrogate (it has no UTF-8 encoding). JSON can carry both."""
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


def unstorable_message() -> str:
    return _(UNSTORABLE)


def text_problem(value: str, limit: int) -> str | None:
    """What is wrong with a text for a column of `limit` characters, if anything."""
    if len(value) > limit:
        return _("At most %(num)d characters.", num=limit)
    if unstorable(value):
        return unstorable_message()
    return None


class ValidationErrors(Exception):
    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def apply_errors_to_form(form, errors: ValidationErrors) -> None:
    """Shows each message at its field; messages for fields the form lacks go to the top."""
    for name, message in errors.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.append(message)
        else:
            form.form_errors.append(message)
