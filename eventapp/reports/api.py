"""API v1: reports calls."""

from flask import Blueprint, jsonify

from ..auth.access import api_roles
from ..extensions import csrf
from ..models import Role
from . import services
from .views import event_or_404

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.route("/events/<int:event_id>/report")
@api_roles(Role.ORGANISER)
def event_report(event_id):
    return jsonify(services.api_report(event_or_404(event_id)))
