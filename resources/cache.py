"""
The page cache for anonymous visitors, and the few choices made across the library.

Whole pages are cached by Django's cache middleware in the "pages" cache (settings.CACHES).
Every key carries a generation number kept in the "default" cache. The cache's inputs are
the domain's `library_changed` signal and the clock: every change moves the generation on,
and so does the publish time of a scheduled item when it comes (`generation()` keeps the next
one beside the generation), so every cached page is dropped at once, on every app server,
without listing keys.

`cached()` keeps what a page built afresh would otherwise count across the whole library
(topic counts, counts per kind, a topic's first items: bench/README.md has the figures) under
the same generation, so it is dropped with the pages.
"""

import time
from contextvars import ContextVar

from django.core.cache import caches
from django.core.cache.backends.base import default_key_func
from django.core.signals import request_finished, request_started
from django.db import DatabaseError
from django.utils import timezone

from .models import Resource, library_changed

GENERATION_KEY = "pages:generation"
# (the next publish time to come, or None; when it was looked up).
SCHEDULE_KEY = "pages:schedule"
# How often the schedule is looked up again: it bounds how late an item goes live when it was
# scheduled sooner than the one the schedule expected, or by a write that announced nothing.
SCHEDULE_SECONDS = 60
# How long an aggregate lives at most (it is dropped with the generation before that).
AGGREGATE_SECONDS = 300


def new_generation():
    # Time-based, so a generation never repeats after the cache server restarts.
    return time.time_ns() // 1000


# The generation a request has read, so that it reads it once (a cache round trip, not one per
# cache key) and builds and stores its page under one generation throughout. None outside a
# request: a command or a shell always reads the current one.
request_generation = ContextVar("request_generation", default=None)


def generation():
    """The library's generation, read once per request (with the schedule, in one round trip).
    When a scheduled item's publish time has passed, it moves on first, as a change would."""
    memo = request_generation.get()
    if memo is not None and "value" in memo:
        return memo["value"]
    cache = caches["default"]
    found = cache.get_many([GENERATION_KEY, SCHEDULE_KEY])
    value = found.get(GENERATION_KEY)
    if value is None:
        value = cache.get_or_set(GENERATION_KEY, new_generation, timeout=None)
    if went_live(found.get(SCHEDULE_KEY)):
        value = move_on()
    if memo is not None:
        memo["value"] = value
    return value


def went_live(schedule):
    """Whether an item was published by the clock since the schedule was looked up. Looks it
    up again when it is missing, due, or SCHEDULE_SECONDS old (changes do not drop it, so that
    a page built after a change costs no extra query: an item a change scheduled sooner than
    the one expected is found at the next look, at most a minute late)."""
    now = timezone.now()
    if schedule is not None:
        next_at, checked_at = schedule
        due = next_at is not None and next_at <= now
        if not due and (now - checked_at).total_seconds() < SCHEDULE_SECONDS:
            return False
    try:
        first = schedule and Resource.objects.next_publish_time(after=schedule[1])
        coming = Resource.objects.next_publish_time(after=now)
    except DatabaseError:  # the cached pages can still be served; look again next time
        return False
    caches["default"].set(SCHEDULE_KEY, (coming, now), timeout=None)
    # Missing (a first request, or evicted): what went live meanwhile is unknown, so yes.
    return schedule is None or (first is not None and first <= now)


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
    move_on()


def move_on():
    """The next generation, which every cache key then carries. Returns it."""
    try:
        return caches["default"].incr(GENERATION_KEY)
    except ValueError:
        value = new_generation()
        caches["default"].set(GENERATION_KEY, value, timeout=None)
        return value


def connect_signals():
    library_changed.connect(invalidate_pages, dispatch_uid="pages-library-changed")
    request_started.connect(start_request, dispatch_uid="pages-request-started")
    request_finished.connect(end_request, dispatch_uid="pages-request-finished")
