from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..auth.access import door_required, organiser_required
from ..auth.forms import ConfirmForm
from ..content import localized
from ..extensions import db
from ..i18n import current_language, sentences
from ..models import Category, Event
from ..questions.queries import summaries as answer_summaries
from ..registration.services import capacity_changed
from ..validation import ValidationErrors, apply_errors_to_form, form_and_domain_valid
from . import agenda, services
from .forms import CategoryForm, EventForm
from .slugs import event_by_slug_or_404

bp = Blueprint("events", __name__)

# API-style error keys for the networking settings, and the form fields they belong to.
FORM_FIELD_FOR = {
    "networking.starts_at": "networking_starts_at",
    "networking.slot_minutes": "networking_slot_minutes",
    "networking.slots": "networking_slots",
    "networking.tables": "networking_tables",
    "networking.max_meetings_per_person": "networking_max_meetings",
    "translations.ja.title": "title_ja",
    "translations.ja.description": "description_ja",
    "translations.ja.venue": "venue_ja",
}


@bp.route("/")
def index():
    return render_template("events/index.html",
                           events=services.list_events(upcoming_only=True, listed_only=True))


@bp.route("/e/<slug>")
def public_event(slug):
    event = event_by_slug_or_404(slug)
    return render_template("events/public.html", event=event,
                           state=services.registration_state(event),
                           seats_left=max(event.capacity - services.confirmed_count(event.id), 0),
                           language=current_language(), localized=localized)


@bp.route("/manage/events")
@door_required
def manage_list():
    return render_template("events/manage_list.html", events=services.list_events(),
                           is_organiser=current_user.is_organiser)


def _aware(value, tz):
    return value.replace(tzinfo=ZoneInfo(tz)) if value else None


def _event_data(form: EventForm) -> dict:
    tz = form.timezone.data
    data = {
        "title": form.title.data or "", "description": form.description.data or "",
        "venue": form.venue.data or "", "timezone": tz,
        "starts_at": _aware(form.starts_at.data, tz), "ends_at": _aware(form.ends_at.data, tz),
        "capacity": form.capacity.data, "listed": form.listed.data,
        "confirm_email": form.confirm_email.data, "badge_layout": form.badge_layout.data,
        "registration_opens_at": _aware(form.registration_opens_at.data, tz),
        "registration_closes_at": _aware(form.registration_closes_at.data, tz),
        "networking": None,
        "translations": {"ja": {"title": form.title_ja.data or "",
                                "description": form.description_ja.data or "",
                                "venue": form.venue_ja.data or ""}},
        "slug": (form.slug.data or "").strip() or None,
    }
    if form.networking_enabled.data:
        data["networking"] = {
            "starts_at": _aware(form.networking_starts_at.data, tz),
            "slot_minutes": form.networking_slot_minutes.data,
            "slots": form.networking_slots.data, "tables": form.networking_tables.data,
            "max_meetings_per_person": form.networking_max_meetings.data,
        }
    return data


def _show_errors(form, errors: ValidationErrors):
    apply_errors_to_form(form, ValidationErrors(
        {FORM_FIELD_FOR.get(k, k): v for k, v in errors.fields.items()}))


def _check_event_form(form: EventForm, event_id: int | None = None) -> None:
    """The domain's rules on what the form holds (ValidationErrors named by the form's
    fields), so that they show beside the form's own messages in one answer. `event_id`:
    the event being edited (its own address is not taken by another)."""
    if not services.valid_timezone(form.timezone.data or ""):
        return  # the form says so; its times cannot be read without a zone
    problems: dict[str, str] = {}
    try:
        services.validate_event_data(_event_data(form), event_id)
    except ValidationErrors as errors:
        problems |= errors.fields
    if form.technology_areas.data and form.technology_areas.data.strip():
        try:
            services.parse_technology_lines(form.technology_areas.data)
        except ValidationErrors as errors:
            problems |= errors.fields
    if problems:
        raise ValidationErrors({FORM_FIELD_FOR.get(k, k): v for k, v in problems.items()})


def _save_event_form(form: EventForm, event: Event | None) -> Event | None:
    """Applies the form; returns the event, or None with the errors shown at their fields."""
    try:
        data = _event_data(form)
        if event is None:
            event = services.create_event(data)
        else:
            services.apply_event_data(event, data)
        if form.technology_areas.data and form.technology_areas.data.strip():
            services.set_technology_areas(
                event, services.parse_technology_lines(form.technology_areas.data))
        db.session.flush()  # the agenda is placed on the event's (possibly new) first day
        agenda.set_agenda(event, _agenda(form, event))
    except ValidationErrors as errors:
        db.session.rollback()
        _show_errors(form, errors)
        return None
    return event


def _agenda(form: EventForm, event: Event) -> list[dict]:
    """The English and Japanese agenda fields as one agenda; both fields' errors at once."""
    parsed, errors = {}, {}
    for name in ("agenda", "agenda_ja"):
        try:
            parsed[name] = agenda.parse_agenda_lines(event, getattr(form, name).data or "", name)
        except ValidationErrors as problem:
            errors |= problem.fields
    if errors:
        raise ValidationErrors(errors)
    return agenda.bilingual_agenda(parsed["agenda"], parsed["agenda_ja"])


