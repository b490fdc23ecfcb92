"""API v1: reports calls."""

from flask import Blueprint, jsonify

from ..api.docs import error_responses, operation
from ..auth.access import api_roles
from ..extensions import csrf
from ..models import Role
from . import services
from .schemas import Report
from .views import event_or_404

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

REPORT = Report()


@bp.route("/events/<int:event_id>/report")
@operation("Attendance figures of an event", roles=(Role.ORGANISER,),
           responses={200: ("The report", Report)} | error_responses(401, 403, 404))
@api_roles(Role.ORGANISER)
def event_report(event_id):
    return jsonify(REPORT.dump(services.api_report(event_or_404(event_id))))
