import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from resources.cache import invalidate_pages
from resources.models import Collection, CollectionStep, Resource

from .helpers import image_upload, make_resource, make_topic

pytestmark = pytest.mark.django_db

SEED_PAGES = [
    "/",
    "/resources/",
    "/books/",
    "/videos/",
    "/articles/",
    "/quotes/",
    "/books/loves-executioner/",
    "/books/letters-to-a-young-poet/",
    "/videos/moments-of-meaning/",
    "/articles/how-does-psychotherapy-really-work/",
    "/quotes/rilke-unspeakably-alone/",
    "/quotes/bion-emotional-storm/",
    "/topics/",
    "/topics/psychoanalysis/",
    "/people/irvin-d-yalom/",
    "/collections/",
    "/collections/start-here/",
]


def json_ld(response):
    blocks = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return [json.loads(block) for block in blocks]


def title_of(response):
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def main_of(response):
    """The page's <main> element onwards: what a person reads, without the head's metadata."""
    html = response.content.decode()
    return html[html.index("<main") :]


def make_staff(client, can_change=True):
    user = User.objects.create_user("curator", is_staff=True)
    if can_change:
        user.user_permissions.add(Permission.objects.get(codename="change_resource"))
    client.force_login(user)
    return user


# Every public page -------------------------------------------------------------------------


def test_the_crisis_lines_are_tap_to_call_and_text_where_a_line_takes_texts():
    html = render_to_string("includes/crisis_lines.html")
    assert '<a href="tel:988">988</a>' in html and '<a href="sms:988">988</a>' in html
    assert '<a href="tel:116123">116 123</a>' in html and "sms:116123" not in html


@pytest.mark.parametrize("url", SEED_PAGES)
def test_every_public_page_answers_with_one_h1_and_the_crisis_notice(client, seed, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Need help now?" in html
    assert "116 123" in html  # the settings' crisis text


def test_every_public_page_has_its_own_title_and_description(client, seed):
    titles, descriptions = set(), set()
    for url in SEED_PAGES:
        html = client.get(url).content.decode()
        titles.add(title_of(client.get(url)))
        description = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
        assert description.strip(), url
        descriptions.add(description)
    assert len(titles) == len(SEED_PAGES)


@pytest.mark.parametrize("url", SEED_PAGES)
def test_every_public_page_has_a_canonical_link_and_opengraph_tags(client, seed, url):
    html = client.get(url).content.decode()
    assert '<link rel="canonical" href="http://testserver/' in html
    for prop in ("og:title", "og:type", "og:url", "og:site_name"):
        assert f'property="{prop}"' in html, (url, prop)


@pytest.mark.parametrize("url", SEED_PAGES)
def test_an_anonymous_visitor_gets_no_cookie_and_no_form_token(client, seed, url):
    response = client.get(url)
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()


@pytest.mark.parametrize("url", SEED_PAGES)
def test_pages_load_nothing_from_another_host(client, seed, url):
    html = client.get(url).content.decode()
    assert "<iframe" not in html
    for attribute in re.findall(r'\s(?:src|srcset|poster)="([^"]*)"', html):
        assert not re.match(r"(https?:)?//", attribute), attribute
    for tag in re.findall(r"<link [^>]*>", html):
        href = re.search(r'href="([^"]*)"', tag).group(1)
        if 'rel="canonical"' not in tag:
            assert href.startswith("/"), tag


def test_the_search_box_sends_a_get_request_to_search(client, seed):
    html = client.get("/").content.decode()
    assert re.search(r'<form class="search-form[^"]*" action="/search/" method="get"', html)
    assert 'name="q"' in html


# Visibility and staff preview ------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"status": Resource.Status.DRAFT, "published_at": None},
        {"status": Resource.Status.REVIEW, "published_at": None},
        {"status": Resource.Status.PUBLISHED, "published_at": timezone.now() + timedelta(days=3)},
    ],
    ids=["draft", "in review", "scheduled"],
)
def test_drafts_reviews_and_scheduled_items_are_hidden_from_the_public(client, overrides):
    make_resource("book", title="Not yet", slug="not-yet", topics=["grief"], **overrides)
    assert client.get("/books/not-yet/").status_code == 404
    assert "Not yet" not in client.get("/books/").content.decode()
    assert "Not yet" not in client.get("/topics/grief/").content.decode()
    assert "Not yet" not in client.get("/feeds/latest/").content.decode()
    assert "/books/not-yet/" not in client.get("/sitemap.xml").content.decode()


