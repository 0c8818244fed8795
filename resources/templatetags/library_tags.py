"""
Template helpers for the public pages: images, durations, outbound links and structured data.

Structured data is built as a dict here and written as JSON with `<`, `>` and `&` escaped, so
no text a curator types can close the `<script type="application/ld+json">` element.
"""

import json
import re
from urllib.parse import urlencode, urlsplit

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from resources.models import Resource
from resources.search.text import START_MARK, STOP_MARK

register = template.Library()

JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}

KIND_ICONS = {
    # Simple line drawings for the placeholder shown when a resource has no image.
    "book": '<path d="M12 7c-2-1.6-5-2-8-2v12c3 0 6 .4 8 2 2-1.6 5-2 8-2V5c-3 0-6 .4-8 2Z"/>'
    '<path d="M12 7v12"/>',
    "video": '<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m10 9 5 3-5 3Z"/>',
    "article": '<rect x="5" y="3" width="14" height="18" rx="1.5"/>'
    '<path d="M8 8h8M8 12h8M8 16h5"/>',
    "quote": '<path d="M10 8c-3 0-4 2-4 4v4h4v-4H8c0-1.5.5-2 2-2Zm8 0c-3 0-4 2-4 4v4h4v-4h-2'
    'c0-1.5.5-2 2-2Z"/>',
}

SCHEMA_ROLES = {
    "author": "author",
    "editor": "editor",
    "translator": "translator",
    "producer": "producer",
    "speaker": "contributor",
    "host": "contributor",
}


@register.simple_tag
def site_name():
    """The site's name from settings; works without a request (the 500 page)."""
    return settings.SITE_NAME


@register.simple_tag
def crisis_support_text():
    return settings.CRISIS_SUPPORT_TEXT


@register.simple_tag
def exit_page_url():
    """Where "Exit this page" goes; empty when it is turned off."""
    return settings.EXIT_PAGE_URL


