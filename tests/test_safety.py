"""
Help and safety on every page (issue #11): where to find help now, one tap away and
tap-to-call; "Exit this page"; the About page, which editors keep; one search box a page.
"""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import reverse

from resources.models import Page

from .helpers import make_resource

pytestmark = pytest.mark.django_db

PAGE_TYPES = [
    "/",
    "/resources/",
    "/books/",
    "/videos/?topic=loneliness",
    "/books/loves-executioner/",
    "/videos/moments-of-meaning/",
    "/articles/how-does-psychotherapy-really-work/",
    "/quotes/rilke-unspeakably-alone/",
    "/topics/",
    "/topics/psychoanalysis/",
    "/people/irvin-d-yalom/",
    "/collections/",
    "/collections/start-here/",
    "/search/",
    "/search/?q=grief",
    "/about/",
    "/books/the-examined-life/?path=start-here",
    "/list/?items=book:the-examined-life",
]
ERROR_TEMPLATES = ["400.html", "403.html", "404.html", "500.html", "503.html"]
EXIT = 'href="https://www.wikipedia.org/" rel="nofollow noreferrer" data-exit-page'


def pages_of_every_type(client):
    """(where, html) for every page type, the error pages included (rendered as Django does,
    500 without a request)."""
    for url in PAGE_TYPES:
        response = client.get(url)
        assert response.status_code == 200, url
        yield url, response.content.decode()
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    yield "404", response.content.decode()
    for template in ERROR_TEMPLATES:
        yield template, render_to_string(template)


def test_every_page_type_has_the_crisis_lines_the_exit_and_the_about_link(client, seed):
    for where, html in pages_of_every_type(client):
        assert '<a href="tel:988">988</a>' in html, where
        assert '<a href="tel:116123">116 123</a>' in html, where
        assert "Need help now?" in html and "call your local emergency number" in html, where
        assert EXIT in html and "Exit this page</a>" in html, where
        assert '<script src="/static/js/exit-page.js" defer></script>' in html, where
        assert '<a href="/about/">About this library</a>' in html, where


