"""Anonymising an event (organisers) and deleting one's own registration (attendees)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..auth.access import organiser_required
from ..auth.forms import ConfirmForm
from ..events.services import event_or_404
from ..events.slugs import event_by_slug_or_404
from ..extensions import db
from ..registration.views import registration_or_404
from . import services
from .forms import AnonymiseForm

bp = Blueprint("privacy", __name__)


def error_messages() -> dict[str, str]:
    return {
        "already_anonymised": _("This event's personal data has already been anonymised."),
        "not_ended": _("Personal data can be anonymised only after the event has ended."),
    }


@bp.route("/manage/events/<int:event_id>/anonymise", methods=["GET", "POST"])
@organiser_required
def anonymise_event(event_id):
    event = event_or_404(event_id)
    form = AnonymiseForm()
    if form.validate_on_submit():
        try:
            erased = services.anonymise_event(event, current_user)
        except services.PrivacyError as error:
            db.session.rollback()
            flash(error_messages().get(error.code, error.message), "error")
            return redirect(url_for("privacy.anonymise_event", event_id=event_id))
        db.session.commit()
        services.remove_copies(erased)
        flash(ngettext("The personal data of %(num)d registration was anonymised.",
                       "The personal data of %(num)d registrations was anonymised.",
                       erased.registrations), "success")
        return redirect(url_for("events.dashboard", event_id=event_id))
    return render_template("privacy/anonymise.html", event=event, form=form,
                           ended=services.has_ended(event)), 422 if form.errors else 200


@bp.route("/r/<token>/delete", methods=["GET", "POST"])
def delete_my_data(token):
    reg = registration_or_404(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        slug = reg.event.slug
        erased = services.delete_registration_data(reg)
        db.session.commit()
        services.remove_copies(erased)
        return redirect(url_for("privacy.data_deleted", slug=slug))
    return render_template("privacy/delete.html", reg=reg, event=reg.event, form=form)


@bp.route("/e/<slug>/data-deleted")
def data_deleted(slug):
    event = event_by_slug_or_404(slug)
    return render_template("privacy/deleted.html", event=event)
