"""Staff accounts and API tokens."""

import secrets

from ..database import utcnow
from ..extensions import db
from ..models import ApiToken, Role, StaffUser, hash_token

TOKEN_PREFIX = "ev_"


class StaffError(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> StaffUser | None:
    return db.session.execute(
        db.select(StaffUser).where(StaffUser.email == normalise_email(email))
    ).scalar_one_or_none()


def create_user(email: str, role: str, password: str, name: str = "") -> StaffUser:
    if role not in set(Role):
        raise StaffError(f"role must be one of: {', '.join(Role)}")
    if len(password) < 8:
        raise StaffError("the password must have at least 8 characters")
    if find_user(email):
        raise StaffError(f"a staff account for {normalise_email(email)} exists already")
    user = StaffUser(email=normalise_email(email), role=role, name=name.strip())
    user.set_password(password)
    db.session.add(user)
    return user


def authenticate(email: str, password: str) -> StaffUser | None:
    user = find_user(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user


def issue_token(user: StaffUser, name: str = "") -> tuple[ApiToken, str]:
    """Returns the stored token and its secret, which is shown once and never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip() or "API token",
                     token_hash=hash_token(secret), prefix=secret[:10])
    db.session.add(token)
    return token, secret


# Built once: every API request runs it, and scanners send many.
_USER_BY_TOKEN = (db.select(ApiToken.revoked_at, StaffUser)
                  .join(StaffUser, ApiToken.user_id == StaffUser.id)
                  .where(ApiToken.token_hash == db.bindparam("token_hash")))


def user_for_token(secret: str) -> StaffUser | None:
    row = db.session.execute(_USER_BY_TOKEN, {"token_hash": hash_token(secret)}).first()
    if row is None or row.revoked_at is not None or not row.StaffUser.active:
        return None
    return row.StaffUser


def revoke_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()


def list_staff() -> list[StaffUser]:
    return list(db.session.execute(db.select(StaffUser).order_by(StaffUser.email)).scalars())


def list_tokens() -> list[ApiToken]:
    return list(db.session.execute(
        db.select(ApiToken).join(ApiToken.user).order_by(ApiToken.created_at.desc())
    ).scalars())


def organisers_left_after(user: StaffUser) -> int:
    return db.session.execute(
        db.select(db.func.count()).select_from(StaffUser).where(
            StaffUser.role == Role.ORGANISER, StaffUser.active.is_(True),
            StaffUser.id != user.id)
    ).scalar_one()
