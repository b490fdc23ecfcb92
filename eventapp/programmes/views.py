"""Programme pages (organisers): the list with the form to group events, a programme's
report on screen and printable (two A4 pages), and its workbook."""

from tempfile import SpooledTemporaryFile

from flask import Blueprint, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _

from ..auth.access import organiser_required, session_or_token
from ..content import translated
from ..events.services import list_events
from ..extensions import db
from ..feedback.forms import result_choices
from ..i18n import current_language
from ..models import Role
from ..reports import exports
from ..reports.narrative import percent
from ..validation import ValidationErrors, apply_errors_to_form
from . import narrative, report, services
from .figures import programme_figures
from .forms import ProgrammeForm

bp = Blueprint("programmes", __name__)


def _form(programme=None) -> ProgrammeForm:
    form = ProgrammeForm(obj=programme)
    language = current_language()
    form.events.choices = [
        (e.id, f"{translated(e, 'title', language)} ({e.starts_at:%Y-%m-%d})")
        for e in list_events()]
    if programme is not None and not form.is_submitted():
        form.events.data = [e.id for e in programme.events]
    return form


def _saved(form: ProgrammeForm, programme=None):
    try:
        programme = services.save_programme(form.title.data or "", form.events.data or [],
                                            programme)
    except ValidationErrors as errors:
        db.session.rollback()
        apply_errors_to_form(form, ValidationErrors(
            {("events" if k == "event_ids" else k): v for k, v in errors.fields.items()}))
        return None
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("programmes.page", programme_id=programme.id))


@bp.route("/manage/programmes", methods=["GET", "POST"])
@organiser_required
def index():
    form = _form()
    if form.validate_on_submit() and (done := _saved(form)):
        return done
    return render_template("programmes/index.html", form=form,
                           programmes=services.list_programmes())


def _report_page(template: str, programme_id: int, **extra):
    programme = services.programme_or_404(programme_id)
    language = current_language()
    figures = programme_figures(programme, language)
    return render_template(template, programme=programme, figures=figures,
                           paragraphs=narrative.paragraphs(figures, language),
                           results=dict(result_choices()), percent=percent, **extra)


@bp.route("/manage/programmes/<int:programme_id>", methods=["GET", "POST"])
@organiser_required
def page(programme_id):
    programme = services.programme_or_404(programme_id)
    form = _form(programme)
    if form.validate_on_submit() and (done := _saved(form, programme)):
        return done
    return _report_page("programmes/page.html", programme_id, form=form)


@bp.route("/manage/programmes/<int:programme_id>/print")
@organiser_required
def print_report(programme_id):
    return _report_page("programmes/print.html", programme_id)


@bp.route("/programmes/<int:programme_id>/exports/report.xlsx")
@session_or_token(Role.ORGANISER)
def report_xlsx(programme_id):
    programme = services.programme_or_404(programme_id)
    language = current_language()
    figures = programme_figures(programme, language)
    target = SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    exports.write_xlsx(report.workbook_sheets(figures, language, dict(result_choices())),
                       target)
    target.seek(0)
    response = send_file(target, mimetype=exports.XLSX_MIMETYPE, as_attachment=True,
                         download_name=f"programme-{programme.id}-report.xlsx")
    response.headers["Cache-Control"] = "private, no-store"
    return response
