"""
The page cache for anonymous visitors.

Whole pages are cached by Django's cache middleware in the "pages" cache (settings.CACHES).
Every key carries a generation number kept in the "default" cache; any change to the library
moves the generation on, so every cached page is dropped at once, on every app server, without
listing keys. Pages also expire after CACHE_MIDDLEWARE_SECONDS, which bounds how late an item
scheduled for a future publish time can appear.

What is chosen by looking across the library (topic counts, counts per kind, a topic's first
items, the home page's picks, what a resource's page shows from other tables: its credits,
topics, related resources and quotations) is cached the same way with
`cached()`: a page built afresh (a cache miss, a curator, or PAGE_CACHE_SECONDS=0) then reads
what it was asked for (a resource, a page of ids) and its template, and looks the choices up
in the cache instead of making them again; any change to the library drops them together
with the pages. Resource cards are cached the same way too (resources/cards.py).
"""

import time
from contextvars import ContextVar

from django.core.cache import caches
from django.core.cache.backends.base import default_key_func
from django.core.signals import request_finished, request_started
from django.db.models.signals import m2m_changed, post_delete, post_save

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


def cached(name, compute, alias="default"):
    """
    `compute()`, run once per generation of the library and shared by every request. Values
    kept per resource (there can be one for each of 100,000) go in the "fragments" cache,
    which keeps the most recent ones, rather than in "default", which holds few.
    """
    cache = caches[alias]
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


def invalidate_on_content_change(sender, **kwargs):
    if sender._meta.app_label == "resources":
        invalidate_pages()


def connect_signals():
    """Any save or delete of the library's models, or a change of topics, drops cached pages.
    Bulk writes (queryset.update(), the importer) call invalidate_pages() themselves."""
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(invalidate_on_content_change, dispatch_uid=f"pages-{id(signal)}")
    request_started.connect(start_request, dispatch_uid="pages-request-started")
    request_finished.connect(end_request, dispatch_uid="pages-request-finished")
