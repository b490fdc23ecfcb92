from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from ..models import ApiToken, Role, StaffUser, max_length
from ..validation import Storable


def role_choices():
    return [(Role.ORGANISER.value, _l("Organiser")), (Role.DOOR.value, _l("Door staff"))]


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(check_deliverability=False)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class StaffForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(check_deliverability=False),
                                                 Length(max=max_length(StaffUser.email))])
    name = StringField(_l("Name"),
                       validators=[Optional(), Length(max=max_length(StaffUser.name)), Storable()])
    role = SelectField(_l("Role"), choices=role_choices)
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=200)],
                             description=_l("At least 8 characters."))


class StaffUpdateForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices)
    password = PasswordField(_l("New password"), validators=[Optional(), Length(min=8, max=200)],
                             description=_l("Leave empty to keep the current password."))


class TokenForm(FlaskForm):
    name = StringField(_l("Label"),
                       validators=[Optional(), Length(max=max_length(ApiToken.name)), Storable()],
                       description=_l("Where the token is used, e.g. “Door scanner 1”."))


class ConfirmForm(FlaskForm):
    """An empty form: a POST button protected by CSRF."""
