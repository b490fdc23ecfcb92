"""The baseline: a bare Flask endpoint doing one database write per request, with the
same connection settings as the app (SQLite: WAL, busy timeout, BEGIN IMMEDIATE)."""

import os
import sqlite3
import threading

from flask import Flask, jsonify, request

app = Flask(__name__)
URL = os.environ["BARE_DATABASE_URL"]
_local = threading.local()


def connection():
    conn = getattr(_local, "conn", None)
    if conn is None:
        if URL.startswith("sqlite:///"):
            conn = sqlite3.connect(URL.removeprefix("sqlite:///"), isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA synchronous=NORMAL")
        else:
            import psycopg

            conn = psycopg.connect(URL.replace("postgresql+psycopg://", "postgresql://"))
        _local.conn = conn
    return conn


def write(sql_sqlite: str, sql_pg: str, params) -> int:
    conn = connection()
    if isinstance(conn, sqlite3.Connection):
        conn.execute("BEGIN IMMEDIATE")
        count = conn.execute(sql_sqlite, params).rowcount
        conn.execute("COMMIT")
        return count
    with conn.transaction():
        return conn.execute(sql_pg, params).rowcount


@app.get("/")
def index():
    return "bare"


@app.post("/bare/checkin")
def checkin():
    code = (request.get_json(silent=True) or {}).get("code", "")
    count = write("UPDATE registrations SET checked_in_at = CURRENT_TIMESTAMP "
                  "WHERE checkin_code = ? AND checked_in_at IS NULL",
                  "UPDATE registrations SET checked_in_at = now() "
                  "WHERE checkin_code = %s AND checked_in_at IS NULL", (code.upper(),))
    return jsonify(result="checked_in" if count else "already_checked_in"), 201 if count else 200


@app.post("/bare/signup")
def signup():
    body = request.get_json(silent=True) or {}
    write("INSERT INTO bare_signups (name, email) VALUES (?, ?)",
          "INSERT INTO bare_signups (name, email) VALUES (%s, %s)",
          (body.get("name", ""), body.get("email", "")))
    return jsonify(status="confirmed"), 201
