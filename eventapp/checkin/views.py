"""Door pages: the scanner, walk-ins, live counts and the scan log.

The scanner page works as plain HTML forms (code field, name search, undo, walk-in);
static/js/scanner.js adds the camera, sounds and instant answers through API v1.
"""

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from .. import timefmt
from ..auth.access import door_required, organiser_required
from ..content import localized
from ..database import utcnow
from ..events.services import event_or_404
from ..extensions import db
from ..i18n import current_language
from ..labels import (
    not_admitted_reasons,
    scan_method_labels,
    scan_result_labels,
    status_labels,
)
from ..models import Event, ScanResult
from ..registration import queries
from ..registration import services as registration_services
from ..validation import ValidationErrors, apply_errors_to_form, form_and_domain_valid
from . import scanlog, services
from .forms import build_walk_in_form, walk_in_data

bp = Blueprint("checkin", __name__, url_prefix="/manage/events/<int:event_id>")
bp.add_app_template_filter(scanlog.device_name, "device_name")

SEARCH_LIMIT = 25
RECENT_SCANS = 6  # as many as scanner.js keeps (RECENT)


def _scanner_identity() -> services.Scanner:
    device = request.headers.get("X-Scanner-Device") or request.headers.get("User-Agent", "")
    return services.Scanner(current_user.id, current_user.display_name, device)


def scanner_messages() -> dict[str, str]:
    """Every string scanner.js shows, translated here (%(name)s placeholders kept)."""
    return {
        "ready": _("Ready to scan"),
        "ready_hint": _("Scan a QR code, or search by name below."),
        "titles": scan_result_labels(),
        "reasons": not_admitted_reasons(),
        "statuses": status_labels(),
        "already_at_by": _("Already checked in at %(time)s by %(staff)s"),
        "already_at": _("Already checked in at %(time)s"),
        "checked_in_at": _("checked in %(time)s"),
        "unknown_hint": _("This code is not a ticket for any event here. Search by name "
                          "instead."),
        "wrong_event_hint": _("This ticket belongs to another event."),
        "no_such_registration": _("This registration no longer exists."),
        "undo": _("Undo check-in"),
        "check_in": _("Check in"),
        "no_results": _("Nobody found."),
        "searching": _("Searching…"),
        "network_error": _("No connection to the server. Try again."),
        "error": _("Something went wrong. Try again."),
        "session_expired": _("Your sign-in has expired. Reload the page and sign in again."),
        "rate_limited": _("Too many scans at once. Wait a moment and scan again."),
        "camera_start": _("Start camera"),
        "camera_stop": _("Stop camera"),
        "camera_starting": _("Opening the camera…"),
        "camera_scanning": _("Point the camera at the QR code."),
        "camera_insecure": _("The camera works only over HTTPS (or on this computer). "
                             "Use a hand-held scanner, type the code or search by name."),
        "camera_denied": _("The camera could not be opened (%(error)s). Allow camera access "
                           "in the browser's settings, or type the code."),
        "camera_no_decoder": _("This browser cannot read QR codes. Type the code or search "
                               "by name."),
        "type_code": _("Type a code"),
        "sound_on": _("Sound on"),
        "print_badge": _("Print badge"),
    }


def _category_names(event: Event, language: str) -> dict[str, str]:
    return {c.code: localized(c, language) for c in event.categories}


def _render_scanner(event: Event, *, answer=None, q: str = "", results=None, walk_in_form=None,
                    status: int = 200):
    language = current_language()
    counts = scanlog.stats(event)
    if walk_in_form is None:
        walk_in_form = build_walk_in_form(event, language,
                                          may_override=current_user.is_organiser,
                                          formdata=None)
    return render_template(
        "checkin/scanner.html", event=event, answer=answer, q=q, results=results,
        counts=counts, walk_in_form=walk_in_form, is_organiser=current_user.is_organiser,
        recent=scanlog.recent_scans(event, current_user.id, RECENT_SCANS),
        utc_offset=timefmt.utc_offset_minutes(event.timezone),
        zone_name=timefmt.zone_name(utcnow(), event.timezone),
        categories=_category_names(event, language), titles=scan_result_labels(),
        reasons=not_admitted_reasons(), statuses=status_labels(),
        messages=scanner_messages(), language=language, localized=localized), status


