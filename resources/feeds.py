from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from .models import Credit, Resource


class LatestResourcesFeed(Feed):
    feed_type = Atom1Feed
    title = f"{settings.SITE_NAME}: newly published"
    link = reverse_lazy("resources:catalog")
    subtitle = "Books, videos, articles and quotes about what therapy is really like."

    def items(self):
        credits = Credit.objects.select_related("creator")
        return (
            Resource.objects.published()
            .prefetch_related(Prefetch("credit_set", queryset=credits))
            .order_by("-published_at", "-id")[:30]
        )

    def item_title(self, item):
        return f"{item.get_kind_display()}: {item.title}"

    def item_description(self, item):
        return item.quote_text if item.kind == Resource.Kind.QUOTE else item.summary

    def item_author_name(self, item):
        names = [credit.creator.name for credit in item.credits_in_order()]
        return ", ".join(names) or None

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at
