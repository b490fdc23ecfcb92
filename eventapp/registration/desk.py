"""The organiser's registration desk (list, review, actions, e-mail problems, import).

Every view goes load objects -> check access -> act; every change is one commit,
after which queued e-mails are sent. Redirects go back to the list with its filters
(a local `next` path only).
"""

from collections import defaultdict

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
from flask_babel import ngettext

from .. import mail
from ..auth.access import organiser_required
from ..auth.forms import ConfirmForm
from ..content import localized
from ..events.services import event_or_404
from ..extensions import db
from ..i18n import country_name, current_language, join_list, sentences
from ..labels import not_changed_reasons, status_labels
from ..models import EmailStatus, Event, Registration, Status
from ..questions import queries as answer_queries
from ..validation import ValidationErrors, apply_errors_to_form
from ..web import safe_next_url
from . import queries, services
from .desk_forms import (
    ACTIONS,
    PER_PAGE,
    BulkForm,
    DeskFilters,
    NotesForm,
)
from .forms import build_form, form_data

bp = Blueprint("desk", __name__, url_prefix="/manage/events/<int:event_id>/registrations")

MAX_BULK = 1000


# -- loading ------------------------------------------------------------------------------

def _back(event: Event) -> str:
    return safe_next_url(request.values.get("next"), url_for("desk.index", event_id=event.id))


# -- what the pages show ------------------------------------------------------------------

def _skip_reason(status: str) -> str:
    return not_changed_reasons().get(status, status)


# -- the list -----------------------------------------------------------------------------

@bp.get("")
@organiser_required
def index(event_id):
    event = event_or_404(event_id)
    filters = DeskFilters.from_args(request.args, event)
    query = queries.search(event.id, q=filters.q, status=filters.status or None,
                           category=filters.category or None, country=filters.country or None,
                           checked_in=filters.checked_in_flag, by_email=True)
    if filters.answer:
        query = query.where(answer_queries.answered_condition(
            *answer_queries.parse_filter(event, filters.answer)))
    if filters.status == Status.WAITLISTED:
        query = query.order_by(None).order_by(Registration.waitlisted_at, Registration.id)
    page = queries.paginate(query, page=filters.page, per_page=PER_PAGE)
    positions = {}
    if any(r.status == Status.WAITLISTED for r in page.items):
        positions = {rid: n for n, rid in enumerate(queries.waitlist_ids(event.id), start=1)}
    language = current_language()
    return render_template(
        "desk/index.html", event=event, filters=filters, page=page, positions=positions,
        counts=queries.status_counts(event.id), failed=queries.failed_email_count(event.id),
        categories={c.id: localized(c, language) for c in event.categories},
        countries=sorted(queries.event_countries(event.id), key=lambda c: country_name(c, language)),
        labels=status_labels(), language=language,
        localized=localized, bulk_form=BulkForm(formdata=None),
        answer_filters=answer_queries.filter_choices(event, language))


# -- one registration ---------------------------------------------------------------------

@bp.route("/<int:registration_id>", methods=["GET", "POST"])
@organiser_required
def registration(event_id, registration_id):
    event = event_or_404(event_id)
    reg = queries.event_registration_or_404(event.id, registration_id)
    language = current_language()
    obj = None if request.method == "POST" else reg
    form = build_form(event, reg.category, language, editing=True, organiser=True, obj=obj)
    if obj is not None:
        form.category.data = reg.category.code
    notes_form = NotesForm(obj=obj)
    # Both forms are checked so every mistake shows at once.
    notes_ok = notes_form.validate() if form.is_submitted() else False
    if form.validate_on_submit() and notes_ok:
        try:
            services.correct(reg, {key: value for key, value in form_data(form).items()
                                   if value or key not in ("email", "category")})
        except ValidationErrors as errors:
            db.session.rollback()
            apply_errors_to_form(form, errors)
        except services.DuplicateEmail:
            db.session.rollback()
            form.email.errors.append(
                _("Another active registration of this event has this e-mail."))
        else:
            reg.notes = (notes_form.notes.data or "").strip()
            db.session.commit()
            flash(_("Changes to %(name)s are saved.", name=reg.name), "success")
            return redirect(url_for("desk.registration", event_id=event.id,
                                    registration_id=reg.id, next=request.args.get("next")))
    emails = queries.emails_of(reg)
    position = None
    if reg.status == Status.WAITLISTED:
        position = queries.waitlist_ids(event.id).index(reg.id) + 1
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
        message = sentences(message, ngettext(
            "%(num)d person moved from the waitlist to confirmed: %(names)s.",
            "%(num)d people moved from the waitlist to confirmed: %(names)s.",
            len(promoted), names=join_list(p.name for p in promoted)))
    return message


