"""Slow clients cannot take the site down when it is served without a proxy.

The probe of issue 16: sockets that send a request's headers one line every 3 s. Against
gunicorn's sync workers two of them held both workers until WORKER TIMEOUT, and nobody
else was answered. `make run` (and the README's venue laptop) serve with waitress, which
reads each request whole in its I/O loop before a thread runs the app. The test starts
the very command of the Makefile (its SERVE options) as a real server process and checks
that ordinary requests are answered within 2 s while 2, then 200 such sockets trickle,
plus one that trickles a form body.
"""

import os
import re
import shlex
import socket
import subprocess
import sys
import threading
import time

import requests

from bench.common import ROOT, free_port
from tests import factories
from tests.servers import prepare

ANSWER_WITHIN = 2.0  # seconds for an ordinary request during the probe
TRICKLE_EVERY = 3.0  # seconds between two lines of a slow client, as in the probe
PHASE = 7.0  # seconds of ordinary requests per phase of the probe


def serve_command(port: int) -> list[str]:
    """The server command of `make run`, listening on port."""
    makefile = re.sub(r"\\\n\s*", " ", (ROOT / "Makefile").read_text())  # continued lines
    match = re.search(r"^SERVE := (.+)$", makefile, re.MULTILINE)
    assert match, "the Makefile names the server of `make run` in SERVE"
    program, *options = shlex.split(match.group(1))
    assert program == "waitress-serve"
    return [sys.executable, "-m", "waitress", *options, f"--listen=127.0.0.1:{port}",
            "wsgi:app"]


class Trickler:
    """Slow clients: each socket sends a request line, then one more line every
    TRICKLE_EVERY seconds and never finishes."""

    def __init__(self, port: int):
        self.port, self.sockets, self.stop = port, [], threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def open_headers(self, count: int) -> None:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.sockets.append(sock)

    def open_body(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        sock.sendall(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 100000\r\n\r\nemail=")
        self.sockets.append(sock)

    def _trickle(self) -> None:
        line = 0
        while not self.stop.wait(TRICKLE_EVERY):
            for sock in list(self.sockets):
                try:
                    sock.sendall(b"X-Slow-%d: a\r\n" % line)
                except OSError:
                    self.sockets.remove(sock)  # the server closed it: fine
            line += 1

    def close(self) -> None:
        self.stop.set()
        self.thread.join(10)
        for sock in self.sockets:
            sock.close()


def answered_meanwhile(url: str, seconds: float) -> list[float | None]:
    """Ordinary requests, one after another for `seconds`: each one's time, or None if
    it was not answered (200) within ANSWER_WITHIN."""
    times, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.monotonic()
        try:
            ok = requests.get(url, timeout=ANSWER_WITHIN).status_code == 200
        except requests.RequestException:
            ok = False
        times.append(time.monotonic() - start if ok else None)
        time.sleep(0.2)
    return times


def test_slow_clients_do_not_block_make_run_server(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'server.db'}"
    instance, info = prepare(database_url, lambda: {"slug": factories.event().slug})
    port = free_port()
    env = os.environ | {"DATABASE_URL": database_url, "EVENTAPP_INSTANCE_PATH": instance}
    env.pop("MAIL_SERVER", None)
    log = open(tmp_path / "server.log", "wb")
    server = subprocess.Popen(serve_command(port), cwd=str(ROOT), env=env,
                              start_new_session=True, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/e/{info['slug']}/register"
    trickler = None
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(url, timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert server.poll() is None and time.monotonic() < deadline, \
                (tmp_path / "server.log").read_text()
            time.sleep(0.1)

        trickler = Trickler(port)
        trickler.open_headers(2)  # the probe of the issue
        few = answered_meanwhile(url, PHASE)
        trickler.open_headers(198)
        trickler.open_body()
        many = answered_meanwhile(url, PHASE)

        assert None not in few, f"with 2 slow clients: {few}"
        assert None not in many, f"with 201 slow clients: {many}"
        assert len(few) >= 10 and len(many) >= 10
        assert server.poll() is None
    finally:
        if trickler is not None:
            trickler.close()
        os.killpg(server.pid, 9)
        server.wait(10)
        log.close()
