"""A resource's page: its own row, its credits and topics, related resources, and where it
stands on a reading path it was reached from."""

from django.db.models import Prefetch
from django.utils.cache import add_never_cache_headers
from django.utils.text import slugify
from django.views.generic import DetailView

from ..models import Kind, Resource, path_around
from .your_list import as_value, parse_items


class ResourceDetailView(DetailView):
    """A resource's page. Staff who may edit it also see drafts, with a preview banner."""

    kind = None
    context_object_name = "resource"

    def get_queryset(self):
        resources = (
            Resource.objects.filter(kind=self.kind)
            .defer("search_document")
            .with_credits()
            .prefetch_related("topics")
        )
        if not self.can_preview():
            resources = resources.published()
        if self.kind == Kind.BOOK:  # a book's page shows the quotes taken from it
            quotations = Resource.objects.published().only("kind", "slug", "quote_text", "source")
            resources = resources.prefetch_related(
                Prefetch("quotations", queryset=quotations[:3], to_attr="public_quotations")
            )
        elif self.kind == Kind.QUOTE:  # a quote's page names its source
            resources = resources.select_related("source").defer("source__search_document")
        return resources

    def can_preview(self):
        user = self.request.user
        return user.is_staff and user.has_perm("resources.change_resource")

    def get_template_names(self):
        return [f"resources/{self.kind}_detail.html"]

    def get_context_data(self, **kwargs):
        resource = self.object
        topics = sorted(resource.topics.all(), key=lambda topic: topic.name)
        related = Resource.objects.related_to(resource, [topic.pk for topic in topics])
        path = self.request.GET.get("path", "")
        visitor_list, _ = parse_items(self.request.GET.get("list"))
        return super().get_context_data(
            visitor_list=as_value(visitor_list),
            topics=topics,
            related=Resource.objects.cards(related),
            is_preview=not resource.is_public,
            # ?path=SLUG: the page was reached from a reading path (a malformed one is ignored)
            path=path_around(path, resource) if path == slugify(path)[:200] and path else None,
            **kwargs,
        )

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if context["is_preview"] or context["visitor_list"]:
            add_never_cache_headers(response)  # a draft, or a visitor's own list in the address
        return response