def test_staff_who_may_edit_see_a_draft_as_a_preview_that_is_never_cached(client):
    make_resource("book", title="Work in progress", slug="wip", status="draft", published_at=None)
    make_staff(client)
    response = client.get("/books/wip/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Draft:</strong> only staff can see this page" in html
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in html


def test_staff_without_the_change_permission_do_not_see_drafts(client):
    make_resource("book", title="Work in progress", slug="wip", status="draft", published_at=None)
    make_staff(client, can_change=False)
    assert client.get("/books/wip/").status_code == 404


def test_a_published_page_shows_no_preview_banner(client):
    make_resource("book", title="Out now", slug="out-now")
    make_staff(client)
    response = client.get("/books/out-now/")
    assert "only staff can see this page" not in response.content.decode()


# Malformed parameters and unknown pages ---------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/resources/?page=abc",
        "/resources/?page=-3",
        "/resources/?page=1e9",
        "/resources/?kind=nonsense",
        "/resources/?topic=%3Cscript%3Ealert(1)%3C/script%3E",
        "/resources/?topic=psychoanalysis&topic=psychoanalysis&topic=nope",
        "/resources/?perspective=everyone&sort=random",
        "/resources/?page=%00",
        "/books/?kind=video&topic=",
        "/people/irvin-d-yalom/?page=abc",
    ],
)
def test_malformed_parameters_are_ignored(client, seed, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/resources/?page=99999",
        "/books/?page=2",
        "/books/no-such-book/",
        "/videos/loves-executioner/",  # a book's slug under the wrong kind
        "/topics/no-such-topic/",
        "/people/nobody/",
        "/collections/nowhere/",
        "/no-such-page/",
    ],
)
def test_unknown_pages_are_a_friendly_404(client, seed, url):
    response = client.get(url)
    assert response.status_code == 404
    html = response.content.decode()
    assert "We couldn’t find that page" in html
    assert 'href="/topics/"' in html and 'action="/search/"' in html
    assert "Need help now?" in html
    assert html.count("<h1") == 1


@pytest.mark.parametrize("template", ["400.html", "403.html", "500.html"])
def test_the_error_pages_render_without_a_request_and_show_the_crisis_notice(template):
    # Django renders 500.html with no context at all: the page must still say where to get help.
    html = render_to_string(template)
    assert html.count("<h1") == 1
    assert "Need help now?" in html and "116 123" in html
    assert 'href="/"' in html


def test_a_page_is_a_few_kilobytes(client, seed):
    assert len(client.get("/").content) < 30_000
    assert len(client.get("/books/loves-executioner/").content) < 30_000


def test_a_collection_that_is_not_public_is_a_404(client):
    Collection.objects.create(title="Hidden", slug="hidden", is_public=False)
    assert client.get("/collections/hidden/").status_code == 404


# The catalog -------------------------------------------------------------------------------


def test_the_catalog_filters_by_kind_topic_and_perspective(client):
    make_resource("book", title="Grief book", topics=["grief"], perspective="client")
    make_resource("book", title="Grief and love book", topics=["grief", "love"])
    make_resource("video", title="Grief video", topics=["grief"])
    make_resource("book", title="Love book", topics=["love"])

    html = client.get("/resources/?kind=book&topic=grief").content.decode()
    assert "Grief book" in html and "Grief and love book" in html
    assert "Grief video" not in html and "Love book" not in html

    html = client.get("/resources/?topic=grief&topic=love").content.decode()
    assert "Grief and love book" in html and "Grief book<" not in html

    html = client.get("/books/?perspective=client").content.decode()
    assert "Grief book" in html and "Love book" not in html


def test_the_catalog_counts_each_kind_and_links_to_it_keeping_the_filters(client):
    make_resource("book", title="B", topics=["grief"])
    make_resource("video", title="V", topics=["grief"])
    make_resource("video", title="V2", topics=["grief"])
    html = client.get("/resources/?topic=grief&sort=title").content.decode()
    assert "3 resources" in html
    assert re.search(r'href="/videos/\?topic=grief&amp;sort=title"[^>]*>Videos <span', html)
    assert re.search(r'Videos <span class="kind-tabs__count">2</span>', html)


def test_the_catalog_sorts_by_title(client):
    make_resource("book", title="Zebra")
    make_resource("book", title="Aardvark")
    html = client.get("/books/?sort=title").content.decode()
    assert html.index("Aardvark") < html.index("Zebra")
    html = client.get("/books/").content.decode()
    assert html.index("Aardvark") < html.index("Zebra")  # newest first: Aardvark came last


