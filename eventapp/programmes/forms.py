"""The organiser's form for a programme: a title and the events it groups."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..events.forms import MultiCheckboxField
from ..models import Programme, max_length


class ProgrammeForm(FlaskForm):
    title = StringField(_l("Title"), validators=[
        DataRequired(), Length(max=max_length(Programme.title))],
        description=_l("e.g. Demonstration-project seminars 2027"))
    events = MultiCheckboxField(_l("Events"), coerce=int, validate_choice=False)
