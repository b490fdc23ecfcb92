from flask import Blueprint, Response, abort

from ..registration.services import by_token
from .calendar import agenda_calendar
from .services import published_meetings_for

bp = Blueprint("networking", __name__)


def _describe(reg):
    def describe(meeting):
        other = meeting.b if meeting.a_id == reg.id else meeting.a
        counterpart = f"{other.name} ({other.organisation})" if other.organisation else other.name
        return counterpart, ""

    return describe


@bp.route("/r/<token>/agenda.ics")
def agenda_ics(token):
    reg = by_token(token)
    if reg is None:
        abort(404)
    body = agenda_calendar(reg, published_meetings_for(reg), _describe(reg))
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="agenda.ics"'})
