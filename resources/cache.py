"""
The page cache for anonymous visitors, and the few choices made across the library.

Whole pages are cached by Django's cache middleware in the "pages" cache (settings.CACHES).
Every key carries a generation number kept in the "default" cache. The cache's one input is
the domain's `library_changed` signal: every change moves the generation on, so every cached
page is dropped at once, on every app server, without listing keys. Pages also expire after
CACHE_MIDDLEWARE_SECONDS, which bounds how late an item scheduled for a future publish time
can appear.

`cached()` keeps what a page built afresh would otherwise count across the whole library
(topic counts, counts per kind, a topic's first items: bench/README.md has the figures) under
the same generation, so it is dropped with the pages.
"""

import time
from contextvars import ContextVar

from django.core.cache import caches
from django.core.cache.backends.base import default_key_func
from django.core.signals import request_finished, request_started

from .models import library_changed

GENERATION_KEY = "pages:generation"
# How long an aggregate lives at most: it bounds how late a resource scheduled for a future
# publish time is counted (every other change invalidates at once).
AGGREGATE_SECONDS = 300


def new_generation():
    # Time-based, so a generation never repeats after the cache server restarts.
    return time.time_ns() // 1000


# The generation a request has read, so that it reads it once (a cache round trip, not one per
# cache key) and builds and stores its page under one generation throughout. None outside a
# request: a command or a shell always reads the current one.
request_generation = ContextVar("request_generation", default=None)


def generation():
    memo = request_generation.get()
    if memo is not None and "value" in memo:
        return memo["value"]
    value = caches["default"].get_or_set(GENERATION_KEY, new_generation, timeout=None)
    if memo is not None:
        memo["value"] = value
    return value


def start_request(**kwargs):
    request_generation.set({})


def end_request(**kwargs):
    request_generation.set(None)


def page_key(key, key_prefix, version):
    """KEY_FUNCTION of the "pages" cache: Django's key, prefixed with the current generation."""
    return default_key_func(key, f"{key_prefix}:{generation()}", version)


def cached(name, compute):
    """`compute()`, run once per generation of the library and shared by every request.
    `name` says what it is, e.g. ("kinds", "catalog", perspective, topic ids)."""
    if not isinstance(name, str):
        name = ":".join(str(part) for part in name)
    cache = caches["default"]
    key = f"aggregate:{generation()}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, AGGREGATE_SECONDS)
    return value


def invalidate_pages(**kwargs):
    """Drop every cached page (the next request for each is built afresh)."""
    try:
        caches["default"].incr(GENERATION_KEY)
    except ValueError:
        caches["default"].set(GENERATION_KEY, new_generation(), timeout=None)


def connect_signals():
    library_changed.connect(invalidate_pages, dispatch_uid="pages-library-changed")
    request_started.connect(start_request, dispatch_uid="pages-request-started")
    request_finished.connect(end_request, dispatch_uid="pages-request-finished")
