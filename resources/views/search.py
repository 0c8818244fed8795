"""/search/: the engine is resources/search; this binds the form, paginates and links."""

from django.http import QueryDict
from django.shortcuts import render

from ..forms import SearchForm
from ..models import Kind
from ..search import search_library
from .library import kind_tabs, paginate, published_topics


def search_url(query, kind="", topics=()):
    params = QueryDict(mutable=True)
    params["q"] = query
    if kind:
        params["kind"] = kind
    params.setlist("topic", [topic.slug for topic in topics])
    return "/search/?" + params.urlencode()


def search(request):
    form = SearchForm(request.GET)
    form.is_valid()  # every field is lenient: cleaned_data always holds safe values
    params = form.cleaned_data
    kind = Kind(params["kind"]) if params["kind"] else None
    results = search_library(params["q"], params["kind"], params["topic"])
    selected = results.selected_topics

    def link(kind=kind, topics=selected, query=results.searched):
        """This search with one thing changed; the page number is dropped."""
        return search_url(query, kind or "", topics)

    context = {
        "form": form,
        "results": results,
        "kind": kind,
        "page": paginate(results.hits, params["page"]) if results.total else None,
        "kind_tabs": kind_tabs(
            results.kind_counts, results.without_kind, lambda k: link(kind=k), kind
        ),
        "topic_links": [
            {"topic": topic, "count": count, "url": link(topics=[*selected, topic])}
            for topic, count in results.topic_counts
            if topic not in selected
        ],
        "selected_topic_links": [
            {"topic": topic, "url": link(topics=[t for t in selected if t != topic])}
            for topic in selected
        ],
        "without_kind_url": link(kind=None),
        "without_topics_url": link(topics=[]),
        "suggestion_url": link(query=results.suggestion),
        "original_url": link(query=results.query),
        "page_query": link().split("?", 1)[1],
    }
    if not results.hits:
        context["topics"] = published_topics()
    return render(request, "resources/search.html", context)
