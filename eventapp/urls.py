from flask import current_app, has_request_context, url_for
from werkzeug.routing import IntegerConverter

# Row ids are INTEGER columns: 1 to MAX_ID.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` in our routes is always a row id. A number beyond MAX_ID is read as
    0, which no row has, so the view answers 404 as for any unknown id instead of the
    driver failing on it (PostgreSQL: integer out of range; SQLite past 2**63:
    OverflowError). Raising ValidationError here would answer some of those addresses
    405, as Werkzeug checks the method before converting. More than 18 digits match no
    route at all."""

    regex = r"\d{1,18}"

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= MAX_ID else 0


def external_url(endpoint: str, **values) -> str:
    """An absolute URL: from the request's host, or BASE_URL outside a request (CLI, mail)."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return url_for(endpoint, _external=True, **values)
