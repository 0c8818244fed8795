from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from .models import Resource


class LatestResourcesFeed(Feed):
    feed_type = Atom1Feed
    title = f"{settings.SITE_NAME}: newly published"
    link = reverse_lazy("resources:catalog")
    subtitle = "Books, videos, articles and quotes about what therapy is really like."

    def items(self):
        return Resource.objects.published().with_credits().order_by("-published_at", "-id")[:30]

    def item_title(self, item):
        return f"{item.get_kind_display()}: {item.title}"

    def item_description(self, item):
        return item.quote_text if item.kind == Resource.Kind.QUOTE else item.summary

    def item_author_name(self, item):
        return ", ".join(item.creator_names()) or None

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at
