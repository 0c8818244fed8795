from django.core.paginator import EmptyPage, Paginator
from django.db import connection
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView

from .forms import CatalogFilterForm
from .models import Collection, CollectionStep, Creator, Resource, Topic

PAGE_SIZE = 20
KIND_PLURALS = {"book": "books", "video": "videos", "article": "articles", "quote": "quotes"}


def for_lists(queryset):
    """The prefetching every list of resources needs: one query each, never one per item."""
    return queryset.prefetch_related("topics", "credit_set__creator")


def published_topics():
    """Topics with their number of published resources, most used first, empty ones left out."""
    public = Q(tagged_resources__content_object__in=Resource.objects.published())
    return (
        Topic.objects.annotate(resource_count=Count("tagged_resources", filter=public))
        .filter(resource_count__gt=0)
        .order_by("name")
    )


def paginate(request, queryset, number):
    """One page of `queryset`; a page past the end is a 404 a person can read."""
    paginator = Paginator(queryset, PAGE_SIZE)
    try:
        return paginator.page(number)
    except EmptyPage:
        if number == 1:
            return paginator.page(1)  # an empty first page is an empty state, not an error
        raise Http404("There is no page with that number.") from None


def home(request):
    published = Resource.objects.published()
    start_here = (
        Collection.objects.filter(is_public=True, featured=True)
        .prefetch_related(public_steps())
        .first()
    )
    quote = (
        published.filter(kind=Resource.Kind.QUOTE)
        .prefetch_related("credit_set__creator")
        .order_by("-featured", "-published_at")
        .first()
    )
    context = {
        "start_here": start_here,
        "quote": quote,
        "topics": published_topics().filter(featured=True),
        "newest": for_lists(published.exclude(kind=Resource.Kind.QUOTE))[:6],
    }
    return render(request, "resources/home.html", context)


def catalog(request, kind=None):
    form = CatalogFilterForm(request.GET)
    form.is_valid()  # every field is lenient: cleaned_data always holds safe values
    filters = form.cleaned_data
    kind = kind or filters["kind"]
    queryset = Resource.objects.published()
    if kind:
        queryset = queryset.filter(kind=kind)
    if filters["perspective"]:
        queryset = queryset.filter(perspective=filters["perspective"])
    selected_topics = list(Topic.objects.filter(slug__in=filters["topic"]))
    for topic in selected_topics:
        queryset = queryset.filter(topics=topic)
    queryset = for_lists(queryset.order_by(*CatalogFilterForm.SORTS[filters["sort"]]))
    page = paginate(request, queryset, filters["page"])
    context = {
        "page": page,
        "kind": kind,
        "kind_label": KIND_PLURALS.get(kind, "resources"),
        "kind_fixed": kind and "kind" not in request.GET,
        "filters": filters,
        "selected_topics": selected_topics,
        "topics": published_topics(),
        "kinds": Resource.Kind.choices,
        "perspectives": Resource.Perspective.choices,
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
        return queryset.prefetch_related("topics", "credit_set__creator").select_related("source")

    def can_preview(self):
        user = self.request.user
        return user.is_staff and user.has_perm("resources.change_resource")

    def get_template_names(self):
        return [f"resources/{self.kind}_detail.html"]

    def get_context_data(self, **kwargs):
        resource = self.object
        related = (
            Resource.objects.published()
            .filter(topics__in=resource.topics.all())
            .exclude(pk=resource.pk)
            .annotate(shared=Count("topics"))
            .order_by("-shared", "-published_at")
        )
        return super().get_context_data(
            related=for_lists(related)[:4],
            quotations=Resource.objects.published().filter(source=resource)[:3]
            if resource.kind != Resource.Kind.QUOTE
            else [],
            is_preview=not resource.is_public,
            **kwargs,
        )

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if context["is_preview"]:
            add_never_cache_headers(response)
        return response


def topic_list(request):
    return render(request, "resources/topic_list.html", {"topics": published_topics()})


def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    resources = for_lists(Resource.objects.published().filter(topics=topic).order_by("title"))
    groups = {value: [] for value in Resource.Kind.values}
    for resource in resources:
        groups[resource.kind].append(resource)
    by_kind = [(KIND_PLURALS[kind], items) for kind, items in groups.items() if items]
    return render(request, "resources/topic_detail.html", {"topic": topic, "by_kind": by_kind})


def creator_detail(request, slug):
    creator = get_object_or_404(Creator, slug=slug)
    resources = for_lists(
        Resource.objects.published().filter(credit__creator=creator).distinct().order_by("title")
    )
    return render(
        request, "resources/creator_detail.html", {"creator": creator, "resources": resources}
    )


def public_steps():
    published = Resource.objects.published()
    return Prefetch(
        "steps",
        queryset=CollectionStep.objects.filter(resource__in=published)
        .select_related("resource")
        .prefetch_related("resource__credit_set__creator", "resource__topics"),
    )


def collection_list(request):
    collections = Collection.objects.filter(is_public=True).prefetch_related(public_steps())
    return render(request, "resources/collection_list.html", {"collections": collections})


def collection_detail(request, slug):
    collection = get_object_or_404(
        Collection.objects.prefetch_related(public_steps()), slug=slug, is_public=True
    )
    return render(request, "resources/collection_detail.html", {"collection": collection})


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
