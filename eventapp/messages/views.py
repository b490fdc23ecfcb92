"""The organiser's message pages (compose with preview and test send, history with
each message's failures, automatic messages) and the attendee's opt-out page.

Every view goes load -> check access -> act, one commit; e-mails go out after it."""

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
from flask_babel import ngettext
from flask_login import current_user

from ..auth.access import organiser_required
from ..auth.forms import ConfirmForm
from ..database import utcnow
from ..events.services import event_or_404
from ..extensions import csrf, db
from ..models import AUTOMATIC_KINDS, MessageStatus, Question, Registration
from ..registration.views import registration_or_404
from ..validation import ValidationErrors, apply_errors_to_form
from . import audience as groups
from . import emails, services
from .forms import FIELD_NAMES, AutomaticForm, ComposeForm

bp = Blueprint("messages", __name__)
PREFIX = "/manage/events/<int:event_id>/messages"


def _questions(event_id: int) -> list[Question]:
    return list(db.session.execute(
        db.select(Question).where(Question.event_id == event_id, Question.retired.is_(False))
        .order_by(Question.position, Question.id)).scalars())


def _show_errors(form, errors: ValidationErrors) -> None:
    apply_errors_to_form(form, ValidationErrors(
        {FIELD_NAMES.get(name, name): message for name, message in errors.fields.items()}))


@bp.route(f"{PREFIX}/new", methods=["GET", "POST"])
@organiser_required
def compose(event_id):
    event = event_or_404(event_id)
    action = request.form.get("do") if request.method == "POST" else None
    if action is None:
        # A new message, or one to the people ticked on the desk ("Write to selected").
        picked = request.values.getlist("ids")
        form = ComposeForm(formdata=None, registration_ids=",".join(
            i for i in picked if i.isdigit()))
    else:
        form = ComposeForm()
    form.fill_choices(event, _questions(event.id))
    data, people, shown = None, [], None
    if action is not None and form.validate():
        try:
            data = services.check_message(event, form.data_for_service())
        except ValidationErrors as errors:
            _show_errors(form, errors)
    audience = data["to"] if data else _safe_audience(event, form)
    total = groups.count(event.id, audience) if audience is not None else 0
    if audience is not None:
        people = groups.people(event.id, audience)
        form.person.choices = [(p.id, f"{p.name} <{p.email}>") for p in people]
    if data and action == "send":
        message = services.create_message(event, data, current_user.id)
        db.session.commit()
        flash(_("Your message is scheduled.") if message.status == MessageStatus.SCHEDULED
              else ngettext("Your message is on its way to %(num)d person.",
                            "Your message is on its way to %(num)d people.",
                            message.recipients), "success")
        return redirect(url_for("messages.detail", event_id=event.id, message_id=message.id))
    if data and people:
        person = next((p for p in people if p.id == form.person.data), people[0])
        form.person.data = person.id
        draft = services.new_message(event, data, current_user.id)
        shown = emails.preview(draft, person)
        if action == "test":
            emails.queue_test(draft, person, current_user.email)
            db.session.commit()
            flash(_("A test copy of %(name)s's message is on its way to %(email)s.",
                    name=person.name, email=current_user.email), "success")
    elif data and action in ("preview", "test"):
        flash(_("Nobody matches these choices."), "error")
    return render_template("messages/compose.html", event=event, form=form, total=total,
                           preview=shown, picked=len(form.picked))


def _safe_audience(event, form: ComposeForm) -> dict | None:
    try:
        return groups.check(event, form.audience())
    except ValidationErrors:
        return None


@bp.get(PREFIX)
@organiser_required
def history(event_id):
    event = event_or_404(event_id)
    messages = services.history(event)
    counts = services.email_counts([m.id for m in messages])
    rows = [(m, services.progress(m, counts[m.id])) for m in messages]
    return render_template("messages/history.html", event=event, rows=rows)


@bp.get(f"{PREFIX}/<int:message_id>")
@organiser_required
def detail(event_id, message_id):
    event = event_or_404(event_id)
    message = services.message_or_404(event, message_id)
    state = services.progress(message, services.email_counts([message.id])[message.id])
    failed = services.failures(message)
    names = {r.id: r.name for r in db.session.execute(db.select(Registration).where(
        Registration.id.in_({e.registration_id for e in failed}))).scalars()}
    return render_template("messages/detail.html", event=event, message=message,
                           state=state, failed=failed, names=names,
                           audience=groups.describe(event, message.audience))


@bp.post(f"{PREFIX}/<int:message_id>/retry")
@organiser_required
def retry(event_id, message_id):
    event = event_or_404(event_id)
    message = services.message_or_404(event, message_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    count = services.retry_failed(message)
    db.session.commit()
    flash(ngettext("%(num)d e-mail sent again.", "%(num)d e-mails sent again.", count),
          "success")
    return redirect(url_for("messages.detail", event_id=event.id, message_id=message.id))


@bp.post(f"{PREFIX}/<int:message_id>/cancel")
@organiser_required
def cancel(event_id, message_id):
    event = event_or_404(event_id)
    message = services.message_or_404(event, message_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if services.cancel(message):
        flash(_("The message was cancelled; nobody received it."), "success")
    else:
        flash(_("Too late: this message has already gone out."), "error")
    db.session.commit()
    return redirect(url_for("messages.detail", event_id=event.id, message_id=message.id))


@bp.route(f"{PREFIX}/automatic", methods=["GET", "POST"])
@organiser_required
def automatic(event_id):
    event = event_or_404(event_id)
    rules = services.automatic_messages(event)
    forms = {kind: AutomaticForm(prefix=kind, obj=rules[kind],
                                 formdata=request.form if request.form.get("kind") == kind
                                 else None) for kind in AUTOMATIC_KINDS}
    kind = request.form.get("kind") if request.method == "POST" else None
    if kind in forms and forms[kind].validate():
        form = forms[kind]
        try:
            services.update_automatic(rules[kind], form.texts(), enabled=form.enabled.data,
                                      offset_days=form.offset_days.data)
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("messages.automatic", event_id=event.id) + f"#{kind}")
        except ValidationErrors as errors:
            db.session.rollback()
            _show_errors(form, errors)
    due = {k: services.due_at(rules[k], event) for k in AUTOMATIC_KINDS}
    return render_template("messages/automatic.html", event=event, forms=forms,
                           rules=rules, due=due, now=utcnow())


# -- the attendee's side -------------------------------------------------------------

@bp.route("/r/<token>/messages", methods=["GET", "POST"])
def opt_out(token):
    reg = registration_or_404(token)
    if request.method == "POST":
        back_in = request.form.get("subscribe") == "1"
        services.set_opted_out(reg, not back_in)
        db.session.commit()
        flash(_("You will receive the organisers' messages again.") if back_in else
              _("You will no longer receive the organisers' messages for this event."),
              "success")
        return redirect(url_for("messages.opt_out", token=token))
    return render_template("messages/opt_out.html", reg=reg, event=reg.event)


@bp.route("/r/<token>/messages/unsubscribe", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail client posts "List-Unsubscribe=One-Click", no form token
def one_click_opt_out(token):
    """The List-Unsubscribe address: a mail client's one-click POST opts out; a browser
    opening it is shown the opt-out page."""
    reg = registration_or_404(token)
    if request.method == "GET":
        return redirect(url_for("messages.opt_out", token=token))
    services.set_opted_out(reg, True)
    db.session.commit()
    return jsonify(opted_out=True)
