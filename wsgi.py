"""The app as every server loads it: gunicorn's workers (README, deployment), waitress
(`make run`, a venue laptop) and the job process (`flask --app wsgi jobs worker`)."""

import gc

from eventapp import create_app

app = create_app()

# Freeze what start-up built (the app, its routes, templates, SQLAlchemy's mappers and
# compiled statements): the cyclic garbage collector then stops walking these
# long-lived objects during requests. Measured with wrk -t2 -c8 against the check-in API
# on gunicorn's 2 sync workers (issue 21): p99 69-85 ms without, 18 ms with. Here for
# every server that loads this module; gunicorn.conf.py does the same after loading any
# app, so the benchmarks' bare endpoint is served alike.
gc.freeze()