def test_pagination_links_keep_the_filters(client):
    for n in range(25):
        make_resource("book", title=f"Book {n:02}", topics=["grief"])
    html = client.get("/books/?topic=grief&sort=title").content.decode()
    assert 'href="?topic=grief&amp;sort=title&amp;page=2"' in html
    assert "Page 1 of 2" in html
    page2 = client.get("/books/?topic=grief&sort=title&page=2").content.decode()
    assert "Book 24" in page2 and "Book 00" not in page2
    assert 'href="?topic=grief&amp;sort=title&amp;page=1"' in page2


def test_an_empty_kind_on_a_topic_points_to_the_other_kinds_on_it(client):
    make_resource("book", title="A book on grief", topics=["grief"])
    html = client.get("/videos/?topic=grief").content.decode()
    assert "No videos on grief yet." in html
    assert '<a href="/books/?topic=grief">1 book on it</a>' in html


def test_the_per_kind_catalogs_show_only_their_kind(client):
    make_resource("book", title="Only a book")
    make_resource("quote", title="Only a quote")
    assert "Only a book" not in client.get("/quotes/").content.decode()
    assert "Only a book" in client.get("/books/").content.decode()


# Detail pages ------------------------------------------------------------------------------


def test_a_book_without_an_isbn_reads_well_and_searches_by_title(client, seed):
    html = client.get("/books/letters-to-a-young-poet/").content.decode()
    assert "ISBN" not in html
    assert "Publisher" not in html  # no empty labels
    assert "https://search.worldcat.org/search?q=Letters+to+a+Young+Poet" in html
    assert 'href="/people/rainer-maria-rilke/"' in html
    assert "First published</dt><dd>1929" in html
    for tracking in ("utm_", "affiliate", "tag=", "aff="):
        assert tracking not in html


def test_a_book_with_an_isbn_shows_it_and_searches_by_it(client):
    make_resource(
        "book", title="Known", slug="known", isbn="9780465020119", publisher="Basic Books"
    )
    html = client.get("/books/known/").content.decode()
    assert "<dt>ISBN</dt><dd>9780465020119</dd>" in html
    assert "https://search.worldcat.org/search?q=bn%3A9780465020119" in html
    assert "https://openlibrary.org/isbn/9780465020119" in html


def test_the_content_note_comes_before_the_content(client, seed):
    html = main_of(client.get("/books/loves-executioner/"))
    note = html.index("Includes frank accounts of grief")
    assert note < html.index("Why it may help") < html.index("Ten stories")


def test_a_youtube_video_plays_privately_only_after_a_click(client):
    make_resource(
        "video",
        title="A therapist talks",
        slug="talks",
        url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        duration_seconds=754,
        series="Conversations",
    )
    html = client.get("/videos/talks/").content.decode()
    assert "<iframe" not in html
    assert 'data-video-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"' in html
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in html  # works without JS
    assert "hosted by YouTube" in html
    assert "12 minutes 34 seconds" in html
    assert '<script src="/static/js/video.js" defer></script>' in html


def test_a_vimeo_video_plays_with_do_not_track(client):
    make_resource("video", title="On Vimeo", slug="on-vimeo", url="https://vimeo.com/76979871")
    html = client.get("/videos/on-vimeo/").content.decode()
    assert 'data-video-src="https://player.vimeo.com/video/76979871?dnt=1&amp;autoplay=1"' in html


def test_a_video_without_a_link_says_so_without_empty_labels(client, seed):
    html = client.get("/videos/moments-of-meaning/").content.decode()
    assert "The library has no link to this video yet: it is part of the series" in html
    assert "Length" not in html and "data-video-src" not in html and "video.js" not in html
    assert "<dt>Series</dt><dd>Moments of Meaning</dd>" in html


def test_an_other_video_link_opens_in_a_new_tab(client):
    make_resource("video", title="Elsewhere", slug="elsewhere", url="https://example.org/v/1")
    html = client.get("/videos/elsewhere/").content.decode()
    assert 'href="https://example.org/v/1" target="_blank" rel="noopener noreferrer"' in html


