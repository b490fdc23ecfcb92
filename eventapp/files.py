"""Files that hold personal data or secrets are created readable by their owner only
(0600), whatever the process's umask: the SQLite database and its job queue, outbox
.eml files, pending imports, backups, the generated secret key.

SQLite creates a database's -wal, -shm and -journal files with the permissions of the
database file itself, so creating the database file 0600 covers them too.
"""

import os
from pathlib import Path

PRIVATE_MODE = 0o600


def create_private(path: str | os.PathLike) -> None:
    """Creates `path` empty and 0600 unless it exists (an existing file keeps the mode
    its owner gave it). An empty file is a valid, empty SQLite database."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def write_private(path: str | os.PathLike, text: str, *, exclusive: bool = False) -> None:
    """Writes `text` (UTF-8) to a new 0600 file (or over an existing one, unless
    `exclusive`). The mode is set at creation: no moment where others may read it."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, PRIVATE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def sqlite_file(database: str | None, *, uri: bool = False) -> Path | None:
    """The file of a SQLite database name as given to sqlite3.connect, or None for an
    in-memory database or a URI (file:...), which this app does not create."""
    if not database or database == ":memory:" or uri or database.startswith("file:"):
        return None
    return Path(database)
