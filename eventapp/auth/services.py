"""Staff accounts and API tokens."""

import functools
import secrets
from dataclasses import dataclass
from datetime import timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from ..database import execute_alone, utcnow
from ..extensions import db
from ..models import ApiToken, Role, StaffSession, StaffUser, hash_token

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


@functools.cache
def _unknown_user_hash() -> str:
    """A hash made like every password's, to check against when the e-mail is unknown."""
    return generate_password_hash(secrets.token_urlsafe(16))


def authenticate(email: str, password: str) -> StaffUser | None:
    """The account, when the password is right and the account active. Every attempt
    checks one password hash, so an unknown e-mail takes as long as a wrong password:
    the answer time does not tell which addresses have accounts."""
    user = find_user(email)
    if user is None or not user.password_hash:
        check_password_hash(_unknown_user_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


# -- signed-in browsers -------------------------------------------------------------

def start_session(user: StaffUser, lifetime: timedelta) -> str:
    """A new signed-in browser of `user`; returns the secret its session cookie carries.
    The user's sessions older than `lifetime` go at the same time."""
    db.session.execute(db.delete(StaffSession).where(
        StaffSession.user_id == user.id, StaffSession.created_at <= _oldest_live(lifetime)))
    secret = secrets.token_urlsafe(32)
    db.session.add(StaffSession(id_hash=hash_token(secret), user_id=user.id))
    return secret


def _oldest_live(lifetime: timedelta):
    return utcnow() - lifetime


def user_for_session(user_id: int, secret: str, lifetime: timedelta) -> StaffUser | None:
    """The signed-in user of a session cookie: only while the session's record exists
    (not logged out, no password change since) and is younger than `lifetime`."""
    return db.session.execute(
        db.select(StaffUser).join(StaffSession, StaffSession.user_id == StaffUser.id)
        .where(StaffSession.id_hash == hash_token(secret), StaffUser.id == user_id,
               StaffSession.created_at > _oldest_live(lifetime))
    ).scalar_one_or_none()


def end_session(secret: str) -> None:
    db.session.execute(db.delete(StaffSession).where(StaffSession.id_hash == hash_token(secret)))


def end_sessions(user: StaffUser, keep: str | None = None) -> None:
    """Signs `user` out everywhere (but the session `keep`, when given)."""
    statement = db.delete(StaffSession).where(StaffSession.user_id == user.id)
    if keep:
        statement = statement.where(StaffSession.id_hash != hash_token(keep))
    db.session.execute(statement)


def change_password(user: StaffUser, password: str, keep_session: str | None = None) -> None:
    """A new password ends every session of the user (but the one making the change)
    and revokes their API tokens: whoever had a copy is out."""
    user.set_password(password)
    end_sessions(user, keep=keep_session)
    revoke_tokens_of(user)


def set_active(user: StaffUser, active: bool) -> None:
    user.active = active
    if not active:
        end_sessions(user)
        revoke_tokens_of(user)


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


def revoke_tokens_of(user: StaffUser) -> int:
    """Revokes every live API token of `user`; returns how many."""
    return db.session.execute(
        db.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount


# Rate limits count per token (eventapp.auth.access.caller_key): its id, when it is live.
TOKEN_ID = (db.select(_TOKENS.c.id)
            .select_from(_TOKENS.join(_USERS, _TOKENS.c.user_id == _USERS.c.id))
            .where(_TOKENS.c.token_hash == db.bindparam("token_hash"),
                   _TOKENS.c.revoked_at.is_(None), _USERS.c.active.is_(True)))


def live_token_id(secret: str) -> int | None:
    row = execute_alone(TOKEN_ID, {"token_hash": hash_token(secret)})
    return row[0] if row is not None else None


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
