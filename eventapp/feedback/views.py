"""Feedback pages: the attendee's form and follow-up under their private link
(/r/<token>/feedback, /r/<token>/follow-up), the organiser's page for an event."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..auth.access import organiser_required
from ..database import begin_write
from ..events.services import event_or_404
from ..extensions import db
from ..i18n import current_language
from ..registration.services import by_token
from ..registration.views import link_not_valid
from ..reports.narrative import percent
from ..validation import ValidationErrors, apply_errors_to_form
from . import questions, requests, services
from .emails import compose_feedback_email  # noqa: F401  (registered as a composer)
from .figures import feedback_figures
from .forms import (
    FeedbackForm,
    FeedbackQuestionForm,
    FeedbackSettingsForm,
    FollowUpForm,
    result_choices,
)

bp = Blueprint("feedback", __name__)


def _attendee(token: str):
    reg = by_token(token)
    if reg is None:
        link_not_valid()
    return reg


@bp.route("/r/<token>/feedback", methods=["GET", "POST"])
def form(token):
    reg = _attendee(token)
    if not services.may_answer(reg):
        return render_template("feedback/form.html", reg=reg, event=reg.event, form=None)
    saved = services.response_of(reg)
    extra = questions.questions_of(reg.event_id)
    form_class = questions.add_fields(FeedbackForm, extra, current_language())
    form = form_class()
    if request.method == "GET" and saved is not None:
        form = form_class(data={
            "rating": str(saved.rating), "useful": saved.useful,
            "follow_up": "yes" if saved.follow_up else "no", "comments": saved.comments,
            "quote_consent": saved.quote_consent, "attribution": saved.attribution,
            **questions.form_data(saved.answers, extra)})
    if form.validate_on_submit():
        begin_write()
        services.save_feedback(
            reg, rating=int(form.rating.data), useful=form.useful.data or "",
            follow_up=form.follow_up.data == "yes", comments=form.comments.data or "",
            quote_consent=form.quote_consent.data, attribution=form.attribution.data,
            answers=questions.answers_from(form, extra))
        db.session.commit()
        flash(_("Thank you for your feedback."), "success")
        return redirect(url_for("feedback.form", token=token, lang=request.args.get("lang")))
    return render_template("feedback/form.html", reg=reg, event=reg.event, form=form,
                           saved=saved, extra_fields=[getattr(form, questions.field_name(q))
                                                      for q in extra])


@bp.route("/r/<token>/follow-up", methods=["GET", "POST"])
def follow_up(token):
    reg = _attendee(token)
    if not services.may_answer(reg):
        return render_template("feedback/follow_up.html", reg=reg, event=reg.event, form=None)
    saved = services.follow_up_of(reg)
    form = FollowUpForm()
    if request.method == "GET" and saved is not None:
        form = FollowUpForm(data={"result": saved.result, "with_whom": saved.with_whom})
    if form.validate_on_submit():
        begin_write()
        services.save_follow_up(reg, result=form.result.data,
                                with_whom=form.with_whom.data or "")
        db.session.commit()
        flash(_("Thank you: your answer is saved."), "success")
        return redirect(url_for("feedback.follow_up", token=token, lang=request.args.get("lang")))
    return render_template("feedback/follow_up.html", reg=reg, event=reg.event, form=form)


# -- organiser ----------------------------------------------------------------------------

@bp.route("/manage/events/<int:event_id>/feedback", methods=["GET", "POST"])
@organiser_required
def organiser(event_id):
    event = event_or_404(event_id)
    settings = requests.settings_of(event.id)
    form = FeedbackSettingsForm(obj=None if request.method == "POST" else settings)
    if form.validate_on_submit():
        begin_write()
        services.save_settings(event.id, automatic=form.automatic.data,
                               delay_hours=form.delay_hours.data,
                               follow_up_days=form.follow_up_days.data)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("feedback.organiser", event_id=event.id))
    return _organiser_page(event, settings, form, FeedbackQuestionForm(prefix="question"))


def _organiser_page(event, settings, form, question_form):
    return render_template(
        "feedback/organiser.html", event=event, form=form, question_form=question_form,
        questions=questions.question_figures(event.id, current_language()),
        kinds=dict(questions.kind_choices()),
        figures=feedback_figures([event.id]),
        due_at=requests.feedback_due_at(event, settings),
        follow_up_due_at=requests.follow_up_due_at(event, settings),
        results=dict(result_choices()), percent=percent)


@bp.post("/manage/events/<int:event_id>/feedback/send")
@organiser_required
def send_now(event_id):
    event = event_or_404(event_id)
    sent = requests.send_feedback_requests(event.id)
    db.session.commit()
    flash(ngettext("The feedback request went to %(num)d attendee.",
                   "The feedback request went to %(num)d attendees.", sent)
          if sent else _("Everyone who came has been asked already."), "success")
    return redirect(url_for("feedback.organiser", event_id=event.id))


@bp.post("/manage/events/<int:event_id>/feedback/questions")
@organiser_required
def add_question(event_id):
    event = event_or_404(event_id)
    question_form = FeedbackQuestionForm(prefix="question")
    if question_form.validate_on_submit():
        begin_write()
        try:
            questions.add_question(event.id, question_form.label.data,
                                   question_form.label_ja.data, question_form.kind.data)
        except ValidationErrors as errors:
            db.session.rollback()
            apply_errors_to_form(question_form, errors)
        else:
            db.session.commit()
            flash(_("Question added."), "success")
            return redirect(url_for("feedback.organiser", event_id=event.id) + "#questions")
    settings = requests.settings_of(event.id)
    return _organiser_page(event, settings, FeedbackSettingsForm(obj=settings), question_form)


@bp.post("/manage/events/<int:event_id>/feedback/questions/<int:question_id>/delete")
@organiser_required
def delete_question(event_id, question_id):
    event = event_or_404(event_id)
    begin_write()
    questions.remove_question(event.id, question_id)
    db.session.commit()
    flash(_("Question removed."), "success")
    return redirect(url_for("feedback.organiser", event_id=event.id) + "#questions")
