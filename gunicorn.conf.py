"""gunicorn settings shared by every way the app is served with gunicorn (the README's
deployment, the tests' app servers, `make bench`): gunicorn reads this file from the
working directory by itself. Command-line options still choose workers and address.

Sync workers read a request in the worker: serve them only behind a proxy that buffers
whole requests (nginx does by default), or one slow client holds a worker. Without a
proxy (`make run`, a venue laptop) the app is served by waitress, see the Makefile."""

import gc
import os
import subprocess
import sys

# The app this file starts a job process for (other apps, such as the benchmarks' bare
# endpoint, get the same worker settings and no jobs).
APP = "wsgi:app"
# Set for the workers when the master runs the jobs beside them (eventapp/jobs.py).
JOBS_BESIDE = "EVENTAPP_JOBS_BESIDE"


def when_ready(server):
    """In the master, before the workers start: in the embedded setup (the default) the
    background jobs (e-mail) run in one process of their own next to the workers, not
    in threads inside them, so composing e-mails never takes a worker's time from the
    requests it serves. With JOBS_EMBEDDED off, separate `flask jobs worker` processes
    run them (README, deployment) and the process started here ends at once."""
    if server.app.app_uri != APP:
        return
    os.environ[JOBS_BESIDE] = "1"
    server.jobs_process = None
    _start_jobs(server)


# The job process runs below the workers' CPU priority: a message to 2,000 people is
# composed while the door keeps checking people in, and the scans come first (a job
# waits a few milliseconds; a queue at the door does not). docs/benchmarks.md measures it.
JOBS_NICE = 10


def _start_jobs(server):
    server.jobs_process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", APP, "jobs", "worker", "--threads", "1",
         "--beside"], preexec_fn=lambda: os.nice(JOBS_NICE))


def pre_fork(server, worker):
    """Before each worker starts (also when one is replaced): a job process that died
    is started again."""
    process = getattr(server, "jobs_process", None)
    if process is not None and process.poll() not in (None, 0):
        server.log.warning("The job process ended (%s); starting it again", process.returncode)
        _start_jobs(server)


def on_exit(server):
    process = getattr(server, "jobs_process", None)
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def post_worker_init(worker):
    """Runs in each worker once the app is loaded."""
    # Freeze what start-up built, as wsgi.py does for the app (the comment there gives
    # the measurement): here for any app gunicorn serves, so that the benchmarks' bare
    # endpoint (bench/bare_app.py) is served exactly as the app is.
    gc.freeze()