def test_an_article_shows_its_publication_and_a_link_out(client):
    make_resource(
        "article",
        title="Therapy",
        slug="therapy",
        publication="Psychology Today",
        url="https://www.psychologytoday.com/example",
        reading_minutes=6,
        published_on=timezone.now().date().replace(year=2015, month=5, day=1),
    )
    html = client.get("/articles/therapy/").content.decode()
    assert "<dt>Published in</dt><dd>Psychology Today</dd>" in html
    assert "1 May 2015" in html and "About 6 minutes" in html
    assert "Read the article on psychologytoday.com" in html


def test_a_quote_links_to_the_book_it_comes_from(client, seed):
    html = client.get("/quotes/rilke-unspeakably-alone/").content.decode()
    assert "unspeakably alone" in html
    assert '<cite><a href="/books/letters-to-a-young-poet/">Letters to a Young Poet</a></cite>' in (
        html
    )
    book = client.get("/books/letters-to-a-young-poet/").content.decode()
    assert "Words from this book" in book and "unspeakably alone" in book


def test_detail_pages_list_topics_and_related_resources_sharing_them(client, seed):
    html = client.get("/books/the-examined-life/").content.decode()
    assert 'href="/topics/psychoanalysis/"' in html
    assert "You might also find helpful" in html
    assert "Wisdom from the Couch" in html  # shares psychoanalysis and self-knowledge


def test_an_image_has_a_srcset_size_and_alt_text(client):
    make_resource(
        "book", title="Covered", slug="covered", image=image_upload(), image_alt="A blue cover"
    )
    html = client.get("/books/").content.decode()
    img = re.search(r'<img class="cover"[^>]*>', html).group(0)
    assert 'alt="A blue cover"' in img and 'loading="lazy"' in img
    assert re.search(r'srcset="/media/\S+ \d+w, /media/\S+ \d+w"', img)
    assert re.search(r'width="\d+" height="\d+"', img)


def test_a_resource_without_an_image_gets_a_quiet_placeholder(client):
    make_resource("book", title="Plain")
    html = client.get("/books/").content.decode()
    assert 'class="cover cover--placeholder cover--book" aria-hidden="true"' in html


# Structured data ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, schema_type",
    [
        ("/books/the-examined-life/", "Book"),
        ("/videos/moments-of-meaning/", "VideoObject"),
        ("/articles/how-does-psychotherapy-really-work/", "Article"),
        ("/quotes/bion-emotional-storm/", "Quotation"),
        ("/collections/start-here/", "CollectionPage"),
        ("/topics/psychoanalysis/", "CollectionPage"),
        ("/", "WebSite"),
    ],
)
def test_pages_describe_themselves_in_schema_org_json_ld(client, seed, url, schema_type):
    data = json_ld(client.get(url))
    assert [block["@type"] for block in data] == [schema_type]
    assert data[0]["@context"] == "https://schema.org"


def test_json_ld_describes_a_book_with_its_author(client, seed):
    (data,) = json_ld(client.get("/books/the-examined-life/"))
    assert data["name"] == "The Examined Life"
    assert data["author"][0]["name"] == "Stephen Grosz"
    assert data["datePublished"] == "2013"
    assert "isbn" not in data


def test_json_ld_cannot_be_broken_out_of(client):
    evil = "</script><script>alert(1)</script>"
    make_resource("book", title=evil, slug="evil", summary=f"Note {evil} & more")
    response = client.get("/books/evil/")
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    (data,) = json_ld(response)
    assert data["name"] == evil and data["description"] == f"Note {evil} & more"


# Topics, people, collections ------------------------------------------------------------


def test_the_topic_index_shows_counts_of_published_resources(client):
    make_resource("book", title="One", topics=["grief"])
    make_resource("book", title="Two", topics=["grief"])
    make_resource("book", title="Draft", topics=["grief"], status="draft", published_at=None)
    make_topic("empty topic")
    html = client.get("/topics/").content.decode()
    assert "2 resources" in html
    assert "Empty topic" not in html


def test_a_topic_page_groups_its_resources_by_kind(client):
    make_topic("grief", description="Living with loss.")
    make_resource("book", title="A grief book", topics=["grief"])
    make_resource("video", title="A grief video", topics=["grief"])
    html = main_of(client.get("/topics/grief/"))
    assert "Living with loss." in html
    assert (
        html.index('id="group-book"') < html.index("A grief book") < html.index('id="group-video"')
    )
    assert html.index('id="group-video"') < html.index("A grief video")


