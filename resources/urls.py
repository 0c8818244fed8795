"""Public URLs: a contract (DESIGN.md). Keep every path as it is."""

from csp.decorators import csp_replace
from django.conf import settings
from django.urls import path

from . import feeds, views
from .models import Resource

app_name = "resources"

urlpatterns = [
    path("", views.home, name="home"),
    path("resources/", views.catalog, name="catalog"),
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("people/<slug:slug>/", views.creator_detail, name="creator_detail"),
    path("collections/", views.collection_list, name="collection_list"),
    path("collections/<slug:slug>/", views.collection_detail, name="collection_detail"),
    path("feeds/latest/", feeds.LatestResourcesFeed(), name="feed"),
    path("search/", views.search, name="search"),
]

for kind, plural in views.KIND_PLURALS.items():
    detail_view = views.ResourceDetailView.as_view(kind=kind)
    if kind == Resource.Kind.VIDEO:
        # Only video pages may frame the video hosts (after a click): see CONTENT_SECURITY_POLICY.
        detail_view = csp_replace({"frame-src": settings.VIDEO_FRAME_SOURCES})(detail_view)
    urlpatterns += [
        path(f"{plural}/", views.catalog, {"kind": kind}, name=f"{kind}_list"),
        path(f"{plural}/<slug:slug>/", detail_view, name=f"{kind}_detail"),
    ]

assert set(views.KIND_PLURALS) == set(Resource.Kind.values)
