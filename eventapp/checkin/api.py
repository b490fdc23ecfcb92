"""API v1: checkin calls."""

from flask import Blueprint

from ..extensions import csrf

bp = Blueprint("checkin_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