def test_a_topic_page_links_to_all_of_a_kind_when_there_are_many(client):
    for n in range(8):
        make_resource("book", title=f"Grief book {n}", topics=["grief"])
    html = client.get("/topics/grief/").content.decode()
    assert html.count('class="resource-card ') == 6
    assert '<a href="/books/?topic=grief">See all 8 books on grief</a>' in html


def test_a_creator_page_lists_their_published_resources(client, seed):
    html = client.get("/people/irvin-d-yalom/").content.decode()
    for title in ("Love’s Executioner", "Love&#x27;s Executioner", "The Gift of Therapy"):
        if title in html:
            break
    else:
        raise AssertionError("Yalom's books are missing")
    assert "Creatures of a Day" in html and "The Examined Life" not in html


def test_a_collection_shows_its_steps_in_order_with_notes(client, seed):
    html = client.get("/collections/start-here/").content.decode()
    steps = [
        "When two people meet",
        "Every Day Gets a Little Closer",
        "The Examined Life",
        "How Does Psychotherapy Really Work?",
        "Moments of Meaning",
    ]
    positions = [html.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "The same therapy told twice" in html


def test_a_collection_hides_steps_that_are_not_published(client):
    collection = Collection.objects.create(title="Path", slug="path", is_public=True)
    shown = make_resource("book", title="Shown")
    hidden = make_resource("book", title="Hidden", status="draft", published_at=None)
    CollectionStep.objects.create(collection=collection, resource=shown, position=1)
    CollectionStep.objects.create(collection=collection, resource=hidden, position=2)
    html = client.get("/collections/path/").content.decode()
    assert "Shown" in html and "Hidden" not in html


def test_the_home_page_shows_the_start_here_path_a_quote_topics_and_newest(client, seed):
    html = client.get("/").content.decode()
    assert "Start here: what is therapy like?" in html
    assert "When two people meet, an emotional storm is created." in html  # featured quote
    assert 'href="/topics/psychoanalysis/"' in html
    assert "New in the library" in html


# Feeds, sitemap, robots --------------------------------------------------------------------


def test_the_atom_feed_lists_newly_published_resources(client, seed):
    response = client.get("/feeds/latest/")
    assert response["Content-Type"].startswith("application/atom+xml")
    xml = response.content.decode()
    assert "Book: The Examined Life" in xml
    assert "<name>Stephen Grosz</name>" in xml


def test_the_sitemap_lists_public_pages(client, seed):
    xml = client.get("/sitemap.xml").content.decode()
    for path in (
        "/books/the-examined-life/",
        "/topics/psychoanalysis/",
        "/people/stephen-grosz/",
        "/collections/start-here/",
        "/books/",
        "/collections/",
    ):
        assert f"<loc>http://testserver{path}</loc>" in xml


def test_robots_txt_points_to_the_sitemap_and_names_no_admin_path(client, settings):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    # Naming the admin's path would tell everyone where it is (issue #11): it says noindex.
    assert "admin" not in text.lower() and settings.ADMIN_PATH not in text


# Query counts do not grow with the number of items ----------------------------------------


def add_items(n):
    """n published resources of every kind, with topics and creators, in one collection."""
    collection, _ = Collection.objects.get_or_create(
        slug="path", defaults={"title": "Path", "is_public": True, "featured": True}
    )
    start = Resource.objects.filter(kind="book").count()
    for i in range(start, start + n):
        for kind in ("book", "video", "article", "quote"):
            resource = make_resource(
                kind,
                title=f"{kind} {i}",
                topics=["grief", f"topic {i % 7}"],
                creators=["Ann Author", (f"Person {i % 5}", "editor")],
            )
            CollectionStep.objects.get_or_create(
                collection=collection, resource=resource, defaults={"position": i}
            )


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/resources/",
        "/resources/?topic=grief&sort=title",
        "/books/",
        "/quotes/",
        "/topics/",
        "/topics/grief/",
        "/people/ann-author/",
        "/collections/",
        "/collections/path/",
        "/books/book-0/",
        "/books/book-0/?path=path",
        "/feeds/latest/",
        "/sitemap.xml",
    ],
)
def test_query_counts_do_not_grow_with_the_number_of_items(client, url, django_assert_num_queries):
    add_items(1)
    client.get(url)  # warm any per-process caches (content types, ...)
    invalidate_pages()  # measure the page being built, not the page cache
    with CaptureQueriesContext(connection) as one_item:
        assert client.get(url).status_code == 200
    add_items(49)
    invalidate_pages()
    with django_assert_num_queries(len(one_item)):
        assert client.get(url).status_code == 200
    assert len(one_item) <= 8, url  # the budget, even with every cached aggregate to rebuild


