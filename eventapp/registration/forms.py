"""Sign-up and edit forms. Which fields appear depends on the category."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from ..content import localized
from ..events.forms import MultiCheckboxField
from ..i18n import country_choices
from ..models import Category, Event, NetworkingSide, Registration, max_length
from ..questions import fields as questions


def language_choices():
    return [("en", "English"), ("ja", "日本語")]


class RegistrationForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=max_length(Registration.name))])
    name_kana = StringField(_l("Reading of your name (kana)"),
                            validators=[Optional(), Length(max=max_length(Registration.name_kana))],
                            description=_l("Optional, e.g. やまだ たろう. Used for sorting and "
                                           "search."))
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=max_length(Registration.email)),
                                                 Email(check_deliverability=False)])
    organisation = StringField(_l("Organisation"), validators=[Optional(),
                                                                  Length(max=max_length(Registration.organisation))])
    country = SelectField(_l("Country"), validate_choice=False)
    job_title = StringField(_l("Job title"),
                            validators=[Optional(), Length(max=max_length(Registration.job_title))])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=max_length(Registration.phone))])
    language = SelectField(_l("Language for e-mails"), choices=language_choices)
    category = SelectField(_l("Category"), validate_choice=False)
    technologies_offered = MultiCheckboxField(_l("Technologies you offer"),
                                              validate_choice=False)
    target_countries = SelectMultipleField(
        _l("Countries where you work or want to work"), validate_choice=False,
        description=_l("Hold Ctrl (⌘ on a Mac) to choose several."))
    technology_needs = MultiCheckboxField(_l("Technology needs of your country"),
                                          validate_choice=False)
    networking_opt_in = BooleanField(
        _l("Share my networking profile (name, organisation, country, technologies) with "
           "other participants so we can be matched for meetings"))
    consent_privacy = BooleanField(
        _l("I agree that the organisers process my data to run this event"),
        validators=[InputRequired(message=_l("Please agree to the privacy notice to "
                                             "register."))])


def build_form(event: Event, category: Category, language: str, *, editing=False,
               organiser=False, **kwargs):
    """A RegistrationForm with the fields of this category only, labelled for its side.
    An organiser editing a registration also changes its e-mail and category."""
    form = questions.with_questions(RegistrationForm, event, category, language)(**kwargs)
    if isinstance(kwargs.get("obj"), Registration):
        questions.fill(form, kwargs["obj"])
    fields = set(category.fields)
    optional = ("job_title", "phone", "technologies_offered", "target_countries",
                "technology_needs")
    for name in optional:
        if name not in fields:
            delattr(form, name)
    if category.networking_side == NetworkingSide.NONE:
        delattr(form, "networking_opt_in")
    if editing:
        delattr(form, "consent_privacy")
    if editing and not organiser:
        delattr(form, "email")
    if organiser:
        # Left blank, they stay as they are (the desk's form always fills them in).
        form.email.validators = [Optional(), Length(max=max_length(Registration.email)),
                                 Email(check_deliverability=False)]
        form.category.choices = [(c.code, localized(c, language)) for c in event.categories]
    else:
        delattr(form, "category")
    countries = country_choices(language)
    form.country.choices = [("", "—"), *countries]
    if category.networking_side == NetworkingSide.NEED:
        form.country.label.text = _l("Country you represent")
        form.organisation.label.text = _l("Embassy or mission")
        if "job_title" in fields:
            form.job_title.label.text = _l("Position")
    if "target_countries" in fields:
        form.target_countries.choices = list(countries)
    technology_fields = fields & {"technologies_offered", "technology_needs"}
    if technology_fields:  # the event's areas are read only for a form that offers them
        areas = [(t.code, localized(t, language)) for t in event.technology_areas]
        for name in technology_fields:
            getattr(form, name).choices = areas
    return form


def form_data(form) -> dict:
    """The values a service needs, from whichever fields the form has."""
    return questions.fold_answers(form, {
        name: field.data for name, field in form._fields.items()
        if name not in ("csrf_token", "consent_privacy")})
