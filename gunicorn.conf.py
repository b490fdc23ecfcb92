"""gunicorn settings shared by every way the app is served with gunicorn (the README's
deployment, the tests' app servers, `make bench`): gunicorn reads this file from the
working directory by itself. Command-line options still choose workers and address.

Sync workers read a request in the worker: serve them only behind a proxy that buffers
whole requests (nginx does by default), or one slow client holds a worker. Without a
proxy (`make run`, a venue laptop) the app is served by waitress, see the Makefile."""

import gc


def post_worker_init(worker):
    """Runs in each worker once the app is loaded."""
    # Freeze what start-up built (the app, its routes, templates, SQLAlchemy's mappers
    # and compiled statements): the cyclic garbage collector then stops walking these
    # long-lived objects during requests. Measured with wrk -t2 -c8 against the
    # check-in API on 2 sync workers (issue 21): p99 69-85 ms without, 18 ms with.
    gc.freeze()
    # Each worker runs the background jobs from the moment it starts (in the embedded
    # setup), not from its first request: after a restart, retries and messages a crash
    # left half sent go out with nobody visiting the site.
    jobs = getattr(worker.wsgi, "extensions", {}).get("jobs")
    if jobs is not None:
        jobs.start_embedded()
