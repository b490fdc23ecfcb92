"""The outbox folder (no MAIL_SERVER): the .eml copies that mail.py writes of the
messages it sends. Copies hold personal data, so they go when their registration is
erased (privacy/services.py) and after the retention period (jobs.py)."""

import html
import time
from email import message_from_bytes
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.policy import compat32
from pathlib import Path


def _readable_text(raw: bytes) -> str:
    """A stored message as a person reads it, case folded: decoded headers and text
    parts (HTML entities resolved), whatever transfer encoding they were written in.
    (The compat32 parser: a twentieth of the modern one's time per file.)"""
    message = message_from_bytes(raw, policy=compat32)
    parts = []
    for value in message.values():
        try:
            parts.append(str(make_header(decode_header(value))))
        except (LookupError, ValueError, HeaderParseError):
            parts.append(value)
    for part in message.walk():
        if part.get_content_maintype() == "text":
            content = part.get_payload(decode=True) or b""
            parts.append(content.decode(part.get_content_charset() or "utf-8", "replace"))
    return html.unescape("\n".join(parts)).casefold()


def remove_outbox_files(config, *, email_ids=(), mentioning=(),
                        older_than_days: float | None = None) -> int:
    """Deletes the outbox folder's .eml files of the given messages, those whose text
    names any of `mentioning` (a name or an address), and those older than
    `older_than_days`. Returns how many went."""
    outbox = Path(config["OUTBOX_DIR"])
    if not outbox.is_dir():
        return 0
    wanted = {f"-{email_id}.eml" for email_id in email_ids}
    needles = [m.casefold() for m in mentioning if m and m.strip()]
    cutoff = None if older_than_days is None else time.time() - older_than_days * 86400
    removed = 0
    for path in outbox.glob("*.eml"):
        try:
            if not (path.name[path.name.rfind("-"):] in wanted
                    or (cutoff is not None and path.stat().st_mtime < cutoff)
                    or (needles and any(n in _readable_text(path.read_bytes())
                                        for n in needles))):
                continue
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass  # another process removed it first
    return removed
