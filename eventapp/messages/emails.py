"""A message as one person's e-mail: the organiser's text in the registration's
language with its placeholders filled, inside the e-mail layout, with an opt-out link
and List-Unsubscribe (every message kind here is one a person may opt out of; tickets
and changes to a registration are the registration e-mails, which never carry it).
The preview and the test send render the very same e-mail."""

from email import message_from_string, policy

from .. import mail
from ..content import translated
from ..extensions import db
from ..models import Message, MessageKind, OutboundEmail, Registration, Status
from ..registration.tickets import qr_png
from ..urls import external_url
from .texts import fill, to_html

TEMPLATE = "messages/message"


def placeholder_values(reg: Registration) -> dict[str, str]:
    token = reg.manage_token
    return {"name": reg.name,
            "ticket_url": external_url("registration.ticket", token=token),
            "agenda_url": external_url("networking.agenda", token=token)}


def message_email(message: Message, reg: Registration) -> tuple[str, dict, dict[str, bytes]]:
    """(template, context, inline images) of the message for `reg`."""
    language = reg.language
    values = placeholder_values(reg)
    body = fill(translated(message, "body", language), values)
    opt_out_url = external_url("messages.opt_out", token=reg.manage_token)
    one_click = external_url("messages.one_click_opt_out", token=reg.manage_token)
    context = {
        "subject": fill(translated(message, "subject", language), values),
        "body": body, "body_html": to_html(body), "event": reg.event,
        "registration": reg, "kind": message.kind, "opt_out_url": opt_out_url,
        "programme_url": external_url("events.public_event", slug=reg.event.slug),
        "mail_headers": {"List-Unsubscribe": f"<{one_click}>",
                         "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    } | values
    images = {}
    if message.kind == MessageKind.REMINDER and reg.status == Status.CONFIRMED:
        images["qr"] = qr_png(reg.checkin_code, 6)  # the ticket's QR, in the reminder
    return TEMPLATE, context, images


def _prefetch(rows: list[OutboundEmail]) -> list:
    """A batch's registrations (with their events) and messages, in two queries."""
    regs = list(db.session.execute(
        db.select(Registration).where(Registration.id.in_({r.registration_id for r in rows}))
        .options(db.joinedload(Registration.event))).scalars())
    messages = list(db.session.execute(
        db.select(Message).where(Message.id.in_({r.message_id for r in rows}))).scalars())
    return regs + messages


@mail.composer("message", prefetch=_prefetch)
def compose_message_email(row: OutboundEmail) -> tuple[str, dict, dict[str, bytes]]:
    message = db.session.get(Message, row.message_id)
    reg = db.session.get(Registration, row.registration_id)
    if reg is None or reg.erased_at is not None:
        raise LookupError("The attendee deleted their data after the message was written")
    return message_email(message, reg)


def render(message: Message, reg: Registration, recipient: str) -> tuple[str, str]:
    """(subject, MIME text) of the message for `reg`, addressed to `recipient`."""
    template, context, images = message_email(message, reg)
    return mail.render_message(recipient, template, reg.language, context, images)


def preview(message: Message, reg: Registration) -> dict:
    """What `reg` would receive: subject, plain text and HTML, read back from the
    composed e-mail itself."""
    subject, mime = render(message, reg, reg.email)
    parsed = message_from_string(mime, policy=policy.default)
    return {"subject": subject, "to": reg.email,
            "text": parsed.get_body(preferencelist=("plain",)).get_content(),
            "html": parsed.get_body(preferencelist=("html",)).get_content()}


def queue_test(message: Message, reg: Registration, recipient: str) -> None:
    """A copy of `reg`'s e-mail to the organiser, composed now (the message itself may
    not be saved yet) and sent by the outbox like any other."""
    subject, mime = render(message, reg, recipient)
    db.session.add(OutboundEmail(
        kind="test", composer="message", recipient=recipient, subject=subject[:300],
        mime=mime, language=reg.language, event_id=message.event_id))
    db.session.info[mail.OUTBOX_CHANGED] = True
