"""The abuse-limit counters in the database (eventapp/limitstore.py), on both databases:
the `limits` library's fixed-window strategy over the storage, and the hourly clean-up."""

import time

from limits import parse
from limits.strategies import FixedWindowRateLimiter

from eventapp.extensions import db
from eventapp.limitstore import DatabaseStorage, remove_expired
from eventapp.models import RateLimitCounter


def counters() -> dict[str, int]:
    db.session.rollback()
    return dict(db.session.execute(db.select(RateLimitCounter.key, RateLimitCounter.count)).all())


def test_the_fixed_window_strategy_counts_in_the_database(app):
    storage = DatabaseStorage("eventapp-db://", app=app)
    limiter = FixedWindowRateLimiter(storage)
    three = parse("3 per minute")
    assert [limiter.hit(three, "signup", "203.0.113.9") for _ in range(4)] == \
        [True, True, True, False]
    assert limiter.hit(three, "signup", "198.51.100.1")  # another address, its own budget
    reset, remaining = limiter.get_window_stats(three, "signup", "203.0.113.9")
    assert remaining == 0 and time.time() < reset <= time.time() + 60
    # A second storage on the same database (another process) sees the same counts.
    assert not FixedWindowRateLimiter(DatabaseStorage(app=app)).test(
        three, "signup", "203.0.113.9")


def test_a_window_that_ended_starts_again_and_the_job_removes_old_windows(app):
    storage = DatabaseStorage(app=app)
    assert storage.incr("old", expiry=1) == 1
    assert storage.incr("old", expiry=1) == 2
    assert storage.incr("long", expiry=3600) == 1
    time.sleep(1.1)
    assert storage.get("old") == 0
    assert storage.incr("old", expiry=1) == 1  # a new window, counted from one
    time.sleep(1.1)
    app.extensions["jobs"].tidy()  # the hourly job (run at once in the tests)
    assert counters() == {"long": 1}
    assert remove_expired(app) == 0


def test_keys_longer_than_the_column_are_stored_as_their_hash(app):
    storage = DatabaseStorage(app=app)
    key = "LIMITER/" + "x" * 400
    assert storage.incr(key, expiry=60) == 1 and storage.incr(key, expiry=60) == 2
    assert storage.get(key) == 2
    [stored] = counters()
    assert stored.startswith("sha256:") and len(stored) <= 255
    storage.clear(key)
    assert counters() == {}
