"""Networking pages of the session as it happens: the live board (organisers and door
staff), table cards, what a phone that scans a table card sees, and the attendee's
actions on their agenda (at the table, partner absent, how it went)."""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import door_required, organiser_required
from ..events.services import event_or_404
from ..extensions import db
from ..i18n import current_language
from ..models import Event, Meeting, Registration
from ..registration.services import by_token
from ..urls import MAX_ID
from . import board, live, services
from .views import _attendee_or_404, error_messages
from .wording import Wording

bp = Blueprint("networking_live", __name__)


def _number(name: str, source=None) -> int | None:
    value = (source or request.form).get(name, "")
    return int(value) if value.isdecimal() and int(value) <= MAX_ID else None


def _messages() -> dict[str, str]:
    return error_messages() | {
        "not_published": _("This meeting is not on the published schedule."),
        "not_in_meeting": _("That person is not in this meeting."),
        "arrived": _("That person has arrived at the table."),
        "both_absent": _("The other person is already marked absent."),
        "not_absent": _("Nobody is marked absent in this meeting."),
        "not_free": _("That person is no longer free for this meeting."),
        "rating": _("The rating is from 1 to 4."),
    }


def _act(action, done: str) -> bool:
    """Runs one live action and commits, or explains why it cannot be done."""
    try:
        action()
    except services.NetworkingError as e:
        db.session.rollback()
        flash(_messages().get(e.code, e.message), "error")
        return False
    db.session.commit()
    flash(done, "success")
    return True


# -- the live board -------------------------------------------------------------------------

def _event_with_session(event_id: int) -> Event:
    event = event_or_404(event_id)
    if not event.has_networking:
        abort(404)
    return event


def _slot(event: Event) -> int:
    slot = _number("slot", request.args)
    if slot is None or slot >= event.networking_slots:
        return board.current_slot(event)
    return slot


