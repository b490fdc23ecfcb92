"""Forms and request parsing for the organiser's registration desk."""

from dataclasses import dataclass
from urllib.parse import urlencode

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, TextAreaField
from wtforms.validators import AnyOf, Length, Optional

from ..i18n import is_country
from ..models import Event, Status
from ..questions.queries import parse_filter
from ..validation import Storable

PER_PAGE = 100
BULK_ACTIONS = ("approve", "reject", "cancel", "resend")
ACTIONS = ("approve", "promote", "reject", "cancel", "resend", "reissue")


def bulk_action_choices():
    return [("approve", _l("Approve")), ("reject", _l("Reject")), ("cancel", _l("Cancel")),
            ("resend", _l("Resend ticket e-mail"))]


@dataclass
class DeskFilters:
    """The list's GET parameters. Values that don't fit are dropped, not trusted."""

    q: str = ""
    status: str = ""
    category: str = ""
    country: str = ""
    checked_in: str = ""  # "", "yes" or "no"
    page: int = 1
    answer: str = ""  # "<question code>:<value>" (questions/queries.py)

    @classmethod
    def from_args(cls, args, event: Event) -> "DeskFilters":
        status = args.get("status", "")
        category = args.get("category", "")
        country = args.get("country", "").strip().upper()
        checked_in = args.get("checked_in", "")
        answer = args.get("answer", "")[:200]
        try:
            page = max(1, min(int(args.get("page", 1)), 100_000))
        except ValueError:
            page = 1
        return cls(
            q=args.get("q", "").strip()[:200],
            status=status if status in set(Status) else "",
            category=category if any(c.code == category for c in event.categories) else "",
            country=country if is_country(country) else "",
            checked_in=checked_in if checked_in in ("yes", "no") else "",
            page=page, answer=answer if parse_filter(event, answer) else "")

    @property
    def checked_in_flag(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.checked_in)

    @property
    def active(self) -> bool:
        return any((self.q, self.status, self.category, self.country, self.checked_in,
                    self.answer))

    def query_string(self, **changes) -> str:
        values = {"q": self.q, "status": self.status, "category": self.category,
                  "country": self.country, "checked_in": self.checked_in,
                  "answer": self.answer, "page": self.page if self.page > 1 else ""} | changes
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})


class NotesForm(FlaskForm):
    """Organiser-only fields, submitted together with the registration form."""

    class Meta:
        csrf = False  # the registration form on the same page carries the token

    notes = TextAreaField(_l("Notes (organisers only)"),
                          validators=[Optional(), Length(max=5000), Storable(one_line=False)],
                          description=_l("Never shown to the attendee."))


class BulkForm(FlaskForm):
    action = SelectField(_l("With the selected"), choices=bulk_action_choices,
                         validators=[AnyOf(BULK_ACTIONS)])
    next = HiddenField()


class ImportUploadForm(FlaskForm):
    file = FileField(_l("Invitation list (CSV or XLSX)"),
                     validators=[FileRequired(message=_l("Choose a file to upload."))],
                     render_kw={"accept": ".csv,.txt,.tsv,.xlsx,text/csv,application/vnd."
                                          "openxmlformats-officedocument.spreadsheetml.sheet"},
                     description=_l("One header row with columns such as name, name_kana, "
                                    "email, category, organisation, country. At most 10 MB."))


class ImportConfirmForm(FlaskForm):
    mode = HiddenField(validators=[AnyOf(("all", "valid"))])
    notify = BooleanField(_l("Send e-mails (ticket or waitlist notice) to the people "
                             "imported"), default=True)
