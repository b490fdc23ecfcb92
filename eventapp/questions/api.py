"""API v1: an event's registration questions."""

from flask import Blueprint, jsonify

from ..api.docs import arguments, error_responses, operation
from ..auth.access import api_roles
from ..events.services import event_or_404
from ..extensions import csrf, db
from ..models import Role
from ..validation import ValidationErrors
from . import services
from .answers import event_questions
from .schemas import API_FIELDS, QuestionCreate, QuestionSchema, editor_data

bp = Blueprint("questions_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

QUESTION = QuestionSchema()
QUESTIONS = QuestionSchema(many=True)


def _check(data: dict, event_id: int) -> None:
    try:
        services.check(event_or_404(event_id), editor_data(data))
    except ValidationErrors as errors:
        raise ValidationErrors({API_FIELDS.get(k, k): v
                                for k, v in errors.fields.items()}) from None


@bp.post("/events/<int:event_id>/questions")
@operation("Add a registration question", roles=(Role.ORGANISER,),
           responses={201: ("Created", QuestionSchema)} | error_responses(400, 401, 403, 404, 422))
@api_roles(Role.ORGANISER)
@arguments(QuestionCreate, also=_check)
def create(event_id, args):
    event = event_or_404(event_id)
    try:
        question = services.add_question(event, editor_data(args))
    except ValidationErrors as errors:
        db.session.rollback()
        raise ValidationErrors({API_FIELDS.get(k, k): v
                                for k, v in errors.fields.items()}) from None
    body = QUESTION.dump(question)
    db.session.commit()
    return jsonify(body), 201


@bp.get("/events/<int:event_id>/questions")
@operation("The event's registration questions, in the order of the form",
           roles=(Role.DOOR, Role.ORGANISER),
           responses={200: ("Questions", QuestionSchema(many=True))}
           | error_responses(401, 403, 404))
@api_roles(Role.ORGANISER, Role.DOOR)
def list_questions(event_id):
    event = event_or_404(event_id)
    return jsonify(QUESTIONS.dump(event_questions(event.id)))
