"""The walk-in form: register someone at the door and check them in in one step."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..content import localized
from ..i18n import country_choices
from ..models import Event, Registration, max_length
from ..registration.forms import language_choices


class WalkInForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=max_length(Registration.name))])
    name_kana = StringField(_l("Reading of the name (kana)"),
                            validators=[Optional(), Length(max=max_length(Registration.name_kana))])
    organisation = StringField(_l("Organisation"), validators=[Optional(),
                                                                  Length(max=max_length(Registration.organisation))])
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=max_length(Registration.email)),
                                                 Email(check_deliverability=False)])
    category = SelectField(_l("Category"), validate_choice=True)
    country = SelectField(_l("Country"), validate_choice=False)
    language = SelectField(_l("Language for e-mails"), choices=language_choices)
    notify = BooleanField(_l("E-mail the ticket to this address"), default=True)
    override_capacity = BooleanField(
        _l("Admit over capacity"),
        description=_l("Only when the event is full and you decide to let this person in."))


def build_walk_in_form(event: Event, language: str, *, may_override: bool, **kwargs):
    form = WalkInForm(prefix="walkin", **kwargs)
    if not form.is_submitted():
        form.language.data = language
    form.category.choices = [(c.code, localized(c, language)) for c in event.categories]
    form.country.choices = [("", "—"), *country_choices(language)]
    if not may_override:
        delattr(form, "override_capacity")
    return form


def walk_in_data(form: WalkInForm) -> dict:
    return {"name": form.name.data, "name_kana": form.name_kana.data,
            "organisation": form.organisation.data, "email": form.email.data,
            "category": form.category.data, "country": form.country.data or None,
            "language": form.language.data}
