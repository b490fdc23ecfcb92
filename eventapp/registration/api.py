"""API v1: registration calls."""

from flask import Blueprint, jsonify
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..api.docs import Error, arguments, error_responses, operation
from ..api.schemas import page
from ..auth.access import api_roles, api_user
from ..events.services import WITH_CATEGORIES, event_or_404
from ..extensions import csrf, db
from ..models import Registration, Role
from . import importing, queries, services
from .schemas import (
    CancelRequest,
    Duplicate,
    ImportAnswer,
    ImportUpload,
    RegistrationChange,
    RegistrationCreate,
    RegistrationForDoor,
    RegistrationQuery,
    RegistrationSchema,
)

bp = Blueprint("registration_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

REGISTRATION = RegistrationSchema()
REGISTRATIONS = RegistrationSchema(many=True)
FOR_DOOR = RegistrationForDoor(many=True)
IMPORT_ANSWER = ImportAnswer()


@bp.post("/events/<int:event_id>/registrations")
@operation("Create a registration (import); not held for approval", roles=(Role.ORGANISER,),
           responses={201: ("Created", RegistrationSchema),
                      409: ("An active registration has this e-mail", Duplicate)}
           | error_responses(400, 401, 403, 404, 422))
@api_roles(Role.ORGANISER)
@arguments(RegistrationCreate, also=lambda data, event_id: services.validate(
    event_or_404(event_id, WITH_CATEGORIES), data, public=False))
def create(event_id, args):
    event = event_or_404(event_id, WITH_CATEGORIES)
    data = dict(args)
    notify = data.pop("notify")
    outcome = services.register(event, data, source="import", notify=notify,
                                hold_for_approval=False, public=False)
    if not outcome.created:
        db.session.rollback()
        return jsonify(error="duplicate", id=outcome.registration.id,
                       message="This e-mail already has an active registration."), 409
    # Shaped before the commit, which expires the loaded rows: after it, reading them
    # would cost two more queries for what is already known.
    body = REGISTRATION.dump(outcome.registration)
    db.session.commit()
    return jsonify(body), 201


@bp.get("/events/<int:event_id>/registrations")
@operation("List registrations (door staff get fewer fields)", roles=(Role.DOOR, Role.ORGANISER),
           responses={200: ("Registrations, sorted by name reading (door staff: the "
                            "RegistrationForDoor fields only)", {"type": "array", "items": {
                                "anyOf": [RegistrationSchema, RegistrationForDoor]}})}
           | error_responses(401, 403, 404, 422))
@api_roles(Role.ORGANISER, Role.DOOR)
@arguments(RegistrationQuery, location="query")
def list_registrations(event_id, args):
    event_or_404(event_id)
    organiser = api_user().role == Role.ORGANISER
    query = queries.search(event_id, q=args["q"], status=args["status"] or None,
                           by_email=organiser)
    if organiser:  # their answers in one more statement, not one per person
        query = query.options(selectinload(Registration.answer_rows))
    regs = db.session.execute(page(query, args))
    shape = REGISTRATIONS if organiser else FOR_DOOR
    return jsonify(shape.dump(regs.scalars()))


@bp.get("/events/<int:event_id>/registrations/<int:registration_id>")
@operation("One registration", roles=(Role.ORGANISER,),
           responses={200: ("The registration", RegistrationSchema)}
           | error_responses(401, 403, 404))
@api_roles(Role.ORGANISER)
def get(event_id, registration_id):
    return jsonify(REGISTRATION.dump(queries.event_registration_or_404(event_id, registration_id)))


@bp.post("/events/<int:event_id>/registrations/<int:registration_id>/cancel")
@operation("Cancel; the first waitlisted person is promoted", roles=(Role.ORGANISER,),
           responses={200: ("The cancelled registration", RegistrationSchema)}
           | error_responses(400, 401, 403, 404, 409, 422))
@api_roles(Role.ORGANISER)
@arguments(CancelRequest, location="json_or_empty")
def cancel(event_id, registration_id, args):
    reg = queries.event_registration_or_404(event_id, registration_id)
    try:
        services.transition(reg, "cancel", notify=args["notify"])
    except services.TransitionError as e:
        db.session.rollback()
        return jsonify(error="conflict", message=str(e)), 409
    db.session.commit()
    return jsonify(REGISTRATION.dump(reg))


@bp.patch("/events/<int:event_id>/registrations/<int:registration_id>")
@operation("Correct any field, e-mail and category included; a new e-mail gets the ticket",
           roles=(Role.ORGANISER,),
           responses={200: ("The registration", RegistrationSchema),
                      409: ("Another active registration has this e-mail", Duplicate)}
           | error_responses(400, 401, 403, 404, 422))
@api_roles(Role.ORGANISER)
@arguments(RegistrationChange)
def change(event_id, registration_id, args):
    reg = queries.event_registration_or_404(event_id, registration_id)
    changes = dict(args)
    notify = changes.pop("notify", True)
    try:
        services.correct(reg, changes, notify=notify)
    except services.DuplicateEmail as e:
        db.session.rollback()
        return jsonify(error="duplicate", id=e.registration_id,
                       message="Another active registration has this e-mail."), 409
    body = REGISTRATION.dump(reg)
    db.session.commit()
    return jsonify(body)


@bp.post("/events/<int:event_id>/imports")
@operation("Import a list of registrations (CSV or XLSX), as the import page does; with "
           "errors and no dry_run nothing is imported unless valid_only=1",
           roles=(Role.ORGANISER,),
           responses={200: ("Rows read, imported, and the rows with errors", ImportAnswer),
                      413: ("The file is larger than the upload limit", Error)}
           | error_responses(400, 401, 403, 404, 409, 422))
@api_roles(Role.ORGANISER)
@arguments(ImportUpload, location="multipart")
def import_file(event_id, args):
    event = event_or_404(event_id)
    upload = args["file"]
    try:
        parsed = importing.parse_file(upload.filename or "", upload.read(), event)
    except importing.ImportFileError as e:
        return jsonify(error="invalid", message=str(e), fields={"file": str(e)}), 422
    if args["dry_run"]:
        checked = importing.check_rows(event, parsed.rows)
        errors = [{"row": r.number, "fields": r.fields()} for r in checked if not r.valid]
        return IMPORT_ANSWER.dump({"rows": len(checked), "imported": 0, "errors": errors})
    try:
        result = importing.run_import(event, parsed.rows, notify=args["notify"],
                                      valid_only=args["valid_only"])
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return jsonify(error="conflict", message="The import could not be saved, so "
                       "nothing was imported. Please try again."), 409
    errors = [{"row": s["row"], "fields": s["fields"]} for s in result.skipped]
    return IMPORT_ANSWER.dump({"rows": result.rows, "imported": result.imported,
                               "errors": errors})
