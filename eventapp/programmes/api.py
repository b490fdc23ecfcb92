"""API v1: programmes."""

from flask import Blueprint, jsonify

from ..api.docs import arguments, error_responses, operation
from ..auth.access import api_roles
from ..extensions import csrf, db
from ..models import Role
from . import report, services
from .schemas import ProgrammeCreate, ProgrammeReport, ProgrammeSchema

bp = Blueprint("programmes_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def programme_body(programme) -> dict:
    return ProgrammeSchema().dump({"id": programme.id, "title": programme.title,
                                   "event_ids": [e.id for e in programme.events]})


@bp.post("/programmes")
@operation("Group events into a programme", roles=(Role.ORGANISER,),
           responses={201: ("Created", ProgrammeSchema)}
           | error_responses(400, 401, 403, 422))
@api_roles(Role.ORGANISER)
@arguments(ProgrammeCreate, also=lambda data: services.validate(
    data.get("title", ""), data.get("event_ids", [])))
def create(args):
    programme = services.save_programme(args["title"], args["event_ids"])
    body = programme_body(programme)
    db.session.commit()
    return jsonify(body), 201


@bp.get("/programmes/<int:programme_id>/report")
@operation("A programme's figures over its events, with a summary in English and Japanese",
           roles=(Role.ORGANISER,),
           responses={200: ("The report", ProgrammeReport)} | error_responses(401, 403, 404))
@api_roles(Role.ORGANISER)
def programme_report(programme_id):
    programme = services.programme_or_404(programme_id)
    return jsonify(ProgrammeReport().dump(report.api_report(programme)))
