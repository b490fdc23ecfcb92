from flask import (
    Blueprint,
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
from flask_login import current_user, login_user, logout_user

from ..extensions import db, limiter, login_manager
from ..models import ApiToken, StaffUser
from ..web import safe_next_url
from . import services, throttle
from .access import organiser_required, staff_required
from .forms import ConfirmForm, LoginForm, StaffForm, StaffUpdateForm, TokenForm

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


# The session cookie names its server-side record (services.start_session): a cookie
# whose record is gone (logged out, password changed, account deactivated) signs no one in.
SESSION_KEY = "staff_session"


@login_manager.user_loader
def load_user(user_id: str):
    secret = session.get(SESSION_KEY)
    if not user_id.isdigit() or not isinstance(secret, str):
        return None
    return services.user_for_session(int(user_id), secret,
                                     current_app.permanent_session_lifetime)


# Failed sign-ins count per address and per account, a known browser only against its
# own budget (throttle.py).
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(throttle.address_limit, shared=True, key_func=throttle.address_key,
               methods=["POST"], deduct_when=throttle.failed_login, exempt_when=throttle.known_device)
@limiter.limit(throttle.account_limit, shared=True, key_func=throttle.account_key,
               methods=["POST"], deduct_when=throttle.failed_login, exempt_when=throttle.known_device)
@limiter.limit(throttle.address_limit, shared=True, key_func=throttle.device_key,
               methods=["POST"], deduct_when=throttle.failed_login, exempt_when=throttle.unknown_device)
def login():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            secret = services.start_session(user, current_app.permanent_session_lifetime)
            db.session.commit()
            login_user(user)
            session[SESSION_KEY] = secret
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            response = redirect(safe_next_url(request.args.get("next"), _home_for(user)))
            throttle.remember_device(response, user.email)
            return response
        form.password.errors.append(_("The e-mail or password is not right."))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if ConfirmForm().validate_on_submit():
        secret = session.pop(SESSION_KEY, None)
        if isinstance(secret, str):
            services.end_session(secret)
            db.session.commit()
        logout_user()
        flash(_("You are signed out."), "info")
    return redirect(url_for("events.index"))


def _home_for(user) -> str:
    return url_for("events.manage_list")


@bp.route("/staff", methods=["GET", "POST"])
@organiser_required
def staff():
    form = StaffForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.role.data, form.password.data,
                                        form.name.data or "")
        except services.StaffError as e:
            form.email.errors.append(str(e))
        else:
            db.session.commit()
            flash(_("Staff account %(email)s created.", email=user.email), "success")
            return redirect(url_for("auth.staff"))
    return render_template("auth/staff.html", form=form, users=services.list_staff(),
                           confirm=ConfirmForm())


@bp.route("/staff/<int:user_id>", methods=["GET", "POST"])
@organiser_required
def staff_edit(user_id):
    user = db.get_or_404(StaffUser, user_id)
    form = StaffUpdateForm(obj=user)
    if form.validate_on_submit():
        if user.id == current_user.id and form.role.data != user.role:
            form.role.errors.append(_("You cannot change your own role."))
        else:
            user.role = form.role.data
            if form.password.data:
                # Ends the user's other sessions and revokes their tokens.
                services.change_password(user, form.password.data,
                                         keep_session=_own_session(user))
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("auth.staff"))
    return render_template("auth/staff_edit.html", form=form, user=user)


@bp.route("/staff/<int:user_id>/active", methods=["POST"])
@organiser_required
def staff_toggle_active(user_id):
    user = db.get_or_404(StaffUser, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "error")
    elif user.active and user.is_organiser and services.organisers_left_after(user) == 0:
        flash(_("At least one active organiser must remain."), "error")
    else:
        services.set_active(user, not user.active)  # deactivating signs them out
        db.session.commit()
        flash(_("%(email)s is now active.", email=user.email) if user.active
              else _("%(email)s can no longer sign in.", email=user.email), "success")
    return redirect(url_for("auth.staff"))


@bp.route("/staff/<int:user_id>/revoke-tokens", methods=["POST"])
@organiser_required
def staff_revoke_tokens(user_id):
    user = db.get_or_404(StaffUser, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.revoke_tokens_of(user)
    db.session.commit()
    flash(_("Every API token of %(email)s is revoked.", email=user.email), "success")
    return redirect(url_for("auth.staff"))


def _own_session(user: StaffUser) -> str | None:
    """The session making this request, when it is `user`'s own (kept at their change)."""
    return session.get(SESSION_KEY) if user.id == current_user.id else None


@bp.route("/tokens", methods=["GET", "POST"])
@staff_required()
def tokens():
    """Organisers see and revoke every token; door staff manage their own."""
    form = TokenForm()
    new_secret = None
    if form.validate_on_submit():
        _token, new_secret = services.issue_token(current_user, form.name.data or "")
        db.session.commit()
    all_tokens = services.list_tokens()
    if not current_user.is_organiser:
        all_tokens = [t for t in all_tokens if t.user_id == current_user.id]
    return render_template("auth/tokens.html", form=form, tokens=all_tokens,
                           new_secret=new_secret, confirm=ConfirmForm())


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@staff_required()
def token_revoke(token_id):
    token = db.get_or_404(ApiToken, token_id)
    if token.user_id != current_user.id and not current_user.is_organiser:
        abort(403)
    if ConfirmForm().validate_on_submit():
        services.revoke_token(token)
        db.session.commit()
        flash(_("Token revoked."), "success")
    return redirect(url_for("auth.tokens"))
