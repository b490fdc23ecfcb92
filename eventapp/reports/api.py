"""API v1: reports calls."""

from flask import Blueprint

from ..extensions import csrf

bp = Blueprint("reports_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
