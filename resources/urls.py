"""Public URLs: a contract (DESIGN.md). Keep every path as it is."""

from csp.decorators import csp_replace
from django.conf import settings
from django.urls import path
from django.views.decorators.http import require_safe

from . import feeds
from .models import Kind
from .views import detail, library, search, site, your_list

app_name = "resources"

# Every public page answers GET and HEAD only: TRACE, OPTIONS and POST get a 405.
safe = require_safe

urlpatterns = [
    path("", safe(library.home), name="home"),
    path("resources/", safe(library.catalog), name="catalog"),
    path("topics/", safe(library.topic_list), name="topic_list"),
    path("topics/<slug:slug>/", safe(library.topic_detail), name="topic_detail"),
    path("people/<slug:slug>/", safe(library.creator_detail), name="creator_detail"),
    path("collections/", safe(library.collection_list), name="collection_list"),
    path("collections/<slug:slug>/", safe(library.collection_detail), name="collection_detail"),
    path("feeds/latest/", safe(feeds.LatestResourcesFeed()), name="feed"),
    path("search/", safe(search.search), name="search"),
    path("list/", safe(your_list.your_list), name="your_list"),
    # The site's own pages (models.Page): each address is here, its words in the admin.
    path("about/", safe(site.page), {"slug": "about"}, name="about"),
    path(
        "finding-a-therapist/",
        safe(site.page),
        {"slug": "finding-a-therapist"},
        name="finding_a_therapist",
    ),
]

for kind in Kind:
    detail_view = safe(detail.ResourceDetailView.as_view(kind=kind))
    if kind == Kind.VIDEO:
        # Only video pages may frame the video hosts (after a click): see CONTENT_SECURITY_POLICY.
        detail_view = csp_replace({"frame-src": settings.VIDEO_FRAME_SOURCES})(detail_view)
    urlpatterns += [
        path(f"{kind.plural}/", safe(library.catalog), {"kind": kind}, name=f"{kind}_list"),
        path(f"{kind.plural}/<slug:slug>/", detail_view, name=f"{kind}_detail"),
    ]