@register.simple_tag
def page_cache_minutes():
    """How long the server may keep a page it built, in whole minutes (at least 1)."""
    return max(1, -(-settings.CACHE_MIDDLEWARE_SECONDS // 60))


@register.simple_tag
def crisis_lines():
    """settings.CRISIS_LINES, each with its `tel:` link, and `sms:` where it takes texts."""
    lines = []
    for line in settings.CRISIS_LINES:
        digits = "".join(char for char in line["number"] if char.isdigit() or char == "+")
        reach = line.get("reach", "call")
        lines.append(
            {
                **line,
                "tel": f"tel:{digits}" if "call" in reach else "",
                "sms": f"sms:{digits}" if "text" in reach else "",
            }
        )
    return lines


@register.simple_tag(takes_context=True)
def absolute_url(context, path=None):
    request = context.get("request")
    if request is None:
        return path or "/"
    return request.build_absolute_uri(request.path if path is None else path)


@register.simple_tag
def cover_image(resource, sizes="(min-width: 48em) 160px, 96px", loading="lazy"):
    """The resource's image with a srcset, width and height; a quiet placeholder without one."""
    if resource.image:
        try:
            small, large = resource.image_thumbnail, resource.image_large
            srcset = f"{small.url} {small.width}w, {large.url} {large.width}w"
            return format_html(
                '<img class="cover" src="{}" srcset="{}" sizes="{}" width="{}" height="{}" '
                'alt="{}" loading="{}" decoding="async">',
                small.url,
                srcset,
                sizes,
                small.width,
                small.height,
                resource.image_alt,
                loading,
            )
        except (OSError, ValueError):
            pass  # a missing or unreadable file: show the placeholder rather than fail the page
    return format_html(
        '<span class="cover cover--placeholder cover--{}" aria-hidden="true">'
        '<svg viewBox="0 0 24 24" width="40" height="40" fill="none" stroke="currentColor" '
        'stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round">{}</svg></span>',
        resource.kind,
        mark_safe(KIND_ICONS.get(resource.kind, "")),
    )


@register.filter
def join_and(items, tag=""):
    """ "a", "a and b", "a, b and c": the items (escaped), each in <tag> when one is given."""
    names = [conditional_escape(item) for item in items]
    if tag:
        names = [format_html("<{}>{}</{}>", tag, name, tag) for name in names]
    if len(names) < 2:
        return mark_safe("".join(names))
    return mark_safe(f"{', '.join(names[:-1])} and {names[-1]}")


@register.filter
def highlighted(snippet):
    """A search snippet, escaped, with the engine's marks around matches made <mark> tags."""
    html, marking = [], False
    for part in re.split(f"([{START_MARK}{STOP_MARK}])", snippet or ""):
        if part in (START_MARK, STOP_MARK):
            if marking != (part == START_MARK):
                html.append("<mark>" if part == START_MARK else "</mark>")
            marking = part == START_MARK
        else:
            html.append(conditional_escape(part))
    if marking:
        html.append("</mark>")
    return mark_safe("".join(html))


@register.filter
def human_duration(seconds):
    """1 hour 5 minutes, 12 minutes, 45 seconds."""
    if not seconds:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    if secs and not hours:
        parts.append(f"{secs} second{'s' if secs != 1 else ''}")
    return " ".join(parts)


def iso_duration(seconds):
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"PT{hours}H{minutes}M{secs}S"


@register.filter
def host_of(url):
    """www.example.com -> example.com, for "on example.com" link text."""
    return (urlsplit(url).hostname or "").removeprefix("www.")


@register.simple_tag
def video_embed(resource):
    """{provider, name, embed_url, watch_url} for a YouTube or Vimeo link, else None."""
    video = resource.video
    if not video:
        return None
    provider, video_id = video
    if provider == "youtube":
        return {
            "provider": "youtube",
            "name": "YouTube",
            "host": "youtube-nocookie.com",
            "embed_url": f"https://www.youtube-nocookie.com/embed/{video_id}?autoplay=1",
            "watch_url": f"https://www.youtube.com/watch?v={video_id}",
        }
    return {
        "provider": "vimeo",
        "name": "Vimeo",
        "host": "player.vimeo.com",
        "embed_url": f"https://player.vimeo.com/video/{video_id}?dnt=1&autoplay=1",
        "watch_url": f"https://vimeo.com/{video_id}",
    }


@register.simple_tag
def book_links(resource):
    """Where to find a book: a library catalogue, a lending library and a bookshop. No tracking."""
    names = resource.creator_names()
    words = " ".join([resource.title, *names[:1]])
    if resource.isbn:
        worldcat, openlibrary = f"bn:{resource.isbn}", f"/isbn/{resource.isbn}"
        bookshop = resource.isbn
    else:
        worldcat = words
        openlibrary = "/search?" + urlencode(
            {"title": resource.title, **({"author": names[0]} if names else {})}
        )
        bookshop = words
    return [
        {
            "label": "Find it in a library near you",
            "site": "WorldCat",
            "url": "https://search.worldcat.org/search?" + urlencode({"q": worldcat}),
        },
        {
            "label": "Borrow or read about it",
            "site": "Open Library",
            "url": f"https://openlibrary.org{openlibrary}",
        },
        {
            "label": "Buy it from an independent bookshop",
            "site": "Bookshop.org",
            "url": "https://bookshop.org/search?" + urlencode({"keywords": bookshop}),
        },
    ]


@register.simple_tag
def web_search_url(resource):
    """A plain web search for a resource the library has no link for."""
    words = [resource.title, *resource.creator_names()[:1], resource.publication]
    return "https://duckduckgo.com/?" + urlencode({"q": " ".join(w for w in words if w)})


def to_json_ld(data):
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=None)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(JSON_SCRIPT_ESCAPES)),
    )


def person(credit, request):
    return {
        "@type": "Person",
        "name": credit.creator.name,
        "url": request.build_absolute_uri(credit.creator.get_absolute_url()),
    }


