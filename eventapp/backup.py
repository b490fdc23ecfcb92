"""`flask backup PATH` and `flask restore PATH`.

SQLite: the online backup API copies the database page by page inside one read
transaction, so the copy is a consistent snapshot even while the app keeps serving
(WAL readers do not block writers). The copy is switched to a plain rollback journal
(one self-contained file) and checked with PRAGMA integrity_check before it replaces
PATH. Restoring goes through the same API in the other direction, which takes the
database's write lock and handles its write-ahead log, instead of copying a file over
a database whose -wal file may still hold pages.

PostgreSQL: the app does not pretend: it runs the server's own `pg_dump` (custom
format) when it is on PATH, and otherwise stops with the documented procedure.
Restoring is done with `pg_restore` by hand (README, "Backups").
"""

import os
import shlex
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.engine import URL

from .database import SQLITE_BUSY_TIMEOUT_MS
from .extensions import db
from .files import create_private

README_HINT = "see README.md, section “Data protection and retention”, “Backups”"


class BackupError(click.ClickException):
    pass


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError(f"cannot back up the SQLite database {url.database!r}: "
                          "not a plain file")
    return Path(url.database).resolve()


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    target = path.resolve().as_uri() + ("?mode=ro" if read_only else "")
    conn = sqlite3.connect(target, uri=True, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    return conn


def _check(conn: sqlite3.Connection) -> tuple[int, int]:
    """integrity_check must say ok; returns (registrations, check-ins)."""
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if problems != ["ok"]:
        raise BackupError("integrity check failed: " + "; ".join(problems[:5]))
    try:
        return conn.execute("SELECT count(*), count(checked_in_at) FROM registrations"
                            ).fetchone()
    except sqlite3.DatabaseError as e:
        raise BackupError(f"not a database of this app: {e}") from e


def _refuse_overwrite(target: Path, force: bool, *live: Path) -> None:
    resolved = target.resolve()
    if any(resolved == p or (resolved.parent == p.parent
                             and resolved.name.startswith(p.name + "-")) for p in live):
        raise BackupError(f"{target} is the live database (or one of its files)")
    if target.exists() and not force:
        raise BackupError(f"{target} exists; choose another name or pass --force")
    if not target.parent.is_dir():
        raise BackupError(f"the folder {target.parent} does not exist")


def backup_sqlite(source: Path, target: Path, force: bool = False) -> tuple[int, int]:
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    _refuse_overwrite(target, force, source)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    try:
        create_private(partial)  # a backup holds personal data: owner only
        with closing(_connect(source)) as live, closing(_connect(partial)) as copy:
            live.backup(copy)  # all pages in one step: one consistent read snapshot
            copy.execute("PRAGMA journal_mode=DELETE")
            figures = _check(copy)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return figures


def restore_sqlite(backup: Path, target: Path) -> tuple[int, int]:
    with closing(_connect(backup, read_only=True)) as saved:
        figures = _check(saved)
        create_private(target)
        with closing(_connect(target)) as live:
            saved.backup(live)
            _check(live)
    return figures


def _search_path_schemas(url: URL) -> list[str]:
    """Schemas named by `options=-csearch_path=...` in the URL: the app's tables live
    there, so only they are dumped."""
    options = url.query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    words = shlex.split(options.replace("-c ", "-c"))
    for word in words:
        if word.startswith("-csearch_path="):
            return [s.strip().strip('"') for s in word.split("=", 1)[1].split(",")
                    if s.strip() and s.strip() != '"$user"']
    return []


def pg_dump_command(url: URL, target: Path) -> tuple[list[str], dict[str, str]]:
    """The pg_dump call (custom format) and its environment: the password travels in
    PGPASSWORD, never on the command line where `ps` shows it."""
    conninfo = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                          database=url.database, query=url.query).render_as_string()
    args = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}",
            f"--dbname={conninfo}"]
    schemas = _search_path_schemas(url)
    args += [f"--schema={schema}" for schema in schemas]
    if schemas:
        # A dump limited to schemas leaves out the extensions they use: the search key's
        # trigram index needs pg_trgm (migration 0006) in the restored database too.
        args.append("--extension=pg_trgm")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def backup_postgresql(url: URL, target: Path, force: bool = False) -> None:
    executable = shutil.which("pg_dump")
    if executable is None:
        raise BackupError(
            "pg_dump is not on PATH, so no backup was made. Install the PostgreSQL client "
            "tools of your server's version (Debian: apt install postgresql-client) and "
            f"run this again, or run pg_dump yourself ({README_HINT}).")
    _refuse_overwrite(target, force)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    args, env = pg_dump_command(url, partial)
    try:
        partial.unlink(missing_ok=True)
        create_private(partial)  # pg_dump writes into it and keeps its mode
        done = subprocess.run([executable, *args[1:]], env=env, capture_output=True,
                              text=True)
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        if shutil.which("pg_restore"):
            listing = subprocess.run(["pg_restore", "--list", str(partial)],
                                     capture_output=True, text=True)
            if listing.returncode != 0:
                raise BackupError(f"the dump cannot be read back: {listing.stderr.strip()}")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup_command(path: Path, force: bool):
    """Write a consistent backup of the database to PATH (safe while the app serves).

    SQLite: a single SQLite file. PostgreSQL: a pg_dump archive in custom format
    (restore it with pg_restore). The backup holds personal data: keep it safe and
    delete old ones."""
    url = db.engine.url
    backend = url.get_backend_name()
    if backend == "sqlite":
        registrations, checked_in = backup_sqlite(_sqlite_file(url), path, force)
        click.echo(f"Backed up {registrations} registrations ({checked_in} checked in); "
                   "integrity check ok.")
    elif backend == "postgresql":
        backup_postgresql(url, path, force)
        click.echo("Backed up with pg_dump (custom format; restore with pg_restore).")
    else:
        raise BackupError(f"no backup method for {backend} databases")
    click.echo(str(path))


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool):
    """Replace the SQLite database with the backup at PATH. Stop the app first.

    PostgreSQL backups are restored with pg_restore (see README.md)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise BackupError("on PostgreSQL restore the pg_dump archive with pg_restore "
                          f"({README_HINT})")
    target = _sqlite_file(url)
    if path.resolve() == target:
        raise BackupError(f"{path} is the live database")
    if not yes:
        click.confirm(f"Replace everything in {target} with {path}?", abort=True)
    db.engine.dispose()
    registrations, checked_in = restore_sqlite(path, target)
    click.echo(f"Restored {registrations} registrations ({checked_in} checked in) "
               f"into {target}.")
