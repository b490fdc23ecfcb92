"""Attendance report pages (organisers) and the export downloads (session or token)."""

from tempfile import SpooledTemporaryFile

from flask import (
    Blueprint,
    Response,
    jsonify,
    render_template,
    send_file,
    stream_with_context,
)

from ..auth.access import organiser_required, session_or_token
from ..events.services import event_or_404
from ..feedback.figures import feedback_figures
from ..feedback.forms import result_choices
from ..i18n import current_language
from ..models import Event, Role
from . import charts, exports, meeting_export, narrative, services

bp = Blueprint("reports", __name__)

def _report_page(template: str, event_id: int, printed: bool = False):
    event = event_or_404(event_id)
    report = services.build_report(event, current_language(),
                                   no_show_limit=0 if printed else 200)
    return render_template(template, event=event, report=report,
                           charts=charts.report_charts(report, printed),
                           summary=narrative.paragraph(report),
                           percent=narrative.percent, clock_time=narrative.clock_time,
                           arrival_time=narrative.arrival_time,
                           arrivals_sentence=narrative.arrivals_sentence,
                           feedback=feedback_figures([event.id]),
                           feedback_results=dict(result_choices()))


@bp.route("/manage/events/<int:event_id>/report")
@organiser_required
def dashboard(event_id):
    return _report_page("reports/dashboard.html", event_id)


@bp.route("/manage/events/<int:event_id>/report/print")
@organiser_required
def print_report(event_id):
    return _report_page("reports/print.html", event_id, printed=True)


@bp.route("/manage/events/<int:event_id>/report/live.json")
@organiser_required
def live(event_id):
    response = jsonify(services.live_figures(event_or_404(event_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


# -- exports --------------------------------------------------------------------------

def _attachment(filename: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


def _csv(event_id: int, name: str, header, rows) -> Response:
    event = event_or_404(event_id)
    ctx = exports.Context.of(event, current_language())
    body = exports.csv_chunks(header(ctx), rows(ctx))
    return Response(stream_with_context(body), mimetype="text/csv",
                    headers=_attachment(f"{event.slug}-{name}.csv"))


def _xlsx(event: Event, name: str, sheets) -> Response:
    # Kept in memory while small, on disk beyond that; sent from there.
    target = SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    exports.write_xlsx(sheets, target)
    target.seek(0)
    response = send_file(target, mimetype=exports.XLSX_MIMETYPE, as_attachment=True,
                         download_name=f"{event.slug}-{name}.xlsx")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/events/<int:event_id>/exports/attendees.csv")
@session_or_token(Role.ORGANISER)
def attendees_csv(event_id):
    return _csv(event_id, "attendees", exports.attendee_header, exports.attendee_rows)


@bp.route("/events/<int:event_id>/exports/scans.csv")
@session_or_token(Role.ORGANISER)
def scans_csv(event_id):
    return _csv(event_id, "scans", exports.scan_header, exports.scan_rows)


@bp.route("/events/<int:event_id>/exports/meetings.csv")
@session_or_token(Role.ORGANISER)
def meetings_csv(event_id):
    return _csv(event_id, "meetings", meeting_export.meeting_header,
                meeting_export.meeting_rows)


@bp.route("/events/<int:event_id>/exports/attendees.xlsx")
@session_or_token(Role.ORGANISER)
def attendees_xlsx(event_id):
    event = event_or_404(event_id)
    ctx = exports.Context.of(event, current_language())
    return _xlsx(event, "attendees", [exports.attendee_sheet(ctx)])


@bp.route("/events/<int:event_id>/exports/report.xlsx")
@session_or_token(Role.ORGANISER)
def report_xlsx(event_id):
    event = event_or_404(event_id)
    language = current_language()
    ctx = exports.Context.of(event, language)
    sheets = [exports.attendee_sheet(ctx), *exports.summary_sheets(event, language)]
    if event.has_networking:
        sheets.append(meeting_export.meeting_sheet(ctx))
    return _xlsx(event, "report", sheets)
