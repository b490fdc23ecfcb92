"""Self check-in kiosk: a tablet or laptop at the entrance, locked to one event.

An organiser opens it and sets a PIN. The browser's staff session is then replaced by a
new one (so no copy of the old cookie can leave the kiosk) that is locked: every page
but the kiosk's own sends it back to the kiosk until staff enter the PIN. Attendees scan
their ticket (camera or hand-held scanner); the one check-in service admits them, and
the kiosk greets them by name in their registration's language and sends their badge
to the print dialog. Every refusal says only "see the desk": no name, no data.
"""

import hashlib
import hmac
import time

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..auth import services as auth_services
from ..auth.access import organiser_required
from ..auth.views import SESSION_KEY
from ..checkin import services as checkin
from ..content import translated
from ..events.services import event_or_404
from ..extensions import db, limiter
from ..i18n import current_language
from ..models import Registration
from . import render, services

bp = Blueprint("kiosk", __name__)

KIOSK_KEY = "kiosk"
PIN_DIGITS = (4, 8)
# The badge of the person just admitted may be fetched for this long, by this kiosk only.
BADGE_SECONDS = 120
OPEN_ENDPOINTS = {"static", "set_language"}


def _pin_digest(pin: str, session_secret: str) -> str:
    """Keyed by the app's secret and this session: the cookie shows nothing to guess."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, f"{session_secret}:{pin}".encode(), hashlib.sha256).hexdigest()


def locked_event_id() -> int | None:
    lock = session.get(KIOSK_KEY)
    return lock.get("event") if isinstance(lock, dict) else None


@bp.before_app_request
def _stay_in_the_kiosk():
    """A locked browser sees the kiosk and nothing else."""
    event_id = locked_event_id()
    if event_id is None or request.endpoint in OPEN_ENDPOINTS:
        return None
    if request.endpoint and request.endpoint.startswith("kiosk.") and \
            (request.view_args or {}).get("event_id") == event_id:
        return None
    return redirect(url_for("kiosk.kiosk", event_id=event_id))


def pin_problem(pin: str, repeated: str) -> str | None:
    low, high = PIN_DIGITS
    if not (pin.isascii() and pin.isdigit() and low <= len(pin) <= high):
        return _("Give a PIN of %(low)d to %(high)d digits.", low=low, high=high)
    if pin != repeated:
        return _("The two PINs differ.")
    return None


@bp.route("/events/<int:event_id>/kiosk", methods=["GET", "POST"])
@organiser_required
def kiosk(event_id):
    event = event_or_404(event_id)
    locked = locked_event_id()
    if locked is not None and locked != event.id:
        return redirect(url_for("kiosk.kiosk", event_id=locked))
    if locked == event.id:
        return render_template("badges/kiosk.html", event=event, language=current_language())
    problem = None
    if request.method == "POST":
        pin = (request.form.get("pin") or "").strip()
        problem = pin_problem(pin, (request.form.get("pin_again") or "").strip())
        if problem is None:
            _lock(event.id, pin)
            db.session.commit()
            return redirect(url_for("kiosk.kiosk", event_id=event.id))
    return render_template("badges/kiosk_start.html", event=event, problem=problem,
                           pin_digits=PIN_DIGITS), 422 if problem else 200


def _lock(event_id: int, pin: str) -> None:
    old = session.get(SESSION_KEY)
    if isinstance(old, str):
        auth_services.end_session(old)
    secret = auth_services.start_session(current_user._get_current_object(),
                                         current_app.permanent_session_lifetime)
    session[SESSION_KEY] = secret
    session[KIOSK_KEY] = {"event": event_id, "pin": _pin_digest(pin, secret)}


def _wrong_pin(response) -> bool:
    return response.status_code == 422


@bp.route("/events/<int:event_id>/kiosk/unlock", methods=["GET", "POST"])
@organiser_required
@limiter.limit("10 per 5 minutes", methods=["POST"], deduct_when=_wrong_pin)
def unlock(event_id):
    event = event_or_404(event_id)
    if locked_event_id() != event.id:
        return redirect(url_for("events.dashboard", event_id=event.id))
    wrong = False
    if request.method == "POST":
        pin = (request.form.get("pin") or "").strip()
        expected = session[KIOSK_KEY].get("pin", "")
        if hmac.compare_digest(_pin_digest(pin, session.get(SESSION_KEY, "")), expected):
            session.pop(KIOSK_KEY, None)
            session.pop("kiosk_badge", None)
            return redirect(url_for("events.dashboard", event_id=event.id))
        wrong = True
    return render_template("badges/kiosk_unlock.html", event=event,
                           wrong=wrong), 422 if wrong else 200


def _welcome(event, answer: checkin.Answer) -> dict:
    reg = db.session.get(Registration, answer.registration.id)
    language = reg.language or "en"
    with force_locale(language):
        return {"result": "welcome", "language": language, "name": reg.name,
                "title": _("Welcome, %(name)s!", name=reg.name),
                "message": _("Your badge is being printed."),
                "event": translated(event, "title", language),
                "badge_url": url_for("kiosk.badge", event_id=event.id)}


def _see_the_desk() -> dict:
    return {"result": "see_desk", "title": _("Please see the registration desk."),
            "message": _("This ticket cannot be checked in here. Staff at the desk will "
                         "help you.")}


@bp.post("/events/<int:event_id>/kiosk/scan")
@organiser_required
def scan(event_id):
    event = event_or_404(event_id)
    if locked_event_id() != event.id:
        abort(403)
    payload = request.get_json(silent=True) if request.is_json else request.form
    code = str((payload or {}).get("code") or "").strip()
    answer = None
    if code:
        scanner = checkin.Scanner(current_user.id, current_user.display_name,
                                  "kiosk " + request.headers.get("User-Agent", "")[:80])
        answer = checkin.admit(event.id, scanner, code=code)
        db.session.commit()
    if answer is not None and answer.admitted:
        session["kiosk_badge"] = [answer.registration.id, time.time() + BADGE_SECONDS]
        body = _welcome(event, answer)
    else:
        body = _see_the_desk()
    if request.is_json:
        return jsonify(body)
    return render_template("badges/kiosk.html", event=event, answer=body,
                           language=current_language())


@bp.route("/events/<int:event_id>/kiosk/badge.pdf")
@organiser_required
def badge(event_id):
    """The badge of the person this kiosk has just admitted, and no one else's."""
    event = event_or_404(event_id)
    kept = session.get("kiosk_badge")
    if locked_event_id() != event.id or not kept or kept[1] < time.time():
        abort(404)
    reg = db.session.get(Registration, kept[0])
    language = reg.language if reg else "en"
    data = services.one_badge(event, kept[0], language)
    if data is None:
        abort(404)
    body = render.single_badge_pdf(data, translated(event, "title", language), language)
    response = render.pdf_response(body, "badge.pdf")
    # Shown in the kiosk page's own frame, whose print dialog opens it.
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
    return response
