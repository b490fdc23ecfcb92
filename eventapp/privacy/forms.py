from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired


class AnonymiseForm(FlaskForm):
    understood = BooleanField(
        _l("I understand that this removes every attendee's personal data for good."),
        validators=[DataRequired(_l("Tick the box to confirm: anonymising cannot be "
                                    "undone."))])