def test_a_deep_catalog_page_costs_what_page_one_does(client, monkeypatch, settings):
    from resources.views import library

    settings.CACHE_MIDDLEWARE_SECONDS = 0  # every page built afresh
    monkeypatch.setattr(library, "PAGE_SIZE", 2)
    for n in range(40):
        make_resource("book", title=f"Book {n}", topics=["grief"], creators=["Ann Author"])
    client.get("/resources/")  # caches the aggregates: counts per kind, topic counts
    queries = {}
    for url in ("/resources/", "/resources/?page=20", "/books/?page=20", "/books/?page=21"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        queries[url] = [query["sql"] for query in captured]
    assert response.status_code == 404  # past the end, known from the cached count
    assert "Book 0" in client.get("/books/?page=20").content.decode()
    # The page's ids, then its cards' rows and creators: no COUNT(*), whatever the page.
    assert len(queries["/resources/?page=20"]) == len(queries["/resources/"]) == 3
    assert len(queries["/books/?page=20"]) == 3
    for sql in queries["/resources/?page=20"]:
        assert "COUNT(" not in sql.upper()


def test_deep_pages_from_cached_anchors_list_what_plain_offsets_would(client, monkeypatch):
    from resources.views import library

    monkeypatch.setattr(library, "PAGE_SIZE", 3)
    monkeypatch.setattr(library, "ANCHOR_EVERY", 7)  # pages start between two anchors too
    same_time = timezone.now() - timedelta(hours=1)  # ties on publish time: the id decides
    for n in range(31):
        kind = "book" if n % 3 else "video"
        make_resource(kind, title=f"Title {n % 5} {n}", published_at=same_time - timedelta(n // 4))
    for url, ordering, kinds in [
        ("/resources/", ["-published_at", "-id"], ["book", "video"]),
        ("/resources/?sort=title", ["title", "id"], ["book", "video"]),
        ("/books/", ["-published_at", "-id"], ["book"]),
    ]:
        expected = list(Resource.objects.published().filter(kind__in=kinds).order_by(*ordering))
        shown = []
        separator = "&" if "?" in url else "?"
        for number in range(1, len(expected) // 3 + 2):
            html = client.get(f"{url}{separator}page={number}").content.decode()
            shown += re.findall(r'resource-card__title"><a href="([^"]+)"', html)
        assert shown == [resource.get_absolute_url() for resource in expected], url


def test_following_the_start_here_path_every_step_says_where_it_is_and_leads_on(client, seed):
    from resources.models import Collection

    collection = Collection.objects.get(slug="start-here")
    page = client.get("/collections/start-here/").content.decode()
    steps = re.findall(r'resource-card__title"><a href="([^"]+\?path=start-here)"', page)
    assert len(steps) == collection.steps.count()
    url = steps[0]
    for number in range(1, len(steps) + 1):
        html = client.get(url).content.decode()
        assert f"Step {number} of {len(steps)}" in html
        following = re.search(r'<a rel="next" href="([^"]+)"', html)
        if number < len(steps):
            assert following and following.group(1) == steps[number]
            url = following.group(1)
        else:
            assert following is None
            assert "You have reached the end of this path." in html
            assert 'href="/finding-a-therapist/"' in html
    assert 'rel="prev"' in html


def test_a_step_from_an_unknown_or_malformed_path_is_just_the_page(client, seed):
    for value in ["nope", "<script>", "start-here/../x", "a" * 500]:
        response = client.get("/books/the-examined-life/", {"path": value})
        assert response.status_code == 200 and "Step " not in response.content.decode()


def test_the_seeds_people_have_short_bios_and_the_path_starts_with_a_step_to_read_here(
    client, seed
):
    assert (
        "emeritus professor of psychiatry at Stanford"
        in client.get("/people/irvin-d-yalom/").content.decode()
    )
    first = Collection.objects.get(slug="start-here").steps.first().resource
    assert first.kind == "quote"  # its words are on its own page


def test_finding_a_therapist_is_general_guidance_linked_from_the_about_page(client, seed):
    page = client.get("/finding-a-therapist/")
    html = page.content.decode()
    assert page.status_code == 200 and "What to ask in a first call" in html
    assert "have not yet listed the directories and services near you" in html  # none invented
    assert 'href="tel:' in html
    assert 'href="/finding-a-therapist/"' in client.get("/about/").content.decode()