@bp.route("/manage/events/<int:event_id>/networking/live")
@door_required
def live_board(event_id):
    event = _event_with_session(event_id)
    page = board.board(event, _slot(event), Wording(event, current_language()))
    return render_template("networking/live.html", event=event, board=page,
                           late_minutes=int(board.late_after().total_seconds() // 60))


@bp.route("/manage/events/<int:event_id>/networking/live/board")
@door_required
def board_fragment(event_id):
    """The board's tables alone, which the page polls."""
    event = _event_with_session(event_id)
    page = board.board(event, _slot(event), Wording(event, current_language()))
    return render_template("networking/_board.html", event=event, board=page)


def _back_to_board(event: Event):
    slot = _number("slot")
    return redirect(url_for("networking_live.live_board", event_id=event.id,
                            **({"slot": slot} if slot is not None else {})) + "#board")


@bp.post("/manage/events/<int:event_id>/networking/live/meetings/<int:meeting_id>/"
         "<any(arrived, absent):what>")
@door_required
def mark(event_id, meeting_id, what):
    event = _event_with_session(event_id)
    rid = _number("registration_id")
    if rid is None:
        abort(400)
    if what == "arrived":
        _act(lambda: live.arrive(event.id, meeting_id, rid), _("Marked at the table."))
    else:
        _act(lambda: live.mark_absent(event.id, meeting_id, rid),
             _("Marked absent. Confirm the proposed replacement, if any."))
    return _back_to_board(event)


@bp.post("/manage/events/<int:event_id>/networking/live/meetings/<int:meeting_id>/replace")
@door_required
def replace(event_id, meeting_id):
    event = _event_with_session(event_id)
    candidate = _number("candidate_id")
    if candidate is None:
        abort(400)
    _act(lambda: live.replace(event.id, meeting_id, candidate),
         _("Replacement booked: both people see it on their agenda."))
    return _back_to_board(event)


@bp.post("/manage/events/<int:event_id>/networking/live/meetings/<int:meeting_id>/keep")
@door_required
def keep(event_id, meeting_id):
    event = _event_with_session(event_id)
    _act(lambda: live.keep(event.id, meeting_id), _("Kept."))
    return _back_to_board(event)


@bp.post("/manage/events/<int:event_id>/networking/live/meetings/<int:meeting_id>/outcome")
@organiser_required
def outcome_on_behalf(event_id, meeting_id):
    """An organiser enters what one of the two says of the meeting (by phone, on paper)."""
    event = _event_with_session(event_id)
    rid = _number("registration_id")
    if rid is None:
        flash(_("Choose whose outcome this is."), "error")
        return _back_to_board(event)
    _record(event, meeting_id, rid, entered_by_id=current_user.id)
    return _back_to_board(event)


def _flag(name: str) -> bool | None:
    return {"yes": True, "no": False}.get(request.form.get(name, ""))


def _record(event: Event, meeting_id: int, rid: int, entered_by_id: int | None) -> bool:
    held = _flag("held")
    rating = _number("rating")
    note = request.form.get("note", "").strip()[:2000]
    if held is None:
        flash(_("Say whether the meeting took place."), "error")
        return False
    return _act(lambda: live.record_outcome(
        event.id, meeting_id, rid, held=held, rating=rating, follow_up=_flag("follow_up"),
        note=note, applicable=_flag("applicable"), entered_by_id=entered_by_id),
        _("Thank you: saved."))


# -- what scanning a table card does (the cards: badges.table_cards) ---------------------------

@bp.route("/events/<int:event_id>/tables/<int:table_number>")
def table(event_id, table_number):
    """What a phone sees when it scans table card 7: when it opened an agenda of this
    event before (a cookie), that person's meeting at the table and one button to say
    they are there (a GET changes nothing: link previews and prefetches open it too);
    otherwise it is asked to open the agenda link from their e-mail."""
    event = db.get_or_404(Event, event_id)
    if not event.has_networking or not 1 <= table_number <= event.networking_tables:
        abort(404)
    token = request.cookies.get(board.agenda_cookie(event.id), "")
    reg = by_token(token) if token else None
    if reg is not None and reg.event_id != event.id:
        reg = None
    meeting = board.meeting_at_table(reg, table_number) if reg is not None else None
    partner, arrived = None, False
    if meeting is not None:
        wording = Wording(event, current_language())
        partner = wording.person(meeting.b if meeting.a_id == reg.id else meeting.a)
        arrived = reg.id in live.arrived_ids(meeting)
    return render_template("networking/table.html", event=event, table=table_number,
                           reg=reg, meeting=meeting, partner=partner, arrived=arrived)


# -- the attendee on their agenda -----------------------------------------------------------

def _to_agenda(reg: Registration, meeting_id: int):
    return redirect(url_for("networking.agenda", token=reg.manage_token)
                    + f"#meeting-{meeting_id}")


@bp.post("/r/<token>/meetings/<int:meeting_id>/<any(arrived, absent):what>")
def attendee_mark(token, meeting_id, what):
    reg = _attendee_or_404(token)
    if what == "arrived":
        _act(lambda: live.arrive(reg.event_id, meeting_id, reg.id),
             _("You are marked at the table."))
    else:
        meeting = db.session.get(Meeting, meeting_id)
        if meeting is None or reg.id not in (meeting.a_id, meeting.b_id):
            abort(404)
        if reg.id not in live.arrived_ids(meeting):
            flash(_("First say that you are at the table."), "error")
        else:
            partner = live.partner_id(meeting, reg.id)
            _act(lambda: live.mark_absent(reg.event_id, meeting_id, partner),
                 _("Noted: the organisers will find you another partner."))
    return _to_agenda(reg, meeting_id)


@bp.post("/r/<token>/meetings/<int:meeting_id>/outcome")
def attendee_outcome(token, meeting_id):
    reg = _attendee_or_404(token)
    _record(reg.event, meeting_id, reg.id, entered_by_id=None)
    return _to_agenda(reg, meeting_id)
