"""The Redis the lockout tests share (127.0.0.1:6379 unless `TENANTRY_TEST_REDIS_URL`): each user of it
gets a unique key prefix and deletes its keys afterwards. Skipped when unreachable, unless
`TENANTRY_REQUIRE_REDIS=1` (CI), which turns that into a failure."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def require_redis() -> str:
    """The URL if Redis answers PING; else skip, or fail when CI requires it."""
    url = os.environ.get("TENANTRY_TEST_REDIS_URL", DEFAULT_REDIS_URL)
    client = redis.Redis.from_url(url, socket_timeout=3, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        reason = f"Redis is unreachable at {url}: {exc}"
        if os.environ.get("TENANTRY_REQUIRE_REDIS") == "1":
            pytest.fail(f"TENANTRY_REQUIRE_REDIS=1 but {reason}")
        pytest.skip(reason)
    finally:
        client.close()
    return url


@contextmanager
def redis_prefix(url: str) -> Iterator[str]:
    """A fresh key prefix; every key under it is deleted on exit."""
    prefix = f"tenantry-test-{uuid.uuid4().hex[:12]}:"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(url)
        try:
            names = list(client.scan_iter(match=f"{prefix}*", count=500))
            if names:
                client.delete(*names)
        finally:
            client.close()
