"""The home page, the catalog and what it links to: resources, topics, people, paths."""

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from ..cache import cached
from ..forms import CatalogFilterForm
from ..models import (
    CARD_FIELDS,
    Collection,
    Creator,
    Kind,
    Resource,
    Topic,
    TopicRedirect,
    load_creator_names,
)

PAGE_SIZE = 20
TOPIC_ITEMS_PER_KIND = 6
ANCHOR_EVERY = 1000  # rows between two anchors of a long list (SortedIds)


def published_topics():
    """Topics with their number of published resources: counted once per change to the
    library (it reads every topic link of the library)."""
    return cached("topics", lambda: list(Topic.objects.with_published_counts()))


class SortedIds:
    """
    The ids of a long list (the catalog) in `ordering`, for a Paginator, whose deep pages cost
    what page 1 does. `count` is known (counted once per change to the library). A slice walks
    the ids alone (an index-only scan), and starts at the nearest anchor, the sort key of
    every ANCHOR_EVERY-th row (found once per change, and kept under `name`): page 2,500
    reads fewer than ANCHOR_EVERY index entries, not 50,000 (bench/README.md: 10 to 18 ms
    at 100,000 resources without anchors, a fraction of one with them).
    """

    def __init__(self, resources, ordering, count, name):
        self.resources, self.ordering, self.count, self.name = resources, ordering, count, name

    def __len__(self):
        return self.count

    def __getitem__(self, index):
        start, size, rows = index.start, index.stop - index.start, self.resources
        if start >= ANCHOR_EVERY:
            anchors = cached(
                ("anchors", *self.name),
                lambda: self.resources.anchors(self.ordering, ANCHOR_EVERY, self.count),
            )
            chunk = min(start // ANCHOR_EVERY, len(anchors))
            if chunk:
                rows = rows.from_anchor(self.ordering, anchors[chunk - 1])
                start -= chunk * ANCHOR_EVERY
        ids = rows.order_by(*self.ordering).values_list("id", flat=True)
        return list(ids[start : start + size])


def paginate(items, number):
    """Page `number` of `items`; past the end, a 404 a person can read."""
    paginator = Paginator(items, PAGE_SIZE)
    try:
        return paginator.page(number)
    except EmptyPage:
        if number == 1:
            return paginator.page(1)  # an empty first page is an empty state, not an error
        raise Http404("There is no page with that number.") from None


def kind_tabs(counts, all_count, url_for, current):
    """The "All, Books, Videos…" tabs of the catalog and the search page: a kind is left out
    when nothing of it matches, unless it is the one being shown."""
    everything = {"kind": None, "label": "All", "count": all_count, "current": not current}
    tabs = [{**everything, "url": url_for("")}]
    for kind in Kind:
        if counts.get(kind) or kind == current:
            tabs.append(
                {
                    "kind": kind,
                    "label": kind.plural.capitalize(),
                    "count": counts.get(kind, 0),
                    "url": url_for(kind),
                    "current": kind == current,
                }
            )
    return tabs


def query_without(request, *names):
    """The current query string without `names`, for links that keep the other filters."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def home(request):
    published = Resource.objects.published()
    start_here = Collection.objects.filter(is_public=True).order_by("-featured", "title").first()
    quote = (
        published.filter(kind=Kind.QUOTE)
        .order_by("-featured", "-published_at")
        .select_related("source")
        .defer("search_document", "source__search_document")
        .with_credits()
        .first()
    )
    context = {
        "start_here": start_here,
        "start_steps": start_here.steps.public() if start_here else [],
        "quote": quote,
        "topics": [topic for topic in published_topics() if topic.featured],
        "newest": load_creator_names(
            list(published.exclude(kind=Kind.QUOTE).only(*CARD_FIELDS)[:6])
        ),
    }
    return render(request, "resources/home.html", context)


def catalog(request, kind=None):
    form = CatalogFilterForm(request.GET)
    form.is_valid()  # every field is lenient: cleaned_data always holds safe values
    filters = form.cleaned_data
    kind_fixed = kind is not None
    kind = Kind(kind or filters["kind"]) if kind or filters["kind"] else None
    resources = Resource.objects.published()
    if filters["perspective"]:
        resources = resources.filter(perspective=filters["perspective"])
    selected_topics = list(Topic.objects.filter(slug__in=filters["topic"]))
    for topic in selected_topics:
        resources = resources.filter(topics=topic)
    name = (filters["perspective"], *sorted(topic.pk for topic in selected_topics))
    counts = cached(("kinds", *name), resources.count_by_kind)
    if kind:
        resources = resources.filter(kind=kind)
    total = counts.get(kind, 0) if kind else sum(counts.values())
    ordering = CatalogFilterForm.SORTS[filters["sort"]]
    ids = SortedIds(resources, ordering, total, (*name, kind or "", filters["sort"]))
    page = paginate(ids, filters["page"])

    # Links to another kind keep the other filters; per-kind lists live at /books/ etc.
    other_filters = query_without(request, "kind", "page")
    suffix = f"?{other_filters}" if other_filters else ""
    tabs = kind_tabs(
        counts,
        sum(counts.values()),
        lambda k: f"{Kind(k).list_url if k else '/resources/'}{suffix}",
        kind,
    )
    context = {
        "page": page,
        "resources": Resource.objects.cards(page.object_list),
        "kind": kind,
        "kind_fixed": kind_fixed,
        "filters": filters,
        "selected_topics": selected_topics,
        "topics": published_topics(),
        "perspectives": Resource.Perspective.choices,
        "perspective_label": Resource.Perspective(filters["perspective"]).label
        if filters["perspective"]
        else "",
        "kind_tabs": tabs,
        "other_kinds": [tab for tab in tabs[1:] if tab["count"]],
        "is_filtered": bool(selected_topics or filters["perspective"]),
        "query_without_page": query_without(request, "page"),
    }
    return render(request, "resources/catalog.html", context)


def topic_list(request):
    return render(request, "resources/topic_list.html", {"topics": published_topics()})


def topic_detail(request, slug):
    topic = Topic.objects.filter(slug=slug).first()
    if topic is None:  # perhaps merged into another
        return redirect(get_object_or_404(TopicRedirect, old_slug=slug), permanent=True)
    resources = Resource.objects.published().filter(topics=topic)
    # Both read every resource on the topic (thousands on a popular one): once per change.
    counts = cached(("kinds", "topic", topic.pk), resources.count_by_kind)
    first = cached(
        ("topic-items", topic.pk), lambda: resources.first_of_each_kind(TOPIC_ITEMS_PER_KIND)
    )
    cards = Resource.objects.cards(first)
    groups = [
        {
            "kind": kind,
            "count": counts[kind],
            "url": f"{kind.list_url}?topic={topic.slug}",
            "resources": [resource for resource in cards if resource.kind == kind],
        }
        for kind in Kind
        if counts.get(kind)
    ]
    context = {"topic": topic, "groups": groups, "items": cards, "total": sum(counts.values())}
    return render(request, "resources/topic_detail.html", context)


def creator_detail(request, slug):
    creator = get_object_or_404(Creator, slug=slug)
    ids = (
        Resource.objects.published()
        .filter(credit__creator=creator)
        .distinct()
        .order_by("title", "id")
        .values_list("id", flat=True)
    )
    form = CatalogFilterForm(request.GET)
    form.is_valid()
    page = paginate(ids, form.cleaned_data["page"])
    resources = Resource.objects.cards(page.object_list)
    return render(
        request,
        "resources/creator_detail.html",
        {"creator": creator, "page": page, "resources": resources},
    )


def collection_list(request):
    public_steps = Q(steps__resource__in=Resource.objects.published())
    collections = Collection.objects.filter(is_public=True).annotate(
        step_count=Count("steps", filter=public_steps)
    )
    return render(request, "resources/collection_list.html", {"collections": collections})


def collection_detail(request, slug):
    collection = get_object_or_404(Collection, slug=slug, is_public=True)
    steps = collection.steps.public()
    context = {
        "collection": collection,
        "steps": steps,
        "resources": [step.resource for step in steps],
    }
    return render(request, "resources/collection_detail.html", context)
