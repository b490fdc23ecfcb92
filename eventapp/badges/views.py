"""Badge sheets, single badges, table cards and the paper check-in list (PDF).

Downloads by session or API token, like the exports: organisers print sheets and table
cards; door staff print one badge after a check-in and the check-in list.
"""

from flask import Blueprint, abort, render_template, request

from .. import timefmt
from ..auth.access import organiser_required, session_or_token
from ..content import LANGUAGES, localized, translated
from ..database import utcnow
from ..events.services import event_or_404
from ..i18n import current_language
from ..models import Event, Role, Status
from ..urls import external_url
from . import render, services
from .layouts import sheet_for

bp = Blueprint("badges", __name__)


def _language() -> str:
    asked = request.args.get("lang", "")
    return asked if asked in LANGUAGES else current_language()


def _selection(event: Event) -> services.Selection:
    status = request.args.get("status") or Status.CONFIRMED
    if status not in set(Status):
        abort(400, description="status must be one of " + ", ".join(Status))
    category = request.args.get("category") or None
    if category and category not in {c.code for c in event.categories}:
        abort(400, description="No such category in this event.")
    ids = None
    raw_ids = ",".join(request.args.getlist("ids"))
    if raw_ids:
        ids = services.parse_ids(raw_ids)
        if ids is None:
            abort(400, description="ids must be registration ids separated by commas.")
    return services.Selection(status, category, ids)


@bp.route("/events/<int:event_id>/badges.pdf")
@session_or_token(Role.ORGANISER)
def sheets(event_id):
    event = event_or_404(event_id)
    language = _language()
    badges = services.badges_for(event, _selection(event), language)
    title = translated(event, "title", language)
    return render.pdf_response(render.badges_pdf(badges, sheet_for(event.badge_layout), title,
                                          language), f"{event.slug}-badges.pdf")


@bp.route("/events/<int:event_id>/registrations/<int:registration_id>/badge.pdf")
@session_or_token()
def single(event_id, registration_id):
    event = event_or_404(event_id)
    language = _language()
    badge = services.one_badge(event, registration_id, language)
    if badge is None:
        abort(404)
    return render.pdf_response(render.single_badge_pdf(badge, translated(event, "title", language),
                                                language), f"badge-{registration_id}.pdf")


@bp.route("/events/<int:event_id>/checkin-list.pdf")
@session_or_token()
def checkin_list(event_id):
    event = event_or_404(event_id)
    language = _language()
    rows = services.badges_for(event, services.Selection(), language)
    title = translated(event, "title", language)
    printed = timefmt.moment(utcnow(), event.timezone)
    return render.pdf_response(render.checkin_list_pdf(rows, title, printed, event.timezone, title,
                                                language), f"{event.slug}-checkin-list.pdf")


@bp.route("/events/<int:event_id>/table-cards.pdf")
@session_or_token(Role.ORGANISER)
def table_cards(event_id):
    event = event_or_404(event_id)
    language = _language()
    if not event.has_networking:
        abort(404)
    title = translated(event, "title", language)
    # Each card's QR opens the table's arrival page (networking/live_views.table).
    cards = [(number, external_url("networking_live.table", event_id=event.id,
                                   table_number=number))
             for number in range(1, event.networking_tables + 1)]
    return render.pdf_response(render.table_cards_pdf(title, services.session_name(event, language),
                                               cards, title, language),
                        f"{event.slug}-table-cards.pdf")


@bp.route("/manage/events/<int:event_id>/badges")
@organiser_required
def printing(event_id):
    """What can be printed for an event: badge sheets, table cards, the check-in list."""
    event = event_or_404(event_id)
    language = current_language()
    return render_template("badges/printing.html", event=event, language=language,
                           categories=[(c.code, localized(c, language))
                                       for c in event.categories],
                           sheet=sheet_for(event.badge_layout))
