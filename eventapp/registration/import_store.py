"""Keeping an upload's parsed rows between the report and the confirmation, under
instance/imports/<random token>.json, readable by the app's user only; removing them
again (after a day, or when the people in them are erased)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import time
from pathlib import Path

from .importing import ImportResult, ImportRow, ParsedFile

PENDING_MAX_AGE_SECONDS = 24 * 3600
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _pending_dir(instance_path: str) -> Path:
    path = Path(instance_path) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pending_path(instance_path: str, token: str) -> Path | None:
    if not TOKEN_RE.match(token or ""):
        return None
    return _pending_dir(instance_path) / f"{token}.json"


def _remove_stale(directory: Path) -> None:
    cutoff = time.time() - PENDING_MAX_AGE_SECONDS
    for old in directory.glob("*.json"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass  # another process tidied it first


def _write(path: Path, payload: dict) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(payload, f, ensure_ascii=False)
    os.replace(tmp, path)


def save_pending(instance_path: str, event_id: int, user_id: int, filename: str,
                 parsed: ParsedFile) -> str:
    directory = _pending_dir(instance_path)
    _remove_stale(directory)
    token = secrets.token_urlsafe(24)
    _write(directory / f"{token}.json", {
        "event_id": event_id, "user_id": user_id, "filename": filename[:200],
        "ignored_columns": parsed.ignored_columns, "encoding": parsed.encoding,
        "rows": [{"number": r.number, "data": r.data, "errors": r.errors}
                 for r in parsed.rows]})
    return token


def load_pending(instance_path: str, token: str, event_id: int, user_id: int) -> dict | None:
    """The stored upload, only for the event and organiser it was made for."""
    path = _pending_path(instance_path, token)
    if path is None or not path.is_file():
        return None
    if path.stat().st_mtime < time.time() - PENDING_MAX_AGE_SECONDS:
        return None
    try:
        payload = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if payload.get("event_id") != event_id or payload.get("user_id") != user_id:
        return None
    return payload


def pending_rows(payload: dict) -> list[ImportRow]:
    return [ImportRow(r["number"], r["data"], [tuple(e) for e in r["errors"]])
            for r in payload.get("rows", [])]


def store_result(instance_path: str, token: str, payload: dict, result: ImportResult) -> None:
    """Replaces the rows by the outcome, so the page can be reloaded but not re-run."""
    path = _pending_path(instance_path, token)
    if path is None:
        return
    kept = ("event_id", "user_id", "filename", "encoding")
    _write(path, {key: payload.get(key) for key in kept} | {
        "result": {"confirmed": result.confirmed, "waitlisted": result.waitlisted,
                   "skipped": result.skipped, "seconds": round(result.seconds, 2)}})


def remove_import_copies(instance_path: str, event_id=None, people=None) -> None:
    """Stale uploads go (the daily tidy-up); so do all of event_id's, or with `people`
    (names, addresses) their rows and skipped rows naming one of them."""
    wanted = {p.strip().casefold() for p in people or () if p and p.strip()}

    def naming(row: dict) -> bool:  # a pending row ({"data": ...}) or a skipped one
        return any(str(row.get("data", row).get(k, "")).strip().casefold() in wanted
                   for k in ("name", "email"))

    _remove_stale(directory := _pending_dir(instance_path))
    for path in directory.glob("*.json") if event_id is not None else ():
        with contextlib.suppress(OSError, ValueError):  # gone meanwhile, or unreadable
            payload = json.loads(path.read_text("utf-8"))
            if payload.get("event_id") == event_id and people is None:
                path.unlink()
            elif payload.get("event_id") == event_id:
                lists = [payload.get("rows", []), payload.get("result", {}).get("skipped", [])]
                if any(naming(row) for rows in lists for row in rows):
                    for rows in lists:
                        rows[:] = [row for row in rows if not naming(row)]
                    _write(path, payload)
