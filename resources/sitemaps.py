from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Collection, Creator, Resource, Topic


class ResourceSitemap(Sitemap):
    limit = 5000

    def items(self):
        return Resource.objects.published().order_by("id")

    def lastmod(self, item):
        return item.updated_at


class TopicSitemap(Sitemap):
    def items(self):
        return Topic.objects.with_published_counts()


class CreatorSitemap(Sitemap):
    def items(self):
        return (
            Creator.objects.filter(resources__in=Resource.objects.published())
            .distinct()
            .order_by("name", "id")
        )


class CollectionSitemap(Sitemap):
    def items(self):
        return Collection.objects.filter(is_public=True)

    def lastmod(self, item):
        return item.updated_at


class PageSitemap(Sitemap):
    def items(self):
        return [
            "resources:home",
            "resources:catalog",
            "resources:book_list",
            "resources:video_list",
            "resources:article_list",
            "resources:quote_list",
            "resources:topic_list",
            "resources:collection_list",
            "resources:about",
            "resources:finding_a_therapist",
        ]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PageSitemap,
    "resources": ResourceSitemap,
    "topics": TopicSitemap,
    "people": CreatorSitemap,
    "collections": CollectionSitemap,
}
