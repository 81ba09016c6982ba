"""Failed-login limits live in Redis when RATELIMIT_STORAGE_URI says so, so that several
gunicorn workers (or hosts) count together."""
from __future__ import annotations

import os
import uuid

import pytest

from conftest import csrf_from

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("REQUIRE_TEST_DATABASE"):
            pytest.fail(f"Redis not reachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    return REDIS_URL


def fail_login(app, address):
    client = app.test_client()
    page = client.get("/admin/login")
    return client.post("/admin/login", data={"csrf_token": csrf_from(page), "email": "x@example.com",
                                             "password": "wrong password"},
                       environ_base={"REMOTE_ADDR": address}).status_code


def test_workers_share_the_failed_login_count(make_app, redis_url):
    import redis

    # A loopback address of this test's own, so parallel runs never share a count.
    address = "127.{}.{}.{}".format(*uuid.uuid4().bytes[:3])
    config = dict(RATELIMIT_STORAGE_URI=redis_url, LOGIN_RATE_LIMIT="3 per minute")
    first = make_app(**config)
    assert [fail_login(first, address) for _ in range(3)] == [401, 401, 401]
    keys = redis.Redis.from_url(redis_url).keys(f"*{address}*")
    assert keys, "the counts are stored in Redis"
    second = make_app(**config)  # another worker: a new limiter storage, the same Redis
    assert fail_login(second, address) == 429
    assert fail_login(make_app(), address) == 401  # in-memory storage knows nothing of it
    redis.Redis.from_url(redis_url).delete(*keys)


def test_in_memory_by_default(app):
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
