"""An organiser's text as a safe template: plain text whose only code is a placeholder
(`{name}`, `{ticket_url}`, `{agenda_url}`), filled per person. No attribute lookups,
conversions or format specs (`{name.__class__}`, `{name!r}`, `{name:>999999}`): an
unknown placeholder is a problem at its field, never an error at send time. The HTML
part is the text escaped, in paragraphs, with its absolute links made clickable, so an
organiser's text can neither run code nor break the layout."""

import re
import string

from flask_babel import gettext as _
from markupsafe import Markup, escape

PLACEHOLDERS = ("name", "ticket_url", "agenda_url")
_FORMATTER = string.Formatter()
# An absolute link in escaped text, without the sentence's closing punctuation.
_LINK = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def placeholder_problem(text: str) -> str | None:
    """Why `text` cannot be filled in, or None."""
    try:
        parts = list(_FORMATTER.parse(text or ""))
    except ValueError:
        return _("A brace must be part of a placeholder such as {name}; write {{ or }} "
                 "for a brace itself.")
    for _literal, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in PLACEHOLDERS or spec or conversion:
            return _("Unknown placeholder {%(field)s}: use {name}, {ticket_url} or "
                     "{agenda_url}.", field=field)
    return None


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with its placeholders filled (checked by placeholder_problem first)."""
    return (text or "").format_map(values)


def to_html(text: str) -> Markup:
    """Plain text as HTML paragraphs: escaped, line breaks kept, links clickable."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    html = []
    for paragraph in paragraphs:
        escaped = str(escape(paragraph))
        linked = _LINK.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        html.append('<p style="margin:0 0 16px;">' + linked.replace("\n", "<br>\n") + "</p>")
    return Markup("\n".join(html))
