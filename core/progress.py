"""Task progress in the cache (Redis in production), read and written so that a dead Redis breaks no page.

Progress is a courtesy (a bar that moves, the worker's name): when the cache cannot be reached
(connection refused or timed out, settings CACHES: about a second at most) a read finds nothing and
a write is dropped, logged once per call. The records themselves (states, counts) live in the database.
"""

import logging

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CACHE_ERRORS = (RedisError, OSError)


def progress_get(key: str):
    """The cached value, or None (also when the cache is unreachable)."""
    try:
        return cache.get(key)
    except CACHE_ERRORS as exc:
        logger.warning("cache unreachable, progress %s not read: %s", key, exc)
        return None


def progress_set(key: str, value, *, timeout: int) -> None:
    try:
        cache.set(key, value, timeout=timeout)
    except CACHE_ERRORS as exc:
        logger.warning("cache unreachable, progress %s not written: %s", key, exc)


def progress_delete(key: str) -> None:
    try:
        cache.delete(key)
    except CACHE_ERRORS as exc:
        logger.warning("cache unreachable, progress %s not deleted: %s", key, exc)
