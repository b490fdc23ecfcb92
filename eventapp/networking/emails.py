"""The "networking" e-mails: a meeting request, an accepted request, a published agenda,
what a later publication changed.

A row's kind says which, with the request's id or the publication's number where there
is one ("request:12", "accepted:12", "agenda", "changes:3"); the message is composed
when it is first sent, in the recipient's language.
"""

from .. import mail
from ..extensions import db
from ..models import MeetingRequest, Registration
from ..urls import external_url
from .pages import agenda_entries
from .versions import changes_for
from .wording import Wording


@mail.composer("networking")
def compose_networking_email(row) -> tuple[str, dict, dict[str, bytes]]:
    reg = db.session.get(Registration, row.registration_id)
    kind, _sep, ref = row.kind.partition(":")
    wording = Wording(reg.event, row.language)
    token = reg.manage_token
    context = {
        "kind": kind, "registration": reg, "event": reg.event, "other": None,
        "networking_url": external_url("networking.attendee", token=token),
        "agenda_url": external_url("networking.agenda", token=token),
        "ics_url": external_url("networking.agenda_ics", token=token),
    }
    if kind in ("request", "accepted"):
        req = db.session.get(MeetingRequest, int(ref)) if ref.isdigit() else None
        if req is not None:
            # A request mail names who asked; an acceptance names who accepted.
            other = req.requester if kind == "request" else req.recipient
            context["other"] = wording.person(other)
    elif kind == "agenda":
        context["agenda"] = agenda_entries(reg, wording)
    elif kind == "changes":
        revision = int(ref) if ref.isdigit() else 0
        context["changes"] = [wording.change(c.kind, c.meeting, reg.id)
                              for c in changes_for(reg, revision)]
    return "networking/message", context, {}
