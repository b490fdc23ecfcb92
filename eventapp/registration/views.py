"""Public sign-up, the outcome page, and the attendee's private pages (/r/<token>)."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup

from ..content import localized
from ..events.services import WITH_CATEGORIES, registration_state
from ..events.slugs import event_by_slug_or_404
from ..extensions import db, limiter
from ..i18n import current_language
from ..labels import attendee_status_phrase
from ..models import UNCONFIRMED, Status
from ..questions.answers import answer_lines
from ..validation import ValidationErrors, apply_errors_to_form, form_and_domain_valid
from . import confirmation, services
from .forms import build_form, form_data
from .tickets import qr_png, qr_svg

bp = Blueprint("registration", __name__)


def _signup_limit():
    return current_app.config["SIGNUP_RATE_LIMIT"]


@bp.route("/e/<slug>/register")
def choose_category(slug):
    event = event_by_slug_or_404(slug)
    public = [c for c in event.categories if c.public]
    if len(public) == 1:
        return redirect(url_for("registration.signup", slug=slug, category=public[0].code))
    return render_template("registration/choose.html", event=event, categories=public,
                           state=registration_state(event), language=current_language(),
                           localized=localized)


@bp.route("/e/<slug>/register/<category>", methods=["GET", "POST"])
@limiter.limit(_signup_limit, shared=True, methods=["POST"])
def signup(slug, category):
    event = event_by_slug_or_404(slug, WITH_CATEGORIES)
    cat = services.find_category(event, category)
    if cat is None or not cat.public:
        abort(404)
    language = current_language()
    form = build_form(event, cat, language)
    state = registration_state(event)
    if request.method == "GET":
        form.language.data = language
    elif state != "open":
        flash(_("Registration for this event is not open."), "error")
    elif form_and_domain_valid(form, lambda: services.validate(
            event, form_data(form) | {"category": cat.code})):
        try:
            outcome = services.register(event, form_data(form) | {"category": cat.code},
                                        hold_for_email=event.confirm_email)
        except ValidationErrors as errors:
            apply_errors_to_form(form, errors)
        else:
            # The same page whether or not the address was known.
            status = (UNCONFIRMED if event.confirm_email
                      else outcome.registration.status if outcome.created
                      else services.would_be_status(event, cat))
            db.session.commit()
            session["signup_email"] = form.email.data.strip()
            return redirect(url_for("registration.done", slug=slug, status=status))
    return render_template("registration/signup.html", event=event, category=cat, form=form,
                           state=state, language=language, localized=localized), \
        422 if form.errors else 200


@bp.route("/e/<slug>/registered")
def done(slug):
    event = event_by_slug_or_404(slug)
    status = request.args.get("status")
    if status not in (Status.CONFIRMED, Status.WAITLISTED, Status.PENDING, UNCONFIRMED):
        return redirect(url_for("events.public_event", slug=slug))
    return render_template("registration/done.html", event=event, status=status,
                           email=session.get("signup_email", ""))


def link_not_valid():
    """An unknown, replaced or deleted link: the same page for each, so it tells no one
    whether a registration existed."""
    abort(Response(render_template(
        "errors/error.html", status=404, title=_("This link is not valid"),
        message=_("There is no registration at this link. The link may be incomplete, "
                  "or the registration's personal data has been deleted (by its owner, "
                  "or by the organisers after the event).")), 404))


def registration_or_404(token: str):
    reg = services.by_token(token)
    if reg is None:
        link_not_valid()
    return reg


@bp.route("/r/<token>")
def manage(token):
    reg = registration_or_404(token)
    return render_template("registration/manage.html", reg=reg, event=reg.event,
                           language=current_language(), localized=localized,
                           answers=answer_lines(reg, current_language()),
                           open_for_signup=registration_state(reg.event) == "open")


@bp.route("/r/<token>/edit", methods=["GET", "POST"])
def edit(token):
    reg = registration_or_404(token)
    if not reg.is_active:
        flash(_("This registration is %(status)s and can no longer be changed.",
                status=attendee_status_phrase(reg.status)), "error")
        return redirect(url_for("registration.manage", token=token))
    language = current_language()
    form = build_form(reg.event, reg.category, language, editing=True,
                      obj=None if request.method == "POST" else reg)
    if form_and_domain_valid(form, lambda: services.validate(
            reg.event, form_data(form) | {"category": reg.category.code}, existing=reg)):
        try:
            services.update_details(reg, form_data(form))
        except ValidationErrors as errors:
            db.session.rollback()
            apply_errors_to_form(form, errors)
        else:
            db.session.commit()
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("registration.manage", token=token))
    return render_template("registration/edit.html", reg=reg, event=reg.event, form=form,
                           language=language, localized=localized), 422 if form.errors else 200


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
def cancel(token):
    reg = registration_or_404(token)
    if request.method == "POST":
        from ..auth.forms import ConfirmForm

        if ConfirmForm().validate_on_submit():
            try:
                services.transition(reg, "cancel")
            except services.TransitionError:
                flash(_("This registration is already %(status)s.",
                        status=attendee_status_phrase(reg.status)), "info")
            else:
                db.session.commit()
                flash(_("Your registration is cancelled. Thank you for letting us know."),
                      "success")
            return redirect(url_for("registration.manage", token=token))
    return render_template("registration/cancel.html", reg=reg, event=reg.event)


@bp.route("/r/<token>/confirm", methods=["GET", "POST"])
def confirm_email(token):
    """The link of the first message: GET shows a button, POST confirms the address."""
    reg = registration_or_404(token)
    if request.method == "POST":
        from ..auth.forms import ConfirmForm

        if ConfirmForm().validate_on_submit():
            result = confirmation.confirm_address(reg)
            db.session.commit()
            if result == confirmation.Confirmed.EXPIRED:
                flash(_("This confirmation link has expired. Please register again."),
                      "error")
            elif result == confirmation.Confirmed.DONE:
                flash(_("Thank you: your e-mail address is confirmed."), "success")
            return redirect(url_for("registration.manage", token=token))
    if not reg.awaiting_email:
        return redirect(url_for("registration.manage", token=token))
    return render_template("registration/confirm_email.html", reg=reg, event=reg.event,
                           language=current_language(), localized=localized)


@bp.route("/r/<token>/ticket")
def ticket(token):
    reg = registration_or_404(token)
    svg = Markup(qr_svg(reg.checkin_code)) if reg.status == Status.CONFIRMED else None
    return render_template("registration/ticket.html", reg=reg, event=reg.event, qr_svg=svg,
                           language=current_language(), localized=localized,
                           open_for_signup=registration_state(reg.event) == "open")


@bp.route("/r/<token>/qr.png")
def qr_png_view(token):
    reg = registration_or_404(token)
    return Response(qr_png(reg.checkin_code), mimetype="image/png")


@bp.route("/r/<token>/qr.svg")
def qr_svg_view(token):
    reg = registration_or_404(token)
    return Response(qr_svg(reg.checkin_code), mimetype="image/svg+xml")
