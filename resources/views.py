import sys

from django.core.paginator import EmptyPage, Paginator
from django.db import InterfaceError, OperationalError, connection
from django.db.models import Count, F, Prefetch, Q, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView

from .cache import cached
from .cards import render_cards
from .forms import CatalogFilterForm, SearchForm
from .models import Collection, CollectionStep, Creator, Credit, Resource, TaggedTopic, Topic
from .search import search_library

PAGE_SIZE = 20
TOPIC_ITEMS_PER_KIND = 6
RELATED_CANDIDATES_PER_TOPIC = 50
ANCHOR_EVERY = 1000  # rows between two cached anchors of a long list (CountedPaginator)
KIND_PLURALS = {"book": "books", "video": "videos", "article": "articles", "quote": "quotes"}


def published_topics():
    """
    Topics with their number of published resources, empty ones left out: a list, cached
    (resources/cache.py), because the count reads every tagged row of the library.
    """
    public = Q(tagged_resources__content_object__in=Resource.objects.published())
    return cached(
        "topics",
        lambda: list(
            Topic.objects.annotate(resource_count=Count("tagged_resources", filter=public))
            .filter(resource_count__gt=0)
            .order_by("name")
        ),
    )


def kind_groups(counts, url_for_kind=None):
    """[{kind, label, plural, count, url}] in the order of Resource.Kind, for counts > 0."""
    return [
        {
            "kind": kind,
            "label": label,
            "plural": KIND_PLURALS[kind],
            "count": counts[kind],
            "url": url_for_kind(kind) if url_for_kind else None,
        }
        for kind, label in Resource.Kind.choices
        if counts.get(kind)
    ]


def count_by_kind(queryset, name):
    """{kind: count} of `queryset`, cached under `name` (it counts every match)."""
    return cached(
        f"kinds:{name}",
        lambda: dict(queryset.order_by().values_list("kind").annotate(n=Count("id"))),
    )