def test_the_crisis_notice_is_one_line_that_opens_to_the_lines(client, seed):
    html = client.get("/").content.decode()
    notice = re.search(r'<details class="crisis-notice">(.*?)</details>', html, re.S).group(1)
    summary = re.search(r"<summary[^>]*>(.*?)</summary>", notice, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", summary).strip() == "Need help now? Crisis lines"
    assert "tel:" not in summary  # nothing to tap by mistake in the line itself
    assert "sms:988" in notice


def test_the_crisis_notice_shows_the_settings_text_and_lines(client, settings):
    settings.CRISIS_SUPPORT_TEXT = "In an emergency, call 999."
    settings.CRISIS_LINES = [
        {"name": "A line", "number": "12 345", "reach": "text", "country": "Testland"}
    ]
    html = client.get("/resources/").content.decode()
    assert "In an emergency, call 999." in html
    assert '<strong>A line</strong> (Testland): text <a href="sms:12345">12 345</a>' in html
    assert "tel:12345" not in html


def test_an_empty_exit_page_url_turns_the_button_off(client, settings):
    settings.EXIT_PAGE_URL = ""
    for url in ("/", "/about/"):
        html = client.get(url).content.decode()
        assert "data-exit-page" not in html and "exit-page.js" not in html
        assert "Shift three times" not in html  # nor does the About page describe it
    assert "data-exit-page" not in render_to_string("500.html")


def test_the_exit_goes_where_the_setting_says(client, settings):
    settings.EXIT_PAGE_URL = "https://weather.example.org/"
    html = client.get("/about/").content.decode()
    assert 'href="https://weather.example.org/" rel="nofollow noreferrer" data-exit-page' in html
    assert "takes you to weather.example.org" in html


# One search box a page --------------------------------------------------------------------


def test_every_page_has_one_search_box(client, seed):
    for where, html in pages_of_every_type(client):
        assert html.count('type="search"') == 1, where


@pytest.mark.parametrize("url", ["/", "/search/", "/search/?q=grief", "/no-such-page/"])
def test_pages_with_their_own_search_box_have_none_in_the_header(client, url):
    html = client.get(url).content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert 'type="search"' not in header and 'href="/search/"' not in header


def test_elsewhere_the_header_has_the_search_box_and_a_link_for_phones(client):
    html = client.get("/topics/").content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert 'id="site-search-q"' in header
    assert '<a class="site-header__search-link" href="/search/">Search</a>' in header


@pytest.mark.parametrize("url", ["/resources/", "/books/?perspective=client", "/videos/"])
def test_every_select_has_a_selected_option(client, seed, url):
    html = client.get(url).content.decode()
    selects = re.findall(r"<select.*?</select>", html, re.S)
    assert selects
    for select in selects:
        assert select.count(" selected>") == 1, select


# The About page ---------------------------------------------------------------------------


def test_the_about_page_says_what_the_library_is_and_is_not_and_what_is_kept(client):
    response = client.get("/about/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1 and "<h1>About this library</h1>" in html
    assert "curators, who choose each item" in html  # the shipped text, until edited
    assert "have not yet added to this page who they are" in html
    assert "Not medical advice, and not a crisis service" in html
    assert '<a href="tel:116123">116 123</a>' in html
    kept = html[html.index('id="what-is-kept"') :]
    for claim in ("No account and no cookies", "IP address", "up to 5 minutes"):
        assert claim in kept


def test_the_about_page_says_how_long_pages_are_kept(client, settings):
    settings.CACHE_MIDDLEWARE_SECONDS = 60
    assert "up to 1 minute so" in client.get("/about/").content.decode()


def test_an_editors_words_show_at_once_escaped_in_paragraphs(client):
    client.get("/about/")  # cached
    page = Page.objects.get(slug="about")
    page.body = "We are <b>Ada</b> & friends.\n\nWrite to us."
    page.save()
    html = client.get("/about/").content.decode()
    assert "<p>We are &lt;b&gt;Ada&lt;/b&gt; &amp; friends.</p>\n\n<p>Write to us.</p>" in html
    assert "What is kept about you" in html  # the part the code keeps true stays


def test_load_seed_adds_a_missing_page_and_never_overwrites_an_editors_words(seed, capsys):
    Page.objects.filter(slug="about").update(body="Our own words.")
    call_command("load_seed", "--force")
    assert Page.objects.get(slug="about").body == "Our own words."
    Page.objects.all().delete()
    call_command("load_seed")  # a library that has content still gets its pages
    assert "Site pages: 2 added." in capsys.readouterr().out  # About, Finding a therapist
    assert "not medical" not in Page.objects.get(slug="about").body  # that part is the code's
    assert Page.objects.get(slug="about").title == "About this library"


def test_a_new_database_has_the_about_page_before_any_seed():
    """Made after migrate (and after a test's flush) by post_migrate: every footer links to it."""
    assert Page.objects.filter(slug="about").exists()


def test_the_sitemap_lists_the_about_page(client):
    assert "<loc>http://testserver/about/</loc>" in client.get("/sitemap.xml").content.decode()


# Who may change the site's pages -------------------------------------------------------------


def staff_in(group_name, username):
    user = User.objects.create_user(username, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def test_a_curator_may_read_the_pages_but_only_an_editor_changes_them(client):
    page = Page.objects.get(slug="about")
    change_url = reverse("admin:resources_page_change", args=[page.pk])
    form = {"title": "About us", "body": "Run by the Test Clinic."}

    client.force_login(staff_in("Curators", "curie"))
    assert client.get(reverse("admin:resources_page_changelist")).status_code == 200
    response = client.get(change_url)
    assert response.status_code == 200 and 'name="body"' not in response.content.decode()
    assert client.post(change_url, form).status_code == 403

    client.force_login(staff_in("Editors", "ada"))
    opened = client.get(change_url).content.decode()  # the form carries the version it shows
    form["version"] = re.search(r'name="version" value="([^"]*)"', opened).group(1)
    assert client.post(change_url, form).status_code == 302
    page.refresh_from_db()
    assert page.body == "Run by the Test Clinic."
    assert page.history.first().history_user.username == "ada"
    assert "Run by the Test Clinic." in client.get("/about/").content.decode()


def test_nobody_adds_or_deletes_a_site_page_in_the_admin(admin_client):
    page = Page.objects.get(slug="about")
    assert admin_client.get(reverse("admin:resources_page_add")).status_code == 403
    delete_url = reverse("admin:resources_page_delete", args=[page.pk])
    assert admin_client.get(delete_url).status_code == 403


def test_a_page_edit_drops_cached_pages_like_any_change_to_the_library(client):
    make_resource(title="A book")
    client.get("/about/")
    Page.objects.filter(slug="about").update(title="About us")
    assert "<h1>About us</h1>" in client.get("/about/").content.decode()
