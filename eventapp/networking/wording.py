"""Reasons and people in words, in one language (pages, e-mails, calendar files, API)."""

from flask_babel import force_locale
from flask_babel import gettext as _

from .. import timefmt
from ..content import localized
from ..i18n import country_name, join_list, list_separator
from ..models import Event, Registration
from . import matching
from .services import reasons_from, slot_start


class Wording:
    """Words for one event in one language. Build it once per page or message: it reads
    the event's technology areas a single time."""

    def __init__(self, event: Event, language: str):
        self.language = language
        self.event = event
        self.areas = {t.code: localized(t, language) for t in event.technology_areas}
        with force_locale(language):
            self.requested_label = _("meeting requested")

    def country(self, code: str | None) -> str:
        return country_name(code, self.language) if code else ""

    def area(self, code: str) -> str:
        return self.areas.get(code, code)

    def reasons(self, reasons) -> str:
        """"Kenya · Water purification, Diagnostics": a stored dict or matching.Reasons."""
        if not isinstance(reasons, matching.Reasons):
            reasons = reasons_from(reasons)
        return matching.format_reasons(reasons, self.country, self.area,
                                       requested_label=self.requested_label,
                                       separator=list_separator(self.language))

    def reason_list(self, reasons) -> list[str]:
        """One string per reason: each fitting country, each shared technology, a request."""
        if not isinstance(reasons, matching.Reasons):
            reasons = reasons_from(reasons)
        words = [self.country(c) for c in reasons.countries]
        words += [self.area(t) for t in reasons.technologies]
        if reasons.requested:
            words.append(self.requested_label)
        return words

    def table(self, number: int) -> str:
        with force_locale(self.language):
            return _("Table %(num)s", num=number)

    def person(self, reg: Registration) -> str:
        """"Grace Wanjiru (Embassy of Kenya, Kenya)"."""
        details = [d for d in (reg.organisation, self.country(reg.country)) if d]
        if not details:
            return reg.name
        if self.language.startswith("ja"):
            return f"{reg.name}（{join_list(details, self.language)}）"
        return f"{reg.name} ({join_list(details, self.language)})"

    def change(self, kind: str, meeting, reg_id: int, before: tuple[int, int] | None = None
               ) -> str:
        """What a publication does to one of the person's meetings (versions.NEW, MOVED,
        CANCELLED); `before` is a moved meeting's earlier (slot, table)."""
        def at(slot: int) -> str:
            return timefmt.clock(slot_start(self.event, slot), self.event.timezone)

        other = self.person(meeting.b if meeting.a_id == reg_id else meeting.a)
        with force_locale(self.language):
            if kind == "moved":
                slot, table = before or (meeting.previous_slot, meeting.previous_table)
                return _("Moved: your meeting with %(person)s is now at %(time)s, table "
                         "%(table)s (was %(before)s, table %(old_table)s).", person=other,
                         time=at(meeting.slot), table=meeting.table_number,
                         before=at(slot), old_table=table)
            if kind == "cancelled":
                return _("Cancelled: your meeting with %(person)s at %(time)s, table "
                         "%(table)s.", person=other, time=at(meeting.slot),
                         table=meeting.table_number)
            return _("New: %(time)s, table %(table)s, with %(person)s.",
                     time=at(meeting.slot), table=meeting.table_number, person=other)
