"""Event content in the reader's language.

Events, agenda items, categories and technology areas keep their English text in a
column (`title`, `name`, ...) and the Japanese beside it (`title_ja`, `name_ja`, ...).
`translated` is the one place that chooses: the reader's language, falling back to the
other one when that is empty. Pages read the UI locale; e-mails, calendar files and
reports are rendered inside the recipient's locale (flask_babel.force_locale), so the
same call gives the registration's language there.
"""

from .i18n import current_language

LANGUAGES = ("en", "ja")
# What an API client or a form may give in Japanese, per model.
EVENT_TRANSLATED = ("title", "description", "venue")


def column(field: str, language: str) -> str:
    """The attribute holding `field` in `language`: title, title_ja."""
    return field if language == "en" else f"{field}_{language}"


def translated(obj, field: str, language: str | None = None) -> str:
    """`obj.field` in `language` (default: the current locale), else in the other one."""
    language = language if language in LANGUAGES else current_language()
    mine = getattr(obj, column(field, language), "") or ""
    if mine:
        return mine
    other = "en" if language == "ja" else "ja"
    return getattr(obj, column(field, other), "") or ""


def localized(obj, language: str | None = None) -> str:
    """A category's or technology area's name in `language`."""
    return translated(obj, "name", language)


def paragraphs(text: str) -> list[str]:
    """A description as its paragraphs (blank lines between them), each kept whole."""
    normalised = (text or "").replace("\r\n", "\n")
    return [p.strip() for p in normalised.split("\n\n") if p.strip()]


def translations_of(event) -> dict:
    """The event's Japanese texts as the API gives and takes them."""
    return {"ja": {field: getattr(event, column(field, "ja")) or ""
                   for field in EVENT_TRANSLATED}}
