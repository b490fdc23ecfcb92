"""Secrets in the data: check-in codes, links' tokens and API token hashes."""

from __future__ import annotations

import hashlib
import secrets
from base64 import b32encode


def new_checkin_code() -> str:
    """160 random bits as RFC 4648 base32: digits and upper-case letters only,
    which keeps the QR in alphanumeric mode (small) and survives any keyboard layout."""
    return b32encode(secrets.token_bytes(20)).decode("ascii").rstrip("=")


def new_secret_token() -> str:
    return secrets.token_urlsafe(24)


def normalise_code(text_read: str) -> str:
    return "".join(text_read.split()).upper()


def hash_token(token: str) -> str:
    # API tokens carry 256 random bits, so a fast hash is as safe as a slow one
    # and keeps every authenticated request cheap.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
