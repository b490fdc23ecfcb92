"""The door's records: the scan log (every scan, whatever its result) and the live
counts of who has arrived."""

import re
from dataclasses import dataclass
from datetime import datetime

from .. import timefmt
from ..extensions import db
from ..models import Registration, ScanLog, ScanResult, StaffUser, Status

LOG = ScanLog.__table__
CODE_LENGTH = LOG.c.code.type.length
DEVICE_LENGTH = LOG.c.device.type.length
REASON_LENGTH = LOG.c.reason.type.length
_RECORD = LOG.insert()


def printable(text: str, limit: int) -> str:
    """Text safe to store: no control characters, NULs or lone surrogates (which
    PostgreSQL and UTF-8 encoders reject), cut to the column's length."""
    return "".join(ch for ch in text[: limit * 4] if ch.isprintable())[:limit]


def record(conn, event_id: int, staff_id: int, device: str, now: datetime, *, method: str,
           result: str, registration_id: int | None = None, code: str = "",
           reason: str = "") -> None:
    """One row of the scan log, in the transaction of `conn`."""
    conn.execute(_RECORD, {
        "event_id": event_id, "registration_id": registration_id, "staff_user_id": staff_id,
        "code": printable(code, CODE_LENGTH), "method": method, "result": str(result),
        "reason": reason[:REASON_LENGTH], "device": printable(device, DEVICE_LENGTH),
        "created_at": now})


_SYSTEMS = (  # (pattern in a user-agent, name; a version group where one is shown)
    (r"iPhone", "iPhone"), (r"iPad", "iPad"), (r"Android ([0-9]+)", "Android"),
    (r"CrOS", "ChromeOS"), (r"Windows", "Windows"), (r"Mac OS X|Macintosh", "macOS"),
    (r"Linux", "Linux"))
_BROWSERS = ((r"EdgA?/", "Edge"), (r"OPR/", "Opera"), (r"SamsungBrowser/", "Samsung Internet"),
             (r"Firefox/|FxiOS/", "Firefox"), (r"Chrome/|CriOS/", "Chrome"),
             (r"Safari/", "Safari"))


def device_name(device: str) -> str:
    """A short name for the scan log from what a scanner sent: the scanner page's own
    id and its browser's user-agent ("web-4f7a2c · Chrome · Android 14"); text that
    holds no user-agent is kept as it is."""
    label, found, agent = device.partition("Mozilla/")
    if not found:
        return device
    device = found + agent
    system = next(((m, name) for pattern, name in _SYSTEMS
                   if (m := re.search(pattern, device))), None)
    browser = next((name for pattern, name in _BROWSERS if re.search(pattern, device)), "")
    parts = [p for p in (label.strip(), browser) if p]
    if system:
        match, name = system
        parts.append(f"{name} {match.group(1)}" if match.groups() else name)
    return " · ".join(parts) or device[:40]


# -- live counts ---------------------------------------------------------------------

def stats(event) -> dict:
    """Checked in / expected (confirmed), overall and by category, in one query."""
    confirmed = db.func.sum(db.case((Registration.status == Status.CONFIRMED, 1), else_=0))
    arrived = db.func.sum(db.case((Registration.checked_in_at.is_not(None), 1), else_=0))
    rows = dict((row.category_id, row) for row in db.session.execute(
        db.select(Registration.category_id, confirmed.label("expected"),
                  arrived.label("checked_in"))
        .where(Registration.event_id == event.id)
        .group_by(Registration.category_id)))
    by_category = []
    for category in event.categories:
        row = rows.get(category.id)
        by_category.append({"category": category,
                            "expected": int(row.expected or 0) if row else 0,
                            "checked_in": int(row.checked_in or 0) if row else 0})
    return {"checked_in": sum(c["checked_in"] for c in by_category),
            "expected": sum(c["expected"] for c in by_category),
            "by_category": by_category}


# -- the scan log page ---------------------------------------------------------------

LOG_PAGE_SIZE = 50


def scan_log_query(event_id: int, *, result: str | None = None, staff_id: int | None = None):
    query = (db.select(ScanLog).where(ScanLog.event_id == event_id)
             .options(db.selectinload(ScanLog.registration),
                      db.selectinload(ScanLog.staff_user)))
    if result:
        query = query.where(ScanLog.result == result)
    if staff_id:
        query = query.where(ScanLog.staff_user_id == staff_id)
    return query.order_by(ScanLog.created_at.desc(), ScanLog.id.desc())


def scan_log_page(event_id: int, page: int, **filters):
    return db.paginate(scan_log_query(event_id, **filters), page=page,
                       per_page=LOG_PAGE_SIZE, error_out=False)


def scanning_staff(event_id: int) -> list[StaffUser]:
    """Staff members who scanned at this event, for the log's filter."""
    ids = db.select(ScanLog.staff_user_id).where(ScanLog.event_id == event_id).distinct()
    return list(db.session.execute(
        db.select(StaffUser).where(StaffUser.id.in_(ids)).order_by(StaffUser.name,
                                                                     StaffUser.email)
    ).scalars())


# -- recent scans on the scanner page ------------------------------------------------

# The result card's colours (scanner.js KIND): anything else is "bad".
KINDS = {ScanResult.CHECKED_IN: "ok", ScanResult.ALREADY_CHECKED_IN: "warn",
         ScanResult.UNDONE: "info"}
_UNDOABLE = {ScanResult.CHECKED_IN, ScanResult.ALREADY_CHECKED_IN}


@dataclass(frozen=True)
class RecentScan:
    registration_id: int
    name: str
    result: str
    kind: str
    time: str  # the scan's clock time in the event's zone
    can_undo: bool


def recent_scans(event, staff_id: int, limit: int) -> list[RecentScan]:
    """The staff member's latest scans of people at this event, the latest per person
    first: "Recent scans" as the scanner page shows it (scanner.js adds new ones)."""
    rows = db.session.execute(
        db.select(ScanLog).where(ScanLog.event_id == event.id,
                                 ScanLog.staff_user_id == staff_id,
                                 ScanLog.registration_id.is_not(None))
        .options(db.selectinload(ScanLog.registration))
        .order_by(ScanLog.created_at.desc(), ScanLog.id.desc()).limit(limit * 8)).scalars()
    shown: dict[int, RecentScan] = {}
    for scan in rows:
        reg = scan.registration
        if reg is None or reg.id in shown:
            continue
        shown[reg.id] = RecentScan(
            reg.id, reg.name, scan.result, KINDS.get(scan.result, "bad"),
            timefmt.clock(scan.created_at, event.timezone),
            scan.result in _UNDOABLE and reg.event_id == event.id
            and reg.checked_in_at is not None)
        if len(shown) >= limit:
            break
    return list(shown.values())

