"""The organiser's import of a list of registrations: upload, check every row, import.

Nothing is imported until the organiser has seen the check; the parsed file waits in
the instance folder under a token bound to the organiser and the event.
"""

from tempfile import SpooledTemporaryFile

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from ..auth.access import organiser_required, session_or_token
from ..events.services import confirmed_count, event_or_404
from ..extensions import db
from ..i18n import sentences
from ..models import Event, Role
from ..reports import exports
from ..validation import ValidationErrors
from . import import_store, import_template, importing
from .desk_forms import ImportConfirmForm, ImportUploadForm
from .reading import encoding_name

bp = Blueprint("imports", __name__)
PAGES = "/manage/events/<int:event_id>/registrations"


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(_error):
    limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    flash(_("The file is larger than %(mb)d MB. Split the list into smaller files.",
            mb=limit_mb), "error")
    event_id = (request.view_args or {}).get("event_id")
    return redirect(url_for("imports.upload", event_id=event_id))


@bp.route(f"{PAGES}/import", methods=["GET", "POST"])
@organiser_required
def upload(event_id):
    event = event_or_404(event_id)
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        filename = upload.filename or ""
        try:
            parsed = importing.parse_file(filename, upload.read(), event)
        except importing.ImportFileError as e:
            form.file.errors.append(str(e))
        else:
            token = import_store.save_pending(current_app.instance_path, event.id,
                                           current_user.id, filename, parsed)
            return redirect(url_for("imports.report", event_id=event.id, token=token))
    return render_template("desk/import.html", event=event, form=form,
                           columns=importing.COLUMNS), 422 if form.errors else 200


def _flash_changed() -> None:
    flash(_("Some rows have problems now (the list of registrations changed since the "
            "check). Review them below."), "error")


def _pending_or_restart(event: Event, token: str):
    payload = import_store.load_pending(current_app.instance_path, token, event.id,
                                     current_user.id)
    if payload is None:
        flash(_("This upload has expired or belongs to someone else. Please upload the "
                "file again."), "error")
    return payload


@bp.route(f"{PAGES}/import/<token>", methods=["GET", "POST"])
@organiser_required
def report(event_id, token):
    event = event_or_404(event_id)
    payload = _pending_or_restart(event, token)
    if payload is None:
        return redirect(url_for("imports.upload", event_id=event.id))
    if "result" in payload:
        return redirect(url_for("imports.done", event_id=event.id, token=token))
    rows = importing.check_rows(event, import_store.pending_rows(payload))
    valid = [r for r in rows if r.valid]
    problems = [r for r in rows if not r.valid]
    form = ImportConfirmForm()
    if form.validate_on_submit():
        if form.mode.data == "all" and problems:
            _flash_changed()
        elif not valid:
            flash(_("There is no valid row to import."), "error")
        else:
            try:
                result = importing.run_import(event, import_store.pending_rows(payload),
                                              notify=form.notify.data,
                                              valid_only=form.mode.data == "valid")
                if result.skipped and form.mode.data == "all":
                    db.session.rollback()  # (nothing was registered)
                    _flash_changed()
                    return redirect(request.path)
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                flash(_("The import could not be saved, so nothing was imported. "
                        "Please try again."), "error")
            except ValidationErrors as errors:  # e.g. the event was anonymised meanwhile
                db.session.rollback()
                flash(sentences(*errors.fields.values()), "error")
            else:
                import_store.store_result(current_app.instance_path, token, payload, result)
                current_app.logger.info("Imported %d rows into event %d in %.2f s",
                                        result.confirmed + result.waitlisted, event.id,
                                        result.seconds)
                return redirect(url_for("imports.done", event_id=event.id, token=token))
    return render_template("desk/import_report.html", event=event, form=form, token=token,
                           filename=payload.get("filename", ""), valid=valid,
                           encoding=encoding_name(payload.get("encoding")),
                           problems=problems, ignored=payload.get("ignored_columns", []),
                           seats_left=max(event.capacity - confirmed_count(event.id), 0))


@bp.get(f"{PAGES}/import/<token>/done")
@organiser_required
def done(event_id, token):
    event = event_or_404(event_id)
    payload = _pending_or_restart(event, token)
    if payload is None or "result" not in payload:
        return redirect(url_for("imports.upload", event_id=event.id))
    return render_template("desk/import_done.html", event=event, result=payload["result"],
                           filename=payload.get("filename", ""))


# -- the template to fill in ------------------------------------------------------------

@bp.route("/events/<int:event_id>/imports/template.csv")
@session_or_token(Role.ORGANISER)
def template_csv(event_id):
    event = event_or_404(event_id)
    return Response(import_template.template_csv(event), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{event.slug}-import-template.csv"',
        "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"})


@bp.route("/events/<int:event_id>/imports/template.xlsx")
@session_or_token(Role.ORGANISER)
def template_xlsx(event_id):
    event = event_or_404(event_id)
    target = SpooledTemporaryFile(max_size=1024 * 1024)
    exports.write_xlsx([import_template.template_sheet(event)], target)
    target.seek(0)
    response = send_file(target, mimetype=exports.XLSX_MIMETYPE, as_attachment=True,
                         download_name=f"{event.slug}-import-template.xlsx")
    response.headers["Cache-Control"] = "private, no-store"
    return response
