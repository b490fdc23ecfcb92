"""Shared pieces of the benchmarks: servers, load, tables. Traffic stays on 127.0.0.1."""

import contextlib
import os
import platform
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from pathlib import Path
from statistics import quantiles

import requests

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({cpu or platform.machine()}), Python {platform.python_version()}"


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_BASE, connect_timeout=3):
            return True
    except Exception:
        return False


@contextlib.contextmanager
def pg_schema():
    """A fresh PostgreSQL schema; yields a SQLAlchemy URL that uses it."""
    from urllib.parse import quote

    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_BASE, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        url = PG_BASE.replace("postgresql://", "postgresql+psycopg://", 1)
        yield url + ("&" if "?" in url else "?") + "options=" + quote(f"-csearch_path={schema}")
    finally:
        with psycopg.connect(PG_BASE, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def make_instance(config: str = "") -> str:
    """A throw-away instance folder whose config.py lifts the abuse limits for load."""
    folder = tempfile.mkdtemp(prefix="bench-instance-")
    Path(folder, "config.py").write_text(textwrap.dedent("""
        RATELIMIT_ENABLED = False
        SECRET_KEY = "bench"
    """) + textwrap.dedent(config))
    return folder


@contextlib.contextmanager
def gunicorn(app_spec: str, env: dict, workers: int = 2, cwd: Path = ROOT, threads: int = 1):
    """Serves `app_spec` (module:app) with gunicorn sync workers on a free port. Its log
    goes to a file (a pipe nobody reads would stall the workers once full); the end of
    it is printed if the server fails to start or logged errors."""
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
           "-b", f"127.0.0.1:{port}", "--log-level", "warning", app_spec]
    log = tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log",
                                      delete=False)
    proc = subprocess.Popen(cmd, cwd=str(cwd), env=os.environ | env,
                            stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(base + "/", timeout=5)
                break
            except requests.RequestException:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start: "
                                       + Path(log.name).read_text()[-2000:]) from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        text = Path(log.name).read_text()
        if text.strip():
            print(f"--- {app_spec} logged (end of {log.name}):\n{text[-3000:]}",
                  file=sys.stderr)
        log.close()


def cpu_seconds(base_url: str) -> dict[str, float]:
    """CPU time (user and system) used so far by the gunicorn master and workers serving
    `base_url` ("web"), by the job process that master started ("jobs"), and by the
    PostgreSQL server ("database": all its processes, with the backends that already
    ended, which the postmaster counts; nothing else uses it while a benchmark runs)."""
    bind = base_url.removeprefix("http://").encode()
    tick = os.sysconf("SC_CLK_TCK")
    totals = {"web": 0.0, "jobs": 0.0, "database": 0.0}
    web, others = set(), []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            name = (proc / "comm").read_text().strip()
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        own = (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        if bind in cmdline:
            totals["web"] += own
            web.add(int(proc.name))
        elif name == "postgres":
            totals["database"] += own + (int(fields[13]) + int(fields[14])) / tick  # ended
        else:
            others.append((int(fields[1]), cmdline, own))  # the parent's pid
    totals["jobs"] = sum(own for parent, cmdline, own in others
                         if parent in web and b"jobs" in cmdline)
    return totals


def run_load(make_session, do_request, jobs: list, concurrency: int) -> dict:
    """Runs do_request(session, job) for every job over `concurrency` threads, each with
    its own session made by make_session(i). Returns rps and latency percentiles (ms)."""
    chunks = [jobs[i::concurrency] for i in range(concurrency)]
    sessions = [make_session(i) for i in range(concurrency)]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(concurrency + 1)

    def worker(i):
        mine = []
        barrier.wait()
        for job in chunks[i]:
            start = time.perf_counter()
            ok = do_request(sessions[i], job)
            mine.append(time.perf_counter() - start)
            if ok is not True:
                with lock:
                    errors.append(str(ok))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    cuts = quantiles(latencies, n=100)
    return {"requests": len(latencies), "started": started, "seconds": elapsed,
            "rps": len(latencies) / elapsed,
            "p50": cuts[49] * 1000, "p90": cuts[89] * 1000, "p99": cuts[98] * 1000,
            "max": max(latencies) * 1000, "errors": len(errors),
            "first_error": errors[0] if errors else ""}


def in_process_app(database_url: str, folder: str):
    """The app for a benchmark that calls it in process rather than through a server:
    limits lifted, no mail server, jobs run at once, its files in `folder`."""
    from eventapp import create_app

    return create_app({
        "TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False, "MAIL_SERVER": "", "JOBS_IMMEDIATE": True,
        "OUTBOX_DIR": str(Path(folder) / "outbox"),
    }, instance_path=str(Path(folder) / "instance"))


def load_average() -> str:
    """For a section's text: how busy the machine was."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"Load average when measured: {load:.1f} on {os.cpu_count()} CPUs."


def table(headers: list[str], rows: list[list]) -> str:
    def cell(v):
        return f"{v:,.1f}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def on_each_database(measure) -> list:
    """measure(database_url, label) on a fresh SQLite file, then on a fresh PostgreSQL
    schema when the server is reachable; the rows of both."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows += measure(f"sqlite:///{tmp}/bench.db", "SQLite")
    if postgres_available():
        with pg_schema() as url:
            rows += measure(url, "PostgreSQL")
    return rows
