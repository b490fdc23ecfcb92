"""The staff login's throttle: failed sign-ins count per address and per account.

An address that keeps failing waits (`LOGIN_RATE_LIMIT`), and so does an account that
keeps failing from anywhere (`LOGIN_ACCOUNT_RATE_LIMIT`, which slows a guesser spread
over many addresses). Neither holds up a browser that signed in to that account before:
a successful sign-in leaves a signed "known device" cookie naming the account, and a
sign-in to that account from that browser counts only against the browser's own budget.
So a guesser behind the venue's shared address cannot lock the door team out, and a
copied device cookie buys no more than one browser's budget. Only failures count
(deduct_when); the keys carry no e-mail address, only its hash.
"""

import hashlib
import secrets

from flask import current_app, request
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature, URLSafeSerializer

from .services import normalise_email

DEVICE_COOKIE = "eventapp_device"
DEVICE_SALT = "eventapp.known-device"
DEVICE_COOKIE_DAYS = 365
ACCOUNTS_PER_DEVICE = 10


def address_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def failed_login(response) -> bool:
    # Only failures count toward the throttle, so a busy door team is never locked out.
    return response.status_code == 200 and request.method == "POST"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=DEVICE_SALT)


def _device() -> dict | None:
    """The browser's known-device cookie: {"d": device id, "a": [account hashes]}."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        device = _serializer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(device, dict) or not isinstance(device.get("d"), str) \
            or not isinstance(device.get("a"), list):
        return None
    return device


def _account(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode("utf-8")).hexdigest()[:32]


def _attempted_account() -> str:
    return _account(request.form.get("email", "")[:320])


def known_device() -> bool:
    """This browser signed in to the account it is trying now before."""
    device = _device()
    return device is not None and _attempted_account() in device["a"]


def unknown_device() -> bool:
    return not known_device()


def address_key() -> str:
    return "login-address:" + get_remote_address()


def account_key() -> str:
    return "login-account:" + _attempted_account()


def device_key() -> str:
    device = _device()
    return "login-device:" + (device["d"] if device else "none")


def remember_device(response, email: str) -> None:
    """After a successful sign-in: the browser is known for this account from now on."""
    device = _device() or {"d": secrets.token_urlsafe(16), "a": []}
    account = _account(email)
    accounts = [a for a in device["a"] if a != account][-(ACCOUNTS_PER_DEVICE - 1):]
    value = _serializer().dumps({"d": device["d"], "a": [*accounts, account]})
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_COOKIE_DAYS * 86400,
                        httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
