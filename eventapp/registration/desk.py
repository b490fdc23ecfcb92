"""The organiser's registration desk (list, review, actions, e-mail problems, import).

Every view goes load objects -> check access -> act; every change is one commit,
after which queued e-mails are sent. Redirects go back to the list with its filters
(a local `next` path only).
"""

from collections import defaultdict

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from .. import mail
from ..auth.access import organiser_required
from ..auth.forms import ConfirmForm
from ..events.services import confirmed_count, localized
from ..extensions import db
from ..i18n import country_name, current_language
from ..models import EmailStatus, Event, OutboundEmail, Registration, Status
from ..validation import ValidationErrors, apply_errors_to_form
from ..web import safe_next_url
from . import importing, queries, services
from .desk_forms import (
    ACTIONS,
    PER_PAGE,
    BulkForm,
    DeskFilters,
    ImportConfirmForm,
    ImportUploadForm,
    NotesForm,
    status_labels,
)
from .forms import build_form, form_data

bp = Blueprint("desk", __name__, url_prefix="/manage/events/<int:event_id>/registrations")

MAX_BULK = 1000


# -- loading ------------------------------------------------------------------------------

def _event(event_id: int) -> Event:
    return db.get_or_404(Event, event_id)


def _registration(event: Event, registration_id: int) -> Registration:
    reg = db.get_or_404(Registration, registration_id)
    if reg.event_id != event.id:
        abort(404)
    return reg


def _event_email(event: Event, email_id: int) -> OutboundEmail:
    email = db.get_or_404(OutboundEmail, email_id)
    if email.event_id != event.id:
        abort(404)
    return email


def _back(event: Event) -> str:
    return safe_next_url(request.values.get("next"), url_for("desk.index", event_id=event.id))


# -- what the pages show ------------------------------------------------------------------

def status_counts(event_id: int) -> dict[str, int]:
    rows = db.session.execute(
        db.select(Registration.status, db.func.count(), db.func.count(Registration.checked_in_at))
        .where(Registration.event_id == event_id).group_by(Registration.status)).all()
    counts = {status.value: 0 for status in Status} | {s: n for s, n, _c in rows}
    counts["checked_in"] = sum(c for _s, _n, c in rows)
    return counts


def waitlist_ids(event_id: int) -> list[int]:
    """In the order promote_from_waitlist takes them."""
    return list(db.session.execute(
        db.select(Registration.id)
        .where(Registration.event_id == event_id, Registration.status == Status.WAITLISTED)
        .order_by(Registration.waitlisted_at, Registration.id)).scalars())


def event_countries(event_id: int) -> list[str]:
    return list(db.session.execute(
        db.select(Registration.country).distinct()
        .where(Registration.event_id == event_id, Registration.country.is_not(None))
    ).scalars())


def failed_emails_query(event_id: int):
    return (db.select(OutboundEmail)
            .where(OutboundEmail.event_id == event_id,
                   OutboundEmail.status == EmailStatus.FAILED)
            .order_by(OutboundEmail.created_at, OutboundEmail.id))


def failed_email_count(event_id: int) -> int:
    return db.session.execute(
        db.select(db.func.count()).select_from(failed_emails_query(event_id).subquery())
    ).scalar_one()


def _skip_reason(status: str) -> str:
    return {Status.CANCELLED: _("already cancelled"), Status.REJECTED: _("already rejected"),
            Status.CONFIRMED: _("already confirmed"), Status.PENDING: _("awaiting approval"),
            Status.WAITLISTED: _("on the waitlist")}.get(status, status)


def _promoted(before: list[int], exclude: int | None = None) -> list[Registration]:
    """Who of the earlier waitlist is confirmed now (promoted by a freed seat)."""
    if not before:
        return []
    db.session.flush()
    return list(db.session.execute(
        db.select(Registration).where(Registration.id.in_(before),
                                      Registration.id != (exclude or 0),
                                      Registration.status == Status.CONFIRMED)).scalars())


# -- the list -----------------------------------------------------------------------------