@bp.post("/<int:registration_id>/<action>")
@organiser_required
def act(event_id, registration_id, action):
    event = event_or_404(event_id)
    reg = queries.event_registration_or_404(event.id, registration_id)
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
        try:
            changed = services.transition(reg, action)
        except services.TransitionError:
            db.session.rollback()
            if action == "promote" and reg.status == Status.WAITLISTED:
                flash(_("The event is full: raise the capacity or wait for a cancellation."),
                      "error")
            else:
                flash(_("Not changed: %(name)s is %(reason)s.", name=reg.name,
                        reason=_skip_reason(reg.status)), "error")
            return redirect(back)
        message = _transition_message(reg, action, changed.promoted)
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
    promoted: list[Registration] = []
    for reg in regs:
        if action == "resend":
            if not reg.is_active:
                skipped[_skip_reason(reg.status)].append(reg.name)
                continue
            services.resend_ticket(reg)
            done.append(reg)
            continue
        try:
            promoted += services.transition(reg, action).promoted
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
    if promoted:
        parts.append(ngettext("%(num)d moved from the waitlist to confirmed",
                              "%(num)d moved from the waitlist to confirmed", len(promoted)))
    for reason, names in skipped.items():
        shown = join_list(n for n in names[:10] if n != "—")
        more = "…" if len(names) > 10 else ""
        parts.append(ngettext("%(num)d skipped: %(reason)s", "%(num)d skipped: %(reason)s",
                              len(names), reason=reason)
                     + (f" ({shown}{more})" if shown else ""))
    return "; ".join(parts) + "."


@bp.post("/bulk")
@organiser_required
def bulk(event_id):
    event = event_or_404(event_id)
    form = BulkForm()
    back = _back(event)
    if not form.validate_on_submit():
        flash(_("Choose what to do with the selected registrations."), "error")
        return redirect(back)
    ids = _selected_ids()
    if not ids:
        flash(_("Tick at least one registration first."), "error")
        return redirect(back)
    regs = queries.registrations_by_id(event.id, ids)
    message = _bulk_apply(event, regs, form.action.data, missing=len(ids) - len(regs))
    db.session.commit()
    flash(message, "success")
    return redirect(back)


# -- e-mail problems ----------------------------------------------------------------------

@bp.get("/emails/failed")
@organiser_required
def failed_emails(event_id):
    event = event_or_404(event_id)
    emails = queries.failed_emails(event.id)
    names = queries.names_of({e.registration_id for e in emails if e.registration_id})
    return render_template("desk/failed_emails.html", event=event, emails=emails, names=names)


@bp.post("/emails/<int:email_id>/retry")
@organiser_required
def retry_email(event_id, email_id):
    event = event_or_404(event_id)
    email = queries.event_email_or_404(event, email_id)
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
    event = event_or_404(event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    emails = queries.failed_emails(event.id)
    for email in emails:
        mail.retry_now(email)
    db.session.commit()
    still_failing = queries.failed_email_count(event.id)
    message = ngettext("%(num)d e-mail sent again.", "%(num)d e-mails sent again.", len(emails))
    if still_failing:
        flash(sentences(message, ngettext(
            "%(num)d still fails; check the mail server settings.",
            "%(num)d still fail; check the mail server settings.", still_failing)), "error")
    else:
        flash(message, "success")
    return redirect(url_for("desk.failed_emails", event_id=event.id))