@bp.route("/manage/events/new", methods=["GET", "POST"])
@organiser_required
def create():
    form = EventForm()
    if form_and_domain_valid(form, lambda: _check_event_form(form)):
        event = _save_event_form(form, None)
        if event is not None:
            db.session.commit()
            flash(_("Event created. Check its categories next."), "success")
            return redirect(url_for("events.dashboard", event_id=event.id))
    elif not form.is_submitted():
        from .defaults import DEFAULT_TECHNOLOGY_AREAS

        form.technology_areas.data = "\n".join(" | ".join(row)
                                               for row in DEFAULT_TECHNOLOGY_AREAS)
    return render_template("events/edit.html", form=form, event=None)


@bp.route("/manage/events/<int:event_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit(event_id):
    event = services.event_or_404(event_id)
    form = EventForm()
    if form_and_domain_valid(form, lambda: _check_event_form(form, event.id)):
        services.lock_event(event.id)  # the capacity may change: seats and waitlist move together
        if _save_event_form(form, event) is not None:
            promoted = capacity_changed(event)
            db.session.commit()
            flash(_("Saved."), "success")
            if promoted:
                flash(ngettext("%(num)d person moved from the waitlist to confirmed.",
                               "%(num)d people moved from the waitlist to confirmed.",
                               len(promoted)), "info")
            return redirect(url_for("events.dashboard", event_id=event.id))
    elif not form.is_submitted():
        _fill_form(form, event)
    return render_template("events/edit.html", form=form, event=event)


def _fill_form(form: EventForm, event: Event) -> None:
    tz = ZoneInfo(event.timezone)

    def local(value):
        return value.astimezone(tz).replace(tzinfo=None) if value else None

    for name in ("title", "description", "venue", "title_ja", "description_ja", "venue_ja",
                 "slug", "timezone", "capacity", "listed", "confirm_email", "badge_layout"):
        getattr(form, name).data = getattr(event, name)
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at",
                 "networking_starts_at"):
        getattr(form, name).data = local(getattr(event, name))
    form.networking_enabled.data = event.has_networking
    form.networking_slot_minutes.data = event.networking_slot_minutes
    form.networking_slots.data = event.networking_slots
    form.networking_tables.data = event.networking_tables
    form.networking_max_meetings.data = event.networking_max_meetings
    form.agenda.data = agenda.agenda_lines(event, "en")
    form.agenda_ja.data = agenda.agenda_lines(event, "ja")
    form.technology_areas.data = services.technology_lines(event)


@bp.route("/manage/events/<int:event_id>")
@organiser_required
def dashboard(event_id):
    event = services.event_or_404(event_id)
    return render_template("events/dashboard.html", event=event,
                           confirmed=services.confirmed_count(event.id),
                           state=services.registration_state(event),
                           language=current_language(), localized=localized,
                           question_summaries=answer_summaries(event, current_language()))


@bp.route("/manage/events/<int:event_id>/categories", methods=["GET", "POST"])
@organiser_required
def categories(event_id):
    event = services.event_or_404(event_id)
    form = CategoryForm(prefix="new")
    if form.validate_on_submit():
        try:
            services.save_category(event, form.data)
        except ValidationErrors as errors:
            apply_errors_to_form(form, errors)
        else:
            db.session.commit()
            flash(_("Category added."), "success")
            return redirect(url_for("events.categories", event_id=event.id))
    elif not form.is_submitted():
        form.networking_side.data = "none"
    edit_forms = {c.id: CategoryForm(prefix=f"c{c.id}", obj=c, formdata=None)
                  for c in event.categories}
    return render_template("events/categories.html", event=event, form=form,
                           edit_forms=edit_forms)


def _event_category(event_id: int, category_id: int) -> tuple[Event, Category]:
    event = services.event_or_404(event_id)
    category = db.get_or_404(Category, category_id)
    if category.event_id != event.id:
        abort(404)
    return event, category


@bp.post("/manage/events/<int:event_id>/categories/<int:category_id>/<any(up, down):direction>")
@organiser_required
def category_move(event_id, category_id, direction):
    event, category = _event_category(event_id, category_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.move_category(event, category, -1 if direction == "up" else 1)
    db.session.commit()
    return redirect(url_for("events.categories", event_id=event.id))


@bp.post("/manage/events/<int:event_id>/categories/<int:category_id>/delete")
@organiser_required
def category_delete(event_id, category_id):
    event, category = _event_category(event_id, category_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = localized(category)
    try:
        services.delete_category(event, category)
    except ValidationErrors as errors:
        db.session.rollback()
        flash(sentences(*errors.fields.values()), "error")
    else:
        db.session.commit()
        flash(_("Category %(name)s deleted.", name=name), "success")
    return redirect(url_for("events.categories", event_id=event.id))


@bp.route("/manage/events/<int:event_id>/categories/<int:category_id>", methods=["POST"])
@organiser_required
def category_update(event_id, category_id):
    event, category = _event_category(event_id, category_id)
    form = CategoryForm(prefix=f"c{category.id}")
    if form.validate_on_submit():
        try:
            services.save_category(event, form.data, category)
        except ValidationErrors as errors:
            apply_errors_to_form(form, errors)
        else:
            db.session.commit()
            flash(_("Category %(name)s saved.", name=localized(category)), "success")
            return redirect(url_for("events.categories", event_id=event.id))
    edit_forms = {c.id: (form if c.id == category.id else
                         CategoryForm(prefix=f"c{c.id}", obj=c, formdata=None))
                  for c in event.categories}
    return render_template("events/categories.html", event=event, form=CategoryForm(prefix="new"),
                           edit_forms=edit_forms), 422
