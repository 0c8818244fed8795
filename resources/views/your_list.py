"""
/list/?items=KIND:SLUG,...: a visitor's own list, in that order, to print or to share.

Nothing is stored: the list is the address. With JavaScript the list being built lives in the
tab's sessionStorage (static/js/list.js); without it, this page adds (`add=KIND:SLUG`) and
removes items, and its links carry the list. Its pages are never cached, on the server or in
the browser, since the address is what a visitor chose.
"""

from django.db.models import Q
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ..models import Kind, Resource, load_creator_names

MAX_ITEMS = 50


def parse_items(value):
    """[(kind, slug)] from "book:the-examined-life,video:moments-of-meaning": in order, each
    once, malformed entries dropped, at most MAX_ITEMS; and whether any was dropped."""
    items, dropped = [], False
    for entry in str(value or "").split(","):
        kind, _, slug = entry.strip().partition(":")
        if kind in Kind.values and slug and slug == slugify(slug)[:200]:
            if (kind, slug) not in items:
                items.append((kind, slug))
        elif entry.strip():
            dropped = True
    return items[:MAX_ITEMS], dropped or len(items) > MAX_ITEMS


def as_value(items):
    return ",".join(f"{kind}:{slug}" for kind, slug in items)


@require_safe
@never_cache
def your_list(request):
    items, dropped = parse_items(request.GET.get("items"))
    added, _ = parse_items(request.GET.get("add"))
    items = (items + [item for item in added if item not in items])[:MAX_ITEMS]
    wanted = Q(pk__in=[])
    for kind in {kind for kind, _ in items}:
        wanted |= Q(kind=kind, slug__in=[slug for k, slug in items if k == kind])
    found = {
        (resource.kind, resource.slug): resource
        for resource in Resource.objects.published().filter(wanted).defer("search_document")
    }
    shown = [(item, found[item]) for item in items if item in found]
    load_creator_names([resource for _, resource in shown])
    listed = [item for item, _ in shown]
    entries = [
        {
            "resource": resource,
            "remove": as_value([other for other in listed if other != item]),
        }
        for item, resource in shown
    ]
    context = {
        "entries": entries,
        "items": as_value(listed),
        "missing": len(items) - len(shown),
        "unreadable": dropped,
        "share_url": request.build_absolute_uri(f"/list/?items={as_value(listed)}")
        if listed
        else "",
    }
    return render(request, "resources/your_list.html", context)