@bp.get("")
@organiser_required
def index(event_id):
    event = _event(event_id)
    filters = DeskFilters.from_args(request.args, event)
    query = queries.search(event.id, q=filters.q, status=filters.status or None,
                           category=filters.category or None, country=filters.country or None,
                           checked_in=filters.checked_in_flag)
    if filters.status == Status.WAITLISTED:
        query = query.order_by(None).order_by(Registration.waitlisted_at, Registration.id)
    page = db.paginate(query, page=filters.page, per_page=PER_PAGE, error_out=False)
    positions = {}
    if any(r.status == Status.WAITLISTED for r in page.items):
        positions = {rid: n for n, rid in enumerate(waitlist_ids(event.id), start=1)}
    language = current_language()
    return render_template(
        "desk/index.html", event=event, filters=filters, page=page, positions=positions,
        counts=status_counts(event.id), failed=failed_email_count(event.id),
        categories={c.id: localized(c, language) for c in event.categories},
        countries=sorted(event_countries(event.id), key=lambda c: country_name(c, language)),
        labels=status_labels(), language=language,
        localized=localized, bulk_form=BulkForm(formdata=None))


# -- one registration ---------------------------------------------------------------------

@bp.route("/<int:registration_id>", methods=["GET", "POST"])
@organiser_required
def registration(event_id, registration_id):
    event = _event(event_id)
    reg = _registration(event, registration_id)
    language = current_language()
    obj = None if request.method == "POST" else reg
    form = build_form(event, reg.category, language, editing=True, obj=obj)
    notes_form = NotesForm(obj=obj)
    # Both forms are checked so every mistake shows at once.
    notes_ok = notes_form.validate() if form.is_submitted() else False
    if form.validate_on_submit() and notes_ok:
        try:
            services.update_details(reg, form_data(form))
        except ValidationErrors as errors:
            db.session.rollback()
            apply_errors_to_form(form, errors)
        else:
            reg.notes = (notes_form.notes.data or "").strip()
            db.session.commit()
            flash(_("Changes to %(name)s are saved.", name=reg.name), "success")
            return redirect(url_for("desk.registration", event_id=event.id,
                                    registration_id=reg.id, next=request.args.get("next")))
    emails = db.session.execute(
        db.select(OutboundEmail).where(OutboundEmail.registration_id == reg.id)
        .order_by(OutboundEmail.created_at.desc(), OutboundEmail.id.desc())).scalars().all()
    position = None
    if reg.status == Status.WAITLISTED:
        position = waitlist_ids(event.id).index(reg.id) + 1
    back = safe_next_url(request.args.get("next"), url_for("desk.index", event_id=event.id))
    has_errors = bool(form.errors or notes_form.errors)
    return render_template(
        "desk/registration.html", event=event, reg=reg, form=form, notes_form=notes_form,
        emails=emails, position=position, back=back, labels=status_labels(),
        language=language, localized=localized), 422 if has_errors else 200


def _transition_message(reg: Registration, action: str, promoted: list[Registration]) -> str:
    if action == "approve" and reg.status == Status.WAITLISTED:
        return _("The event is full: %(name)s is on the waitlist.", name=reg.name)
    message = {
        "approve": _("%(name)s is confirmed.", name=reg.name),
        "promote": _("%(name)s moved from the waitlist to confirmed.", name=reg.name),
        "reject": _("%(name)s is rejected.", name=reg.name),
        "cancel": _("%(name)s is cancelled.", name=reg.name),
    }[action]
    if promoted:
        message += " " + ngettext(
            "%(num)d person moved from the waitlist to confirmed: %(names)s.",
            "%(num)d people moved from the waitlist to confirmed: %(names)s.",
            len(promoted), names=", ".join(p.name for p in promoted))
    return message


@bp.post("/<int:registration_id>/<action>")
@organiser_required
def act(event_id, registration_id, action):
    event = _event(event_id)
    reg = _registration(event, registration_id)
    if action not in ACTIONS:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    back = _back(event)
    if action in ("resend", "reissue") and not reg.is_active:
        flash(_("%(name)s is %(status)s: there is no ticket to send.", name=reg.name,
                status=status_labels()[reg.status]), "error")
        return redirect(back)
    if action == "resend":
        services.resend_ticket(reg)
        message = _("The e-mail to %(email)s is on its way.", email=reg.email)
    elif action == "reissue":
        services.reissue_ticket(reg)
        message = _("New ticket for %(name)s: the old QR code no longer admits anyone. "
                    "The new ticket is on its way by e-mail.", name=reg.name)
    else:
        before = waitlist_ids(event.id) if action == "cancel" else []
        try:
            services.transition(reg, action)
        except services.TransitionError:
            db.session.rollback()
            if action == "promote" and reg.status == Status.WAITLISTED:
                flash(_("The event is full: raise the capacity or wait for a cancellation."),
                      "error")
            else:
                flash(_("Not changed: %(name)s is %(reason)s.", name=reg.name,
                        reason=_skip_reason(reg.status)), "error")
            return redirect(back)
        message = _transition_message(reg, action, _promoted(before, exclude=reg.id))
    db.session.commit()
    flash(message, "success")
    return redirect(back)


