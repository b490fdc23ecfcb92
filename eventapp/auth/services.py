"""Staff accounts and API tokens."""

import secrets
from dataclasses import dataclass

from ..database import execute_alone, utcnow
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


@dataclass(frozen=True)
class TokenUser:
    """The staff member behind an API token, as API calls need them (who, which role):
    a plain row, so the per-request check loads no ORM object."""

    id: int
    email: str
    name: str
    role: str

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def is_organiser(self) -> bool:
        return self.role == Role.ORGANISER


# Built once: every API request runs it, and scanners send many. Revoked tokens and
# deactivated accounts are filtered by the database, so one indexed row or none.
_USERS = StaffUser.__table__
_TOKENS = ApiToken.__table__
USER_BY_TOKEN = (db.select(_USERS.c.id, _USERS.c.email, _USERS.c.name, _USERS.c.role)
                  .select_from(_TOKENS.join(_USERS, _TOKENS.c.user_id == _USERS.c.id))
                  .where(_TOKENS.c.token_hash == db.bindparam("token_hash"),
                         _TOKENS.c.revoked_at.is_(None), _USERS.c.active.is_(True)))


def user_for_token(secret: str) -> TokenUser | None:
    """The one API token check: the token's staff member, or None when the token is
    unknown or revoked or its account deactivated. One indexed read, needing no
    transaction of its own (see execute_alone): on PostgreSQL a scan's token check and
    its check-in are then two autocommit statements, with no BEGIN or COMMIT."""
    row = execute_alone(USER_BY_TOKEN, {"token_hash": hash_token(secret)})
    return TokenUser(*row) if row is not None else None


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