@register.simple_tag(takes_context=True)
def resource_json_ld(context, resource, topics):
    """schema.org Book, VideoObject, Article or Quotation for a detail page."""
    request = context["request"]
    page_url = request.build_absolute_uri(resource.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": {
            "book": "Book",
            "video": "VideoObject",
            "article": "Article",
            "quote": "Quotation",
        }[resource.kind],
        "name": resource.title,
        "url": page_url,
    }
    if resource.summary:
        data["description"] = resource.summary
    for credit in resource.credits_in_order():
        data.setdefault(SCHEMA_ROLES.get(credit.role, "contributor"), []).append(
            person(credit, request)
        )
    if resource.year:
        data["datePublished"] = str(resource.year)
    if topics:
        data["keywords"] = ", ".join(topic.name for topic in topics)
    if resource.image:
        data["image"] = request.build_absolute_uri(resource.image.url)
    if resource.kind == Resource.Kind.BOOK:
        if resource.subtitle:
            data["alternativeHeadline"] = resource.subtitle
        if resource.isbn:
            data["isbn"] = resource.isbn
        if resource.publisher:
            data["publisher"] = {"@type": "Organization", "name": resource.publisher}
        if resource.pages:
            data["numberOfPages"] = resource.pages
    elif resource.kind == Resource.Kind.VIDEO:
        if resource.duration_seconds:
            data["duration"] = iso_duration(resource.duration_seconds)
        if resource.url:
            data["sameAs"] = resource.url
        embed = video_embed(resource)
        if embed:
            data["embedUrl"] = embed["embed_url"].split("?")[0]
        if resource.series:
            data["isPartOf"] = {"@type": "CreativeWorkSeries", "name": resource.series}
        if resource.transcript:
            data["transcript"] = resource.transcript
    elif resource.kind == Resource.Kind.ARTICLE:
        data["headline"] = resource.title[:110]
        if resource.publication:
            data["publisher"] = {"@type": "Organization", "name": resource.publication}
        if resource.published_on:
            data["datePublished"] = resource.published_on.isoformat()
        if resource.url:
            data["sameAs"] = resource.url
        if resource.reading_minutes:
            data["timeRequired"] = f"PT{resource.reading_minutes}M"
    elif resource.kind == Resource.Kind.QUOTE:
        data["text"] = resource.quote_text
        if resource.source_id and resource.source.is_public:
            data["isPartOf"] = {
                "@type": "Book" if resource.source.kind == "book" else "CreativeWork",
                "name": resource.source.title,
                "url": request.build_absolute_uri(resource.source.get_absolute_url()),
            }
        elif resource.source_title:
            data["isPartOf"] = {"@type": "CreativeWork", "name": resource.source_title}
    return to_json_ld(data)


@register.simple_tag(takes_context=True)
def collection_json_ld(context, name, description, resources):
    """schema.org CollectionPage with an ItemList of resources, for a collection or a topic."""
    request = context["request"]
    return to_json_ld(
        {
            "@context": "https://schema.org",
            "@type": "CollectionPage",
            "name": name,
            "description": description,
            "url": request.build_absolute_uri(request.path),
            "mainEntity": {
                "@type": "ItemList",
                "itemListElement": [
                    {
                        "@type": "ListItem",
                        "position": position,
                        "name": resource.title,
                        "url": request.build_absolute_uri(resource.get_absolute_url()),
                    }
                    for position, resource in enumerate(resources, start=1)
                ],
            },
        }
    )


@register.simple_tag(takes_context=True)
def website_json_ld(context):
    """schema.org WebSite with its search, for the home page."""
    request = context["request"]
    return to_json_ld(
        {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": settings.SITE_NAME,
            "url": request.build_absolute_uri("/"),
            "potentialAction": {
                "@type": "SearchAction",
                "target": request.build_absolute_uri("/search/") + "?q={search_term_string}",
                "query-input": "required name=search_term_string",
            },
        }
    )
