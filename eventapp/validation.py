"""Domain validation errors shared by pages (shown at the field) and the API (422), and
the one home of three rules every input path calls: text a database can store and a
person can read (`text_problem`, `Storable` for forms), a date this app can handle
(`moment_problem`) and the largest whole number a column takes (`MAX_INTEGER`).

Messages are translated when raised (services run inside the request, whose language
is known), so a Japanese form shows Japanese messages at its fields.
"""

import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from wtforms.validators import ValidationError as FieldError

# A message id: translated where it is shown (unstorable_message, the API's fields).
UNSTORABLE = "Contains a character that cannot be saved (NUL or a broken character)."

# The years a time may fall in, in UTC and in the event's time zone. Python's datetime
# stops at years 1 and 9999, so a time near either end cannot be converted between time
# zones (OverflowError); no event is that far away.
FIRST_YEAR, LAST_YEAR = 1900, 2200
# The times a stored value is read within (see database.UTCDateTime): a row written
# before these checks, with a time at the end of the calendar, still shows and computes
# (slots, time zones) instead of failing every page it is on.
EARLIEST = datetime(FIRST_YEAR, 1, 2, tzinfo=UTC)
LATEST = datetime(LAST_YEAR, 12, 30, tzinfo=UTC)
# The largest value of an INTEGER column (PostgreSQL refuses more; SQLite would store it).
MAX_INTEGER = 2**31 - 1

# Characters that show nothing: format characters (U+200B, U+FEFF, U+202E...), controls,
# unassigned code points, spaces and combining marks standing alone.
_INVISIBLE = frozenset({"Cf", "Cc", "Cn", "Co", "Zs", "Zl", "Zp", "Mn", "Me"})
# Characters that break a line or are controls: never in a one-line value (a name
# with CR/LF would become a header line of an e-mail or a row of a file).
_LINE_BREAKING = frozenset({"Cc", "Zl", "Zp"})


def unstorable(text: str) -> bool:
    """Text no database here can store: NUL (PostgreSQL text cannot hold it) or a lone
    surrogate (it has no UTF-8 encoding). JSON can carry both."""
    return "\x00" in text or any("\ud800" <= ch <= "\udfff" for ch in text)


def unstorable_message() -> str:
    return _(UNSTORABLE)


def unreadable(text: str) -> str | None:
    """Why a one-line value (a name, a title, a label) is no text a person can read: it
    breaks the line, or it is made only of characters that show nothing. None if fine."""
    categories = [unicodedata.category(ch) for ch in text]
    if any(c in _LINE_BREAKING for c in categories):
        return _("Write it on one line, without line breaks or control characters.")
    if text and all(c in _INVISIBLE for c in categories):
        return _("Use visible characters: this is made only of invisible ones.")
    return None


def text_problem(value: str, limit: int | None = None, *, one_line: bool = True) -> str | None:
    """What is wrong with a text for a column of `limit` characters, if anything: the
    one place for "text a database can store and a person can read". One-line text
    (names, titles, labels) must also be readable (see `unreadable`)."""
    if limit is not None and len(value) > limit:
        return _("At most %(num)d characters.", num=limit)
    if unstorable(value):
        return unstorable_message()
    if one_line:
        return unreadable(value)
    return None


class Storable:
    """A WTForms validator: `text_problem` at the field (its length is Length's)."""

    def __init__(self, *, one_line: bool = True):
        self.one_line = one_line

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str) and (
                message := text_problem(field.data.strip(), one_line=self.one_line)):
            raise FieldError(message)


def moment_problem(value: datetime | None, timezone: str | None = None) -> str | None:
    """What is wrong with a time for this app, if anything: the one place for "a date
    this app can handle". An aware time must fall within FIRST_YEAR..LAST_YEAR in UTC
    and in `timezone` (the event's) when given; a naive one, as it is written."""
    if value is None:
        return None
    try:
        readings = [value]
        if value.tzinfo is not None:
            readings.append(value.astimezone(UTC))
            if timezone:
                readings.append(value.astimezone(ZoneInfo(timezone)))
    except (OverflowError, ValueError, LookupError):
        readings = None
    if readings is None or not all(FIRST_YEAR <= r.year <= LAST_YEAR for r in readings):
        return _("Give a date between the years %(first)d and %(last)d.",
                 first=FIRST_YEAR, last=LAST_YEAR)
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


def form_and_domain_valid(form, check) -> bool:
    """A submitted form's own checks and the domain's rules (`check()`, raising
    ValidationErrors) together, so that one answer marks every bad field rather than the
    domain's problems appearing only once the form's are fixed. A field the form already
    faults keeps its own message. False when anything is wrong (or nothing submitted)."""
    if not form.is_submitted():
        return False
    valid = form.validate()
    try:
        check()
    except ValidationErrors as errors:
        apply_errors_to_form(form, ValidationErrors(
            {name: message for name, message in errors.fields.items()
             if not getattr(getattr(form, name, None), "errors", None)}))
        return False
    return valid