# -- bulk actions -------------------------------------------------------------------------

def _selected_ids() -> list[int]:
    ids = []
    for value in request.form.getlist("ids")[:MAX_BULK]:
        if value.isdecimal() and len(value) < 10:  # isdigit() takes "³", int() not
            ids.append(int(value))
    return list(dict.fromkeys(ids))


def _bulk_apply(event: Event, regs: list[Registration], action: str, missing: int) -> str:
    done, waitlisted = [], []
    skipped: dict[str, list[str]] = defaultdict(list)
    before = waitlist_ids(event.id) if action == "cancel" else []
    for reg in regs:
        if action == "resend":
            if not reg.is_active:
                skipped[_skip_reason(reg.status)].append(reg.name)
                continue
            services.resend_ticket(reg)
            done.append(reg)
            continue
        try:
            services.transition(reg, action)
        except services.TransitionError:
            skipped[_skip_reason(reg.status)].append(reg.name)
            continue
        (waitlisted if action == "approve" and reg.status == Status.WAITLISTED
         else done).append(reg)
    if missing:
        skipped[_("not found in this event")].extend(["—"] * missing)
    parts = [{
        "approve": ngettext("%(num)d approved", "%(num)d approved", len(done)),
        "reject": ngettext("%(num)d rejected", "%(num)d rejected", len(done)),
        "cancel": ngettext("%(num)d cancelled", "%(num)d cancelled", len(done)),
        "resend": ngettext("%(num)d ticket e-mail sent", "%(num)d ticket e-mails sent",
                           len(done)),
    }[action]]
    if waitlisted:
        parts.append(ngettext("%(num)d put on the waitlist: the event is full",
                              "%(num)d put on the waitlist: the event is full",
                              len(waitlisted)))
    promoted = _promoted(before)
    if promoted:
        parts.append(ngettext("%(num)d moved from the waitlist to confirmed",
                              "%(num)d moved from the waitlist to confirmed", len(promoted)))
    for reason, names in skipped.items():
        shown = ", ".join(n for n in names[:10] if n != "—")
        more = "…" if len(names) > 10 else ""
        parts.append(ngettext("%(num)d skipped: %(reason)s", "%(num)d skipped: %(reason)s",
                              len(names), reason=reason)
                     + (f" ({shown}{more})" if shown else ""))
    return "; ".join(parts) + "."


@bp.post("/bulk")
@organiser_required
def bulk(event_id):
    event = _event(event_id)
    form = BulkForm()
    back = _back(event)
    if not form.validate_on_submit():
        flash(_("Choose what to do with the selected registrations."), "error")
        return redirect(back)
    ids = _selected_ids()
    if not ids:
        flash(_("Tick at least one registration first."), "error")
        return redirect(back)
    regs = list(db.session.execute(
        db.select(Registration).where(Registration.event_id == event.id,
                                      Registration.id.in_(ids))
        .order_by(queries.sort_key(), Registration.id)).scalars())
    message = _bulk_apply(event, regs, form.action.data, missing=len(ids) - len(regs))
    db.session.commit()
    flash(message, "success")
    return redirect(back)


# -- e-mail problems ----------------------------------------------------------------------

@bp.get("/emails/failed")
@organiser_required
def failed_emails(event_id):
    event = _event(event_id)
    emails = db.session.execute(failed_emails_query(event.id)).scalars().all()
    names = {}
    reg_ids = {e.registration_id for e in emails if e.registration_id}
    if reg_ids:
        names = dict(db.session.execute(
            db.select(Registration.id, Registration.name)
            .where(Registration.id.in_(reg_ids))).all())
    return render_template("desk/failed_emails.html", event=event, emails=emails, names=names)


