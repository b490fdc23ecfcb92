"""The organiser's registration desk (list, review, actions, import)."""

from flask import Blueprint

bp = Blueprint("desk", __name__, url_prefix="/manage/events/<int:event_id>/registrations")
