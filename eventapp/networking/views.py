"""Networking pages: the attendee's contacts and agenda (/r/<token>/...), the organiser's
schedule (/manage/events/<id>/networking) and the calendar file."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from ..auth.access import organiser_required
from ..content import localized
from ..events.services import event_or_404
from ..extensions import db
from ..i18n import current_language
from ..models import Event, Registration
from ..registration.services import by_token
from ..registration.views import link_not_valid
from ..urls import MAX_ID
from . import board, pages, requests, services, versions
from .calendar import agenda_calendar
from .emails import compose_networking_email  # noqa: F401  (registered as a composer)
from .wording import Wording

bp = Blueprint("networking", __name__)


def error_messages() -> dict[str, str]:
    return {
        "no_networking": _("This event has no networking session."),
        "not_available": _("This person is not taking part in networking."),
        "declined": _("This person has declined your request."),
        "not_found": _("That request or meeting no longer exists."),
        "answered": _("This request has already been answered."),
        "published": _("A published meeting changes only through a new version: generate "
                       "a draft, then publish it."),
    }


def _flash_error(error: services.NetworkingError) -> None:
    db.session.rollback()
    flash(error_messages().get(error.code, error.message), "error")


def _id_field(name: str) -> int:
    value = request.form.get(name, "")
    if not value.isdecimal() or int(value) > MAX_ID:  # isdigit() takes "³"
        abort(400)
    return int(value)


# -- attendee -----------------------------------------------------------------------------

def _attendee_or_404(token: str) -> Registration:
    reg = by_token(token)
    if reg is None:
        link_not_valid()
    if not reg.event.has_networking:
        abort(404)
    return reg


def _back(reg: Registration, anchor: str = ""):
    return redirect(url_for("networking.attendee", token=reg.manage_token) + anchor)


@bp.route("/r/<token>/networking")
def attendee(token):
    reg = _attendee_or_404(token)
    language = current_language()
    return render_template("networking/attendee.html",
                           page=pages.attendee_page(reg, language), reg=reg, event=reg.event,
                           language=language, localized=localized)


@bp.route("/r/<token>/agenda")
def agenda(token):
    reg = _attendee_or_404(token)
    wording = Wording(reg.event, current_language())
    entries = pages.agenda_entries(reg, wording)
    return board.remember_agenda(make_response(render_template(
        "networking/agenda.html", reg=reg, event=reg.event, agenda=entries,
        live=board.live_entries(reg, [e.meeting for e in entries]), localized=localized)),
        reg)


def _attendee_action(reg: Registration, action, message, anchor: str):
    """Runs one of the attendee's networking actions and commits; an action the current
    state does not allow is explained instead. `message` words the outcome."""
    try:
        outcome = action()
    except services.NetworkingError as e:
        _flash_error(e)
        return _back(reg)
    db.session.commit()
    flash(message(outcome), "success")
    return _back(reg, anchor)


@bp.post("/r/<token>/networking/request")
def request_meeting(token):
    reg = _attendee_or_404(token)
    other_id = _id_field("registration_id")
    return _attendee_action(
        reg, lambda: requests.request_meeting(reg, other_id),
        lambda outcome: {
            "requested": _("Your request is sent. We will e-mail you when it is accepted."),
            "accepted": _("You both want to meet: the meeting will be in the schedule."),
            "already": _("You have already asked for this meeting.")}[outcome],
        "#requests")


@bp.post("/r/<token>/networking/requests/<int:request_id>/<any(accept, decline):answer>")
def respond(token, request_id, answer):
    reg = _attendee_or_404(token)
    accept = answer == "accept"
    return _attendee_action(
        reg, lambda: requests.respond(reg, request_id, accept=accept),
        lambda _outcome: _("Accepted: the meeting will be in the schedule.") if accept
        else _("Declined. You will not be scheduled to meet."), "#requests")


@bp.post("/r/<token>/networking/not-interested")
def not_interested(token):
    reg = _attendee_or_404(token)
    other_id = _id_field("registration_id")
    return _attendee_action(
        reg, lambda: requests.not_interested(reg, other_id),
        lambda _outcome: _("Noted. You will not be matched with this person."), "#contacts")


@bp.post("/r/<token>/networking/requests/<int:request_id>/withdraw")
def withdraw(token, request_id):
    reg = _attendee_or_404(token)
    return _attendee_action(reg, lambda: requests.withdraw(reg, request_id),
                            lambda _outcome: _("Done."), "#requests")


@bp.post("/r/<token>/networking/availability")
def availability(token):
    reg = _attendee_or_404(token)
    if not reg.is_active:
        abort(403)
    chosen = [int(v) for v in request.form.getlist("unavailable") if v.isdecimal() and len(v) < 4]
    services.set_unavailable_slots(reg, chosen)
    db.session.commit()
    flash(_("Saved: the schedule will keep you free in the times you marked."), "success")
    return _back(reg, "#availability")


def _describe(reg: Registration, wording: Wording):
    def describe(meeting):
        other = meeting.b if meeting.a_id == reg.id else meeting.a
        return wording.person(other), wording.reasons(meeting.reasons)

    return describe


@bp.route("/r/<token>/agenda.ics")
def agenda_ics(token):
    reg = by_token(token)
    if reg is None:
        abort(404)
    wording = Wording(reg.event, reg.language)
    with force_locale(reg.language):
        body = agenda_calendar(reg, services.told_meetings_for(reg),
                               _describe(reg, wording))
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="agenda.ics"'})


# -- organiser ----------------------------------------------------------------------------

def _to_organiser(event: Event, only_checked_in: bool = False, anchor: str = ""):
    args = {"only_checked_in": 1} if only_checked_in else {}
    return redirect(url_for("networking.organiser", event_id=event.id, **args) + anchor)


def _kept_filter() -> bool:
    """Buttons on the organiser page carry its "checked-in only" view along."""
    return request.form.get("only_checked_in") == "1"


@bp.route("/manage/events/<int:event_id>/networking")
@organiser_required
def organiser(event_id):
    event = event_or_404(event_id)
    only_checked_in = request.args.get("only_checked_in") == "1"
    return render_template(
        "networking/organiser.html", event=event,
        page=pages.organiser_page(event, current_language(), only_checked_in),
        reasons=pages.without_meeting_reasons())


@bp.route("/manage/events/<int:event_id>/networking/plan")
@organiser_required
def table_plan(event_id):
    event = event_or_404(event_id)
    if not event.has_networking:
        abort(404)
    wording = Wording(event, current_language())
    meetings = services.event_meetings(event.id, with_people=True)
    plan, _off_plan = pages.table_plan(event, meetings, wording)
    return render_template("networking/plan.html", event=event, plan=plan if meetings else [],
                           slots=services.slot_starts(event),
                           session=pages.session_span(event, current_language()))


@bp.post("/manage/events/<int:event_id>/networking/generate")
@organiser_required
def generate(event_id):
    event = event_or_404(event_id)
    only_checked_in = bool(request.form.get("only_checked_in"))
    try:
        result = services.generate_schedule(event.id, only_checked_in)
    except services.NetworkingError as e:
        _flash_error(e)
        return _to_organiser(event)
    db.session.commit()
    flash(ngettext("A draft schedule with %(num)d meeting is ready. Check it, then publish.",
                   "A draft schedule with %(num)d meetings is ready. Check it, then publish.",
                   len(result.meetings)), "success")
    return _to_organiser(event, only_checked_in)


@bp.route("/manage/events/<int:event_id>/networking/publish")
@organiser_required
def publish_preview(event_id):
    event = event_or_404(event_id)
    if not event.has_networking:
        abort(404)
    wording = Wording(event, current_language())
    return render_template("networking/publish.html", event=event,
                           preview=pages.publish_preview(event, wording))


@bp.post("/manage/events/<int:event_id>/networking/publish")
@organiser_required
def publish(event_id):
    event = event_or_404(event_id)
    try:
        result = versions.publish(event.id)
    except services.NetworkingError as e:
        _flash_error(e)
        return _to_organiser(event)
    db.session.commit()
    flash(ngettext("Published. %(num)d person was e-mailed.",
                   "Published. %(num)d people were e-mailed.",
                   result.notified), "success")
    return _to_organiser(event)


@bp.post("/manage/events/<int:event_id>/networking/meetings/<int:meeting_id>/"
         "<any(lock, unlock):action>")
@organiser_required
def lock(event_id, meeting_id, action):
    event = event_or_404(event_id)
    try:
        services.set_locked(event.id, meeting_id, action == "lock")
    except services.NetworkingError as e:
        _flash_error(e)
        return _to_organiser(event)
    db.session.commit()
    flash(_("Locked: regenerating keeps this meeting.") if action == "lock"
          else _("Unlocked: regenerating may replace this meeting."), "success")
    return _to_organiser(event, _kept_filter(), anchor="#plan")


@bp.post("/manage/events/<int:event_id>/networking/meetings/<int:meeting_id>/delete")
@organiser_required
def delete(event_id, meeting_id):
    event = event_or_404(event_id)
    try:
        services.delete_meeting(event.id, meeting_id)
    except services.NetworkingError as e:
        _flash_error(e)
        return _to_organiser(event)
    db.session.commit()
    flash(_("Meeting deleted."), "success")
    return _to_organiser(event, _kept_filter(), anchor="#plan")
