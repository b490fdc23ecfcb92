"""The organiser's question editor pages (/manage/events/<id>/questions)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ..auth.access import organiser_required
from ..auth.forms import ConfirmForm
from ..content import localized, translated
from ..events.services import event_or_404
from ..extensions import db
from ..i18n import current_language
from ..validation import ValidationErrors, apply_errors_to_form
from . import services
from .fields import question_fields
from .forms import build_question_form, editor_data, type_choices
from .presets import PRESETS, preset_titles

bp = Blueprint("questions", __name__, url_prefix="/manage/events/<int:event_id>/questions")


@bp.app_template_global("question_fields")
def _question_fields(form):
    return question_fields(form)


def _render(event, form, question=None, status=200):
    language = current_language()
    questions = services.event_questions(event.id)
    answered = {q.id for q in questions if services.has_answers(q)}
    taken = {q.code for q in questions}
    return render_template(
        "questions/editor.html" if question is None else "questions/edit.html",
        event=event, form=form, question=question, questions=questions, answered=answered,
        presets=[(key, title) for key, title in preset_titles().items()
                 if PRESETS[key]["code"] not in taken],
        types=dict(type_choices()), language=language, localized=localized,
        tr=translated), status


@bp.route("", methods=["GET", "POST"])
@organiser_required
def editor(event_id):
    event = event_or_404(event_id)
    form = build_question_form(event, current_language())
    if form.validate_on_submit():
        try:
            question = services.add_question(event, editor_data(form))
        except ValidationErrors as errors:
            db.session.rollback()
            apply_errors_to_form(form, errors)
        else:
            db.session.commit()
            flash(_("Question “%(label)s” added.", label=question.label), "success")
            return redirect(url_for("questions.editor", event_id=event.id))
    elif not form.is_submitted():
        form.type.data = "choice"
    return _render(event, form, status=422 if form.errors else 200)


@bp.post("/presets/<key>")
@organiser_required
def add_preset(event_id, key):
    event = event_or_404(event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        question = services.add_preset(event, key)
    except ValidationErrors as errors:
        db.session.rollback()
        flash(" ".join(errors.fields.values()), "error")
    else:
        db.session.commit()
        flash(_("Question “%(label)s” added.",
                label=translated(question, "label", current_language())), "success")
    return redirect(url_for("questions.editor", event_id=event.id))


def _question_or_404(event, question_id):
    question = services.question_of(event, question_id)
    if question is None:
        abort(404)
    return question


@bp.route("/<int:question_id>", methods=["GET", "POST"])
@organiser_required
def edit(event_id, question_id):
    event = event_or_404(event_id)
    question = _question_or_404(event, question_id)
    form = build_question_form(event, current_language(), question)
    if form.validate_on_submit():
        try:
            services.change_question(question, editor_data(form))
        except ValidationErrors as errors:
            db.session.rollback()
            apply_errors_to_form(form, errors)
        else:
            db.session.commit()
            flash(_("Your changes are saved."), "success")
            return redirect(url_for("questions.editor", event_id=event.id))
    return _render(event, form, question, status=422 if form.errors else 200)


@bp.post("/<int:question_id>/<action>")
@organiser_required
def act(event_id, question_id, action):
    event = event_or_404(event_id)
    question = _question_or_404(event, question_id)
    if action not in ("up", "down", "retire", "restore", "delete"):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if action in ("up", "down"):
        services.move(question, -1 if action == "up" else 1)
    elif action in ("retire", "restore"):
        services.set_retired(question, action == "retire")
        flash(_("The question is no longer asked; its answers are kept.")
              if action == "retire" else _("The question is asked again."), "success")
    elif services.delete(question):
        flash(_("Question deleted."), "success")
    else:
        flash(_("People have answered this question, so it is retired instead of "
                "deleted: no longer asked, its answers kept."), "info")
    db.session.commit()
    return redirect(url_for("questions.editor", event_id=event.id))
