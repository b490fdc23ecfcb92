from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import db, limiter, login_manager
from ..models import ApiToken, StaffUser
from ..web import safe_next_url
from . import services
from .access import organiser_required, staff_required
from .forms import ConfirmForm, LoginForm, StaffForm, StaffUpdateForm, TokenForm

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str):
    if not user_id.isdigit():
        return None
    return db.session.get(StaffUser, int(user_id))


def _login_limit():
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed_login(response) -> bool:
    # Only failures count toward the throttle, so a busy door team is never locked out.
    return response.status_code == 200 and request.method == "POST"


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed_login)
def login():
    if current_user.is_authenticated:
        return redirect(_home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            db.session.commit()
            login_user(user)
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(safe_next_url(request.args.get("next"), _home_for(user)))
        form.password.errors.append(_("The e-mail or password is not right."))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if ConfirmForm().validate_on_submit():
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
                user.set_password(form.password.data)
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
        user.active = not user.active
        db.session.commit()
        flash(_("%(email)s is now active.", email=user.email) if user.active
              else _("%(email)s can no longer sign in.", email=user.email), "success")
    return redirect(url_for("auth.staff"))


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
