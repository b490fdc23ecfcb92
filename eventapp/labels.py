"""What each state is called, in the reader's language: the one place for these words.

Pages, e-mails, the scanner's script and the exports all take their labels here, so a
status reads the same wherever it is shown. Functions (not constants) because the words
depend on the request's language.
"""

from flask_babel import gettext as _

from .models import UNCONFIRMED, NetworkingSide, RequestStatus, ScanResult, Status


def status_labels() -> dict[str, str]:
    """A registration's status as staff see it: the desk, the scanner, the exports."""
    return {Status.CONFIRMED: _("Confirmed"), Status.WAITLISTED: _("Waitlisted"),
            Status.PENDING: _("Pending"), Status.CANCELLED: _("Cancelled"),
            Status.REJECTED: _("Rejected"), UNCONFIRMED: _("Awaiting e-mail confirmation")}


def attendee_status_labels() -> dict[str, str]:
    """A registration's status as its attendee reads it on the ticket and manage pages."""
    return {Status.CONFIRMED: _("Confirmed"), Status.WAITLISTED: _("On the waitlist"),
            Status.PENDING: _("Awaiting approval"), Status.CANCELLED: _("Cancelled"),
            Status.REJECTED: _("Not accepted"),
            UNCONFIRMED: _("Awaiting confirmation of your e-mail address")}


def attendee_status_phrase(status: str) -> str:
    """The status inside a sentence to the attendee: "This registration is ___."."""
    return {Status.CONFIRMED: _("confirmed"), Status.WAITLISTED: _("on the waitlist"),
            Status.PENDING: _("awaiting approval"), Status.CANCELLED: _("cancelled"),
            Status.REJECTED: _("not accepted")}.get(status, status)


def not_changed_reasons() -> dict[str, str]:
    """Why a desk action left a registration as it was, by its status."""
    return {Status.CANCELLED: _("already cancelled"), Status.REJECTED: _("already rejected"),
            Status.CONFIRMED: _("already confirmed"), Status.PENDING: _("awaiting approval"),
            Status.WAITLISTED: _("on the waitlist")}


def scan_result_labels() -> dict[str, str]:
    """What a scan came to: the scanner's result card, the scan log and its export."""
    return {ScanResult.CHECKED_IN: _("Checked in"),
            ScanResult.ALREADY_CHECKED_IN: _("Already checked in"),
            ScanResult.UNKNOWN_CODE: _("Unknown code"),
            ScanResult.NOT_ADMITTED: _("Not admitted"),
            ScanResult.WRONG_EVENT: _("Ticket for another event"),
            ScanResult.UNDONE: _("Check-in undone")}


def not_admitted_reasons() -> dict[str, str]:
    """Why the door turned a registration away, by its status."""
    return {Status.CANCELLED: _("The registration was cancelled."),
            Status.WAITLISTED: _("This person is on the waitlist, not confirmed."),
            Status.PENDING: _("The registration is still pending: awaiting approval, or "
                              "awaiting e-mail confirmation."),
            Status.REJECTED: _("The registration was rejected.")}


def scan_method_labels() -> dict[str, str]:
    """How a check-in was made."""
    return {"code": _("code"), "search": _("name search"), "walk_in": _("walk-in"),
            "undo": _("undo")}


def request_status_labels() -> dict[str, str]:
    """A meeting request's state, as both sides see it ("not interested" is never shown
    to the other side)."""
    return {RequestStatus.PENDING: _("waiting for an answer"),
            RequestStatus.ACCEPTED: _("accepted"), RequestStatus.DECLINED: _("declined")}


def networking_side_labels() -> dict[str, str]:
    """A category's side in networking."""
    return {NetworkingSide.OFFER: _("offers technologies"), NetworkingSide.NEED: _("has needs"),
            NetworkingSide.BOTH: _("offers and needs"), NetworkingSide.NONE: _("no matching")}