@bp.route("/scanner", methods=["GET", "POST"])
@door_required
def scanner(event_id):
    """GET: the page (with ?q= a server-side name search). POST: a check-in from the
    plain form (code field or a search result), for browsers without scripts."""
    event = event_or_404(event_id)
    q = (request.args.get("q") or "").strip()[:200]
    answer = None
    if request.method == "POST":
        code = (request.form.get("code") or "").strip()
        registration_id = request.form.get("registration_id", "")
        identity = _scanner_identity()
        if registration_id.isdecimal() and len(registration_id) < 12:
            answer = services.admit(event.id, identity, registration_id=int(registration_id))
        elif code:
            answer = services.admit(event.id, identity, code=code)
        else:
            flash(_("Scan or type a ticket code first."), "error")
            return redirect(url_for("checkin.scanner", event_id=event.id))
        db.session.commit()
    results = None
    if q:
        results = list(db.session.execute(
            queries.search(event.id, q=q).limit(SEARCH_LIMIT)).scalars())
    return _render_scanner(event, answer=answer, q=q, results=results)


@bp.route("/scanner/undo/<int:registration_id>", methods=["POST"])
@door_required
def undo(event_id, registration_id):
    event = event_or_404(event_id)
    answer = services.undo(event.id, registration_id, _scanner_identity())
    if answer is None:
        db.session.rollback()
        flash(_("This person is not checked in; nothing to undo."), "warning")
    else:
        name = answer.registration.name
        db.session.commit()
        flash(_("Check-in of %(name)s undone.", name=name), "success")
    return redirect(url_for("checkin.scanner", event_id=event.id))


@bp.route("/walk-in", methods=["GET", "POST"])
@door_required
def walk_in(event_id):
    event = event_or_404(event_id)
    language = current_language()
    may_override = current_user.is_organiser
    form = build_walk_in_form(event, language, may_override=may_override)
    status = 200
    if form_and_domain_valid(form, lambda: registration_services.validate(
            event, walk_in_data(form), public=False)):
        override = may_override and form.override_capacity.data
        try:
            answer = services.walk_in(event, walk_in_data(form), _scanner_identity(),
                                      override_capacity=override, notify=form.notify.data)
        except ValidationErrors as errors:
            db.session.rollback()
            apply_errors_to_form(form, errors)
            status = 422
        except services.EventFull as full:
            db.session.rollback()
            if may_override:
                message = _("The event is full (%(confirmed)s of %(capacity)s seats). Tick "
                            "“Admit over capacity” to register this person anyway.",
                            confirmed=full.confirmed, capacity=full.capacity)
            else:
                message = _("The event is full (%(confirmed)s of %(capacity)s seats). Only "
                            "an organiser can admit more people: please ask one.",
                            confirmed=full.confirmed, capacity=full.capacity)
            form.form_errors.append(message)
            status = 409
        else:
            db.session.commit()
            # The same result card as a scan, with its Undo (answer.existing: the card
            # says the e-mail was registered already).
            return _render_scanner(event, answer=answer)
    elif form.is_submitted():
        status = 422
    return render_template("checkin/walk_in.html", event=event, form=form,
                           may_override=may_override), status


@bp.route("/checkin/stats.json")
@door_required
def stats(event_id):
    event = event_or_404(event_id)
    language = current_language()
    counts = scanlog.stats(event)
    response = jsonify({
        "checked_in": counts["checked_in"], "expected": counts["expected"],
        "by_category": [{"code": row["category"].code,
                         "name": localized(row["category"], language),
                         "checked_in": row["checked_in"], "expected": row["expected"]}
                        for row in counts["by_category"]],
    })
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/scans")
@organiser_required
def scan_log(event_id):
    event = event_or_404(event_id)
    result = request.args.get("result") or None
    if result not in set(ScanResult):
        result = None
    staff = request.args.get("staff", "")
    staff_id = int(staff) if staff.isdecimal() and len(staff) < 10 else None
    page_arg = request.args.get("page", "1")
    page = int(page_arg) if page_arg.isdecimal() and len(page_arg) < 7 else 1
    pagination = scanlog.scan_log_page(event.id, max(page, 1), result=result,
                                        staff_id=staff_id)
    if page > 1 and not pagination.items and pagination.total:
        abort(404)
    return render_template(
        "checkin/scan_log.html", event=event, pagination=pagination, result=result,
        staff_id=staff_id, staff_members=scanlog.scanning_staff(event.id),
        titles=scan_result_labels(), reasons=not_admitted_reasons(), methods=scan_method_labels(),
        filters={k: v for k, v in (("result", result), ("staff", staff_id)) if v})
