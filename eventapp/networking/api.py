"""API v1: networking calls."""

from flask import Blueprint

from ..extensions import csrf

bp = Blueprint("networking_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
