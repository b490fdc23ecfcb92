"""An event's public address, `/e/<slug>`: made readable from its title (Japanese
titles romanised), chosen by the organiser if they like, and remembered when it
changes so that old links keep leading to the event."""

import re

from flask import abort, redirect, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..models import Event, EventSlug, max_length
from ..search import romanised_words
from ..validation import ValidationErrors

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_WORDS_LIMIT = 60  # generated slugs stay short; organisers may choose up to the column


def slugify(title: str) -> str:
    """A readable address from a title in any script: 技術移転セミナー -> gijutsu-iten-semina."""
    text = " ".join(romanised_words(title)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:SLUG_WORDS_LIMIT].strip("-") or "event"


def _taken_by(slug: str) -> int | None:
    """The event this address leads to now (its slug or an old one), if any."""
    current = db.session.execute(db.select(Event.id).where(Event.slug == slug)).scalar()
    if current is not None:
        return current
    return db.session.execute(
        db.select(EventSlug.event_id).where(EventSlug.slug == slug)).scalar()


def unique_slug(title: str, event_id: int | None = None) -> str:
    base = slugify(title)
    candidate, n = base, 1
    while (owner := _taken_by(candidate)) is not None and owner != event_id:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def slug_problem(slug: str, event_id: int | None = None) -> str | None:
    """Why an organiser's slug cannot be used, or None."""
    limit = max_length(Event.slug)
    if not slug:
        return _("Give the address a name, e.g. water-seminar-2027.")
    if len(slug) > limit:
        return _("At most %(limit)d characters.", limit=limit)
    if not SLUG_RE.match(slug):
        return _("Use lower-case letters a-z, digits and single hyphens between them, "
                 "e.g. water-seminar-2027.")
    owner = _taken_by(slug)
    if owner is not None and owner != event_id:
        return _("Another event already has this address (now or before). Choose another.")
    return None


def validate_slug(slug: str, event_id: int | None = None) -> None:
    if message := slug_problem(slug, event_id):
        raise ValidationErrors({"slug": message})


def change_slug(event: Event, slug: str) -> None:
    """Gives the event a new address and keeps its old one leading to it."""
    if slug == event.slug:
        return
    validate_slug(slug, event.id)
    event.old_slugs[:] = [old for old in event.old_slugs if old.slug != slug]
    db.session.flush()  # the new address may be one the event had before
    event.old_slugs.append(EventSlug(slug=event.slug))
    event.slug = slug


def event_by_slug_or_404(slug: str, *options) -> Event:
    """The event of a public address, `/e/<slug>/...`, with loader `options`. An old
    address redirects to the same page at the current one (301; 308 for a form sent to
    it, which keeps the method and body)."""
    event = db.session.execute(
        db.select(Event).where(Event.slug == slug).options(*options)).unique().scalar()
    if event is not None:
        return event
    old = db.session.execute(db.select(EventSlug).where(EventSlug.slug == slug)).scalar()
    if old is None or request.endpoint is None:
        abort(404)
    target = url_for(request.endpoint, **(request.view_args | {"slug": old.event.slug}))
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    abort(redirect(target, 301 if request.method in ("GET", "HEAD") else 308))