class CountedPaginator(Paginator):
    """
    A paginator for the long catalog lists, whose deep pages cost about what page 1 does.

    Its count is given (a cached count, instead of a COUNT(*) over the catalog per request).
    A page is read by a deferred join: the OFFSET walks the ids alone (an index-only scan on the
    catalog indexes), then only the page's own rows are read in full. And the walk starts at
    the nearest anchor, not at the top: the sort key of every ANCHOR_EVERY-th row, found once
    per generation of the library (one pass with a window function) and cached under `name`.
    Page 2,000 then walks fewer than ANCHOR_EVERY index entries, not 40,000. A page holds the
    ids of its resources (their cards come from resources/cards.py). `ordering` is
    the list's: two fields, the last one unique. (Like the cached counts, deep pages may be
    off by the resources whose scheduled publish time passed in the last AGGREGATE_SECONDS.)
    """

    def __init__(self, object_list, per_page, count, ordering, name):
        super().__init__(object_list, per_page)
        self.given_count, self.ordering, self.name = count, ordering, name

    @cached_property
    def count(self):
        return self.given_count

    def page(self, number):
        number = self.validate_number(number)
        offset = (number - 1) * self.per_page
        rows = self.object_list
        if offset >= ANCHOR_EVERY:
            anchors = cached(f"anchors:{self.name}", self.anchors)
            chunk = min(offset // ANCHOR_EVERY, len(anchors))
            if chunk:
                rows = rows.filter(at_or_after(self.ordering, anchors[chunk - 1]))
                offset -= chunk * ANCHOR_EVERY
        ids = rows.values_list("id", flat=True)[offset : offset + self.per_page]
        return self._get_page(list(ids), number, self)

    def anchors(self):
        """The sort keys of rows ANCHOR_EVERY, 2 × ANCHOR_EVERY... (counting from 0)."""
        position = Window(RowNumber(), order_by=self.ordering)
        numbers = range(ANCHOR_EVERY + 1, self.count + 1, ANCHOR_EVERY)
        keys = [field.lstrip("-") for field in self.ordering]
        return list(
            self.object_list.annotate(position=position)
            .filter(position__in=numbers)
            .order_by("position")
            .values_list(*keys)
        )


def at_or_after(ordering, key):
    """Rows at or after the row whose sort key is `key`, in `ordering` (its last field unique)."""
    (first, last), (first_value, last_value) = ordering, key
    first_after = f"{first.lstrip('-')}__{'lt' if first.startswith('-') else 'gt'}"
    last_after = f"{last.lstrip('-')}__{'lt' if last.startswith('-') else 'gt'}"
    # Written with a redundant `first <= value` so that the index scan starts there.
    return Q(**{f"{first_after}e": first_value}) & (
        Q(**{first_after: first_value}) | Q(**{f"{last_after}e": last_value})
    )


def paginate(request, queryset, number, counted=None):
    """
    One page of `queryset`; a page past the end is a 404 a person can read. `counted` is
    (count, ordering, cache name) for a CountedPaginator.
    """
    if counted is None:
        paginator = Paginator(queryset, PAGE_SIZE)
    else:
        paginator = CountedPaginator(queryset, PAGE_SIZE, *counted)
    try:
        return paginator.page(number)
    except EmptyPage:
        if number == 1:
            return paginator.page(1)  # an empty first page is an empty state, not an error
        raise Http404("There is no page with that number.") from None


def home(request):
    picks = cached("home", home_picks)
    context = {
        **picks,
        "topics": [topic for topic in published_topics() if topic.featured],
        "newest": render_cards(picks["newest"], "h3").values(),
    }
    return render(request, "resources/home.html", context)


def home_picks():
    """
    What the home page shows, chosen across the library (cached per generation): a reading
    path to start with and its steps, the featured or newest quote, the newest items' ids.
    """
    published = Resource.objects.published()
    start_here = (
        Collection.objects.filter(is_public=True)
        .order_by("-featured", "title")
        .only("title", "slug", "summary")
        .first()
    )
    quote = (
        published.filter(kind=Resource.Kind.QUOTE)
        .order_by("-featured", "-published_at")
        .only("kind", "slug", "quote_text", "source_title", "source_id")
        .with_credits()
        .first()
    )
    quote_source = None
    if quote and quote.source_id:
        quote_source = published.filter(pk=quote.source_id).only("title").first()
    newest = published.exclude(kind=Resource.Kind.QUOTE).values_list("id", flat=True)[:6]
    return {
        "start_here": start_here,
        "start_steps": list(public_steps().filter(collection=start_here)) if start_here else [],
        "quote": quote,
        "quote_by": quote.creator_names() if quote else [],
        "quote_source": quote_source,
        "newest": list(newest),
    }


def catalog(request, kind=None):
    form = CatalogFilterForm(request.GET)
    form.is_valid()  # every field is lenient: cleaned_data always holds safe values
    filters = form.cleaned_data
    kind_fixed = kind is not None
    kind = kind or filters["kind"]
    queryset = Resource.objects.published()
    if filters["perspective"]:
        queryset = queryset.filter(perspective=filters["perspective"])
    selected_topics = list(Topic.objects.filter(slug__in=filters["topic"]))
    for topic in selected_topics:
        queryset = queryset.filter(topics=topic)
    topic_ids = ",".join(str(topic.pk) for topic in sorted(selected_topics, key=lambda t: t.pk))
    name = f"catalog:{filters['perspective']}:{topic_ids}"
    counts = count_by_kind(queryset, name)
    if kind:
        queryset = queryset.filter(kind=kind)
    ordering = CatalogFilterForm.SORTS[filters["sort"]]
    queryset = queryset.order_by(*ordering)
    total = counts.get(kind, 0) if kind else sum(counts.values())
    counted = (total, ordering, f"{name}:{kind}:{filters['sort']}")
    page = paginate(request, queryset, filters["page"], counted)

    # Links to another kind keep the other filters; per-kind lists live at /books/ etc.
    other_filters = query_without(request, "kind", "page")
    suffix = f"?{other_filters}" if other_filters else ""
    context = {
        "page": page,
        "cards": render_cards(page.object_list, "h2").values(),
        "kind": kind,
        "kind_label": Resource.Kind(kind).label if kind else "",
        "kind_plural": KIND_PLURALS.get(kind, "resources"),
        "kind_fixed": kind_fixed,
        "filters": filters,
        "selected_topics": selected_topics,
        "topics": published_topics(),
        "perspectives": Resource.Perspective.choices,
        "perspective_label": Resource.Perspective(filters["perspective"]).label
        if filters["perspective"]
        else "",
        "kind_links": kind_groups(counts, lambda k: f"/{KIND_PLURALS[k]}/{suffix}"),
        "all_count": sum(counts.values()),
        "all_url": f"/resources/{suffix}",
        "is_filtered": bool(selected_topics or filters["perspective"]),
        "query_without_page": query_without(request, "page"),
    }
    return render(request, "resources/catalog.html", context)


def query_without(request, *names):
    """The current query string without `names`, for links that keep the other filters."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


class ResourceDetailView(DetailView):
    """A resource's page. Staff who may edit it also see drafts, with a preview banner."""

    kind = None
    context_object_name = "resource"

    def get_queryset(self):
        queryset = Resource.objects.filter(kind=self.kind)
        if not self.can_preview():
            queryset = queryset.published()
        queryset = queryset.defer("search_document")
        if self.kind == Resource.Kind.QUOTE:  # only a quote names a source
            queryset = queryset.select_related("source").defer("source__search_document")
        return queryset

    def can_preview(self):
        user = self.request.user
        return user.is_staff and user.has_perm("resources.change_resource")

    def get_template_names(self):
        return [f"resources/{self.kind}_detail.html"]

    def get_context_data(self, **kwargs):
        resource = self.object
        parts = cached(f"parts:{resource.pk}", lambda: page_parts(resource), alias="fragments")
        resource.credit_list = parts["credits"]
        return super().get_context_data(
            topics=parts["topics"],
            related=render_cards(parts["related"], "h3").values(),
            quotations=parts["quotations"],
            is_preview=not resource.is_public,
            **kwargs,
        )

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if context["is_preview"]:
            add_never_cache_headers(response)
        return response


def page_parts(resource):
    """
    What a resource's page shows from other tables, cached per generation (a detail page
    built afresh then reads one row): its credits and topics, the ids of related resources,
    and the quotes taken from it.
    """
    credits = list(Credit.objects.filter(resource=resource).select_related("creator"))
    topics = list(Topic.objects.filter(tagged_resources__content_object_id=resource.pk))
    related = []
    if topics:
        related = related_resources(resource, [topic.pk for topic in topics], limit=4)
    quotations = []
    if resource.kind != Resource.Kind.QUOTE:
        quotations = list(
            Resource.objects.published()
            .filter(source=resource)
            .only("kind", "slug", "quote_text")[:3]
        )
    return {"credits": credits, "topics": topics, "related": related, "quotations": quotations}


def related_resources(resource, topic_ids, limit):
    """
    The ids of up to `limit` published resources sharing the most of `topic_ids` with
    `resource`, newest first among equals. Counting shared topics over every resource on a
    popular topic reads thousands of rows, so the candidates are bounded: the last
    RELATED_CANDIDATES_PER_TOPIC resources added to each topic (an index walk each, see
    link_topic_resource_idx; drafts among them are dropped, not replaced), ranked by the topics
    they share. One query, in plain SQL that PostgreSQL and SQLite both run: a UNION of one
    bounded part per topic, which the ORM can express only by compiling a queryset per topic
    (then most of the page's time). Checking publication outside the parts, not in each,
    halves the query's planning and running time (3 ms to 1 ms at 100,000 resources).
    """
    link, item = TaggedTopic._meta.db_table, Resource._meta.db_table
    part = (
        f"SELECT * FROM (SELECT content_object_id FROM {link} "
        "WHERE tag_id = %s AND content_object_id <> %s "
        "ORDER BY content_object_id DESC LIMIT %s) AS part"
    )
    candidates = " UNION ".join(part for _ in topic_ids)
    topics = ", ".join("%s" for _ in topic_ids)
    sql = (
        f"SELECT {item}.id FROM {item} JOIN {link} ON {link}.content_object_id = {item}.id "
        f"WHERE {item}.id IN ({candidates}) AND {link}.tag_id IN ({topics}) "
        f"AND {item}.status = %s AND {item}.published_at <= %s "
        f"GROUP BY {item}.id, {item}.published_at "
        f"ORDER BY COUNT(*) DESC, {item}.published_at DESC, {item}.id DESC LIMIT %s"
    )
    params = []
    for topic_id in topic_ids:
        params += [topic_id, resource.pk, RELATED_CANDIDATES_PER_TOPIC]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params += [*topic_ids, Resource.Status.PUBLISHED, now, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [pk for (pk,) in cursor.fetchall()]


def topic_list(request):
    return render(request, "resources/topic_list.html", {"topics": published_topics()})


def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    resources = Resource.objects.published().filter(topics=topic)
    counts = count_by_kind(resources, f"topic:{topic.pk}")
    # The first few of each kind by title, chosen in one query and cached (it sorts every
    # resource on the topic); "see all" links go to the filtered catalog.
    rank = Window(RowNumber(), partition_by=F("kind"), order_by=[F("title").asc(), F("id").asc()])
    first = cached(
        f"topic-items:{topic.pk}",
        lambda: [
            (resource.pk, resource.kind, resource.title, resource.get_absolute_url())
            for resource in resources.annotate(rank=rank)
            .filter(rank__lte=TOPIC_ITEMS_PER_KIND)
            .order_by("title", "id")
            .only("kind", "title", "slug")
        ],
    )
    cards = render_cards([pk for pk, *_ in first], "h3")
    groups = kind_groups(counts, lambda kind: f"/{KIND_PLURALS[kind]}/?topic={topic.slug}")
    for group in groups:
        group["cards"] = [
            cards[pk] for pk, kind, *_ in first if kind == group["kind"] and pk in cards
        ]
    context = {
        "topic": topic,
        "groups": groups,
        "items": [(title, path) for _, _, title, path in first],
        "total": sum(counts.values()),
    }
    return render(request, "resources/topic_detail.html", context)


def creator_detail(request, slug):
    creator = get_object_or_404(Creator, slug=slug)
    resources = (
        Resource.objects.published()
        .filter(credit__creator=creator)
        .distinct()
        .order_by("title", "id")
        .values_list("id", flat=True)
    )
    form = CatalogFilterForm(request.GET)
    form.is_valid()
    page = paginate(request, resources, form.cleaned_data["page"])
    context = {"creator": creator, "page": page, "cards": render_cards(page, "h3").values()}
    return render(request, "resources/creator_detail.html", context)


def public_steps():
    """Collection steps of published resources, with what a link to each resource needs."""
    steps = CollectionStep.objects.filter(resource__in=Resource.objects.published())
    return steps.select_related("resource").only(
        "collection",
        "note",
        "position",
        "resource__kind",
        "resource__title",
        "resource__slug",
        "resource__quote_text",
    )


def collection_list(request):
    steps = Prefetch("steps", queryset=public_steps())
    collections = Collection.objects.filter(is_public=True).prefetch_related(steps)
    return render(request, "resources/collection_list.html", {"collections": collections})


def collection_detail(request, slug):
    collection = get_object_or_404(
        Collection.objects.prefetch_related(Prefetch("steps", queryset=public_steps())),
        slug=slug,
        is_public=True,
    )
    all_steps = collection.steps.all()
    cards = render_cards([step.resource_id for step in all_steps], "h2")
    steps = [step for step in all_steps if step.resource_id in cards]
    for step in steps:
        step.card = cards[step.resource_id]
    context = {
        "collection": collection,
        "steps": steps,
        "items": [(step.resource.title, step.resource.get_absolute_url()) for step in steps],
    }
    return render(request, "resources/collection_detail.html", context)


def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {sitemap_url}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@never_cache
def healthz(request):
    """200 when the app and its database answer, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def search(request):
    """/search/: the engine is resources/search.py; this binds the form and renders."""
    form = SearchForm(request.GET)
    form.is_valid()  # every field is lenient: cleaned_data always holds safe values
    params = form.cleaned_data
    results = search_library(params["q"], params["kind"], params["topic"], params["page"])
    context = {"form": form, "results": results, "kind": params["kind"]}
    if not results.results:
        context["topics"] = published_topics()
    return render(request, "resources/search.html", context)


def server_error(request):
    """
    handler500: the site's error page, not a traceback. When the database cannot be reached,
    a 503 with Retry-After instead, which says "try again soon" to people and load balancers.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "30"
        return response
    return render(request, "500.html", status=500)
