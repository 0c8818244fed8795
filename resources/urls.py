"""Public URLs: a contract (DESIGN.md). Keep every path as it is."""

from csp.decorators import csp_replace
from django.conf import settings
from django.urls import path

from . import feeds
from .models import Kind
from .views import detail, library, search, your_list

app_name = "resources"

urlpatterns = [
    path("", library.home, name="home"),
    path("resources/", library.catalog, name="catalog"),
    path("topics/", library.topic_list, name="topic_list"),
    path("topics/<slug:slug>/", library.topic_detail, name="topic_detail"),
    path("people/<slug:slug>/", library.creator_detail, name="creator_detail"),
    path("collections/", library.collection_list, name="collection_list"),
    path("collections/<slug:slug>/", library.collection_detail, name="collection_detail"),
    path("feeds/latest/", feeds.LatestResourcesFeed(), name="feed"),
    path("search/", search.search, name="search"),
    path("list/", your_list.your_list, name="your_list"),
]

for kind in Kind:
    detail_view = detail.ResourceDetailView.as_view(kind=kind)
    if kind == Kind.VIDEO:
        # Only video pages may frame the video hosts (after a click): see CONTENT_SECURITY_POLICY.
        detail_view = csp_replace({"frame-src": settings.VIDEO_FRAME_SOURCES})(detail_view)
    urlpatterns += [
        path(f"{kind.plural}/", library.catalog, {"kind": kind}, name=f"{kind}_list"),
        path(f"{kind.plural}/<slug:slug>/", detail_view, name=f"{kind}_detail"),
    ]