@bp.post("/emails/<int:email_id>/retry")
@organiser_required
def retry_email(event_id, email_id):
    event = _event(event_id)
    email = _event_email(event, email_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    back = _back(event)
    if email.status == EmailStatus.SENT:
        flash(_("This e-mail was already sent."), "info")
        return redirect(back)
    mail.retry_now(email)
    db.session.commit()
    db.session.refresh(email)
    if email.status == EmailStatus.SENT:
        flash(_("The e-mail to %(email)s was sent.", email=email.recipient), "success")
    elif email.status == EmailStatus.FAILED:
        flash(_("The e-mail to %(email)s failed again: %(error)s", email=email.recipient,
                error=email.last_error), "error")
    else:
        flash(_("The e-mail to %(email)s is queued and goes out in a moment.",
                email=email.recipient), "success")
    return redirect(back)


@bp.post("/emails/failed/retry")
@organiser_required
def retry_all_emails(event_id):
    event = _event(event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    emails = db.session.execute(failed_emails_query(event.id)).scalars().all()
    for email in emails:
        mail.retry_now(email)
    db.session.commit()
    still_failing = failed_email_count(event.id)
    message = ngettext("%(num)d e-mail sent again.", "%(num)d e-mails sent again.", len(emails))
    if still_failing:
        flash(message + " " + ngettext("%(num)d still fails; check the mail server settings.",
                                       "%(num)d still fail; check the mail server settings.",
                                       still_failing), "error")
    else:
        flash(message, "success")
    return redirect(url_for("desk.failed_emails", event_id=event.id))


# -- import -------------------------------------------------------------------------------

@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(_error):
    limit_mb = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    flash(_("The file is larger than %(mb)d MB. Split the list into smaller files.",
            mb=limit_mb), "error")
    event_id = (request.view_args or {}).get("event_id")
    return redirect(url_for("desk.import_upload", event_id=event_id))


@bp.route("/import", methods=["GET", "POST"])
@organiser_required
def import_upload(event_id):
    event = _event(event_id)
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        filename = upload.filename or ""
        try:
            parsed = importing.parse_file(filename, upload.read())
        except importing.ImportFileError as e:
            form.file.errors.append(str(e))
        else:
            token = importing.save_pending(current_app.instance_path, event.id,
                                           current_user.id, filename, parsed)
            return redirect(url_for("desk.import_report", event_id=event.id, token=token))
    return render_template("desk/import.html", event=event, form=form,
                           columns=importing.COLUMNS), 422 if form.errors else 200


def _pending_or_restart(event: Event, token: str):
    payload = importing.load_pending(current_app.instance_path, token, event.id,
                                     current_user.id)
    if payload is None:
        flash(_("This upload has expired or belongs to someone else. Please upload the "
                "file again."), "error")
    return payload


@bp.route("/import/<token>", methods=["GET", "POST"])
@organiser_required
def import_report(event_id, token):
    event = _event(event_id)
    payload = _pending_or_restart(event, token)
    if payload is None:
        return redirect(url_for("desk.import_upload", event_id=event.id))
    if "result" in payload:
        return redirect(url_for("desk.import_done", event_id=event.id, token=token))
    rows = importing.check_rows(event, importing.pending_rows(payload))
    valid = [r for r in rows if r.valid]
    problems = [r for r in rows if not r.valid]
    form = ImportConfirmForm()
    if form.validate_on_submit():
        if form.mode.data == "all" and problems:
            flash(_("Some rows have problems now (the list of registrations changed since "
                    "the check). Review them below."), "error")
        elif not valid:
            flash(_("There is no valid row to import."), "error")
        else:
            try:
                result = importing.run_import(event, importing.pending_rows(payload),
                                              notify=form.notify.data)
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                flash(_("The import could not be saved, so nothing was imported. "
                        "Please try again."), "error")
            except ValidationErrors as errors:  # e.g. the event was anonymised meanwhile
                db.session.rollback()
                flash(" ".join(errors.fields.values()), "error")
            else:
                importing.store_result(current_app.instance_path, token, payload, result)
                current_app.logger.info("Imported %d rows into event %d in %.2f s",
                                        result.confirmed + result.waitlisted, event.id,
                                        result.seconds)
                return redirect(url_for("desk.import_done", event_id=event.id, token=token))
    return render_template("desk/import_report.html", event=event, form=form, token=token,
                           filename=payload.get("filename", ""), valid=valid,
                           problems=problems, ignored=payload.get("ignored_columns", []),
                           seats_left=max(event.capacity - confirmed_count(event.id), 0))


@bp.get("/import/<token>/done")
@organiser_required
def import_done(event_id, token):
    event = _event(event_id)
    payload = _pending_or_restart(event, token)
    if payload is None or "result" not in payload:
        return redirect(url_for("desk.import_upload", event_id=event.id))
    return render_template("desk/import_done.html", event=event, result=payload["result"],
                           filename=payload.get("filename", ""))
