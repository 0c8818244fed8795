"""
The public site in a real browser (Playwright driving the system Chromium): accessibility with
axe-core at phone and desktop widths, privacy (no cookie, no request to another host), the
click-to-play video and keyboard use.
"""

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from .helpers import make_resource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIDEO = "/videos/a-therapist-talks/"
PAGES = [
    "/",
    "/resources/",
    "/books/",
    "/videos/?topic=loneliness",  # an empty state
    "/books/loves-executioner/",
    "/books/letters-to-a-young-poet/",
    VIDEO,
    "/videos/moments-of-meaning/",
    "/articles/how-does-psychotherapy-really-work/",
    "/quotes/rilke-unspeakably-alone/",
    "/topics/",
    "/topics/the-therapeutic-relationship/",
    "/people/irvin-d-yalom/",
    "/collections/",
    "/collections/start-here/",
    "/search/",
    "/search/?q=therapy",
    "/about/",
    "/no-such-page/",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture
def library(seed):
    """The seed library plus a made-up video with a YouTube link."""
    make_resource(
        "video",
        title="A therapist talks",
        slug="a-therapist-talks",
        url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        duration_seconds=600,
        series="Test series",
        transcript="A made-up transcript for the test.",
        topics=["what therapy is like"],
        creators=[("Test Speaker", "speaker")],
    )


def is_local(url):
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in LOCAL_HOSTS


@pytest.fixture
def off_host_requests(page):
    """Every request to another host is recorded, then aborted so the test never leaves."""
    attempted = []

    def handle(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort()

    page.route("**/*", handle)
    return attempted


def test_every_page_type_has_no_axe_violations_at_phone_and_desktop_widths(
    library, page, off_host_requests
):
    axe = Axe()
    problems = []
    # Light at both widths, then the dark palette (for late-night readers) on a phone.
    for width, scheme in [(375, "light"), (1280, "light"), (375, "dark")]:
        page.emulate_media(color_scheme=scheme)
        page.set_viewport_size({"width": width, "height": 900})
        for path in PAGES:
            response = page.goto(path)
            assert response.status == (404 if path == "/no-such-page/" else 200), path
            results = axe.run(page)
            if results.violations_count:
                problems.append(f"{path} at {width}px, {scheme}:\n{results.generate_report()}")
            if page.locator("h1").count() != 1:
                problems.append(f"{path} at {width}px: not exactly one <h1>")
            overflow = page.evaluate("document.documentElement.scrollWidth")
            if overflow > width:
                problems.append(f"{path} at {width}px: scrolls sideways ({overflow}px wide)")
    assert not problems, "\n\n".join(problems)
    assert off_host_requests == []


def test_an_anonymous_visitor_gets_no_cookie_and_no_request_to_another_host(library, page, context):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    for path in PAGES:
        page.goto(path)
    assert requested, "the test saw no requests at all"
    assert [url for url in requested if not is_local(url)] == []
    assert context.cookies() == []
    # Fonts, CSS and JS come from the site itself.
    assert any("/static/css/main.css" in url for url in requested)


def test_the_video_iframe_appears_only_after_a_click(library, page, off_host_requests):
    page.goto(VIDEO)
    assert page.locator("iframe").count() == 0
    page.wait_for_load_state("networkidle")
    assert off_host_requests == []  # nothing was even attempted before the click

    play = page.get_by_role("button", name="Play “A therapist talks” (loads from YouTube)")
    play.focus()
    page.keyboard.press("Enter")  # a keyboard user can play it too
    iframe = page.locator("iframe")
    iframe.wait_for()
    assert page.evaluate("document.activeElement.tagName") == "IFRAME"
    assert iframe.get_attribute("src") == (
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"
    )
    assert iframe.get_attribute("title") == "A therapist talks (video from YouTube)"
    page.wait_for_timeout(200)
    assert off_host_requests, "the player should load only now"
    assert all(urlsplit(url).hostname == "www.youtube-nocookie.com" for url in off_host_requests)


def test_without_javascript_the_video_is_a_plain_link(library, browser, base_url):
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    page = context.new_page()
    page.goto(VIDEO)
    link = page.get_by_role("link", name="Watch “A therapist talks” on YouTube")
    assert link.get_attribute("href") == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert page.locator("iframe, .video-player__play").count() == 0
    context.close()


def test_a_keyboard_user_can_skip_to_the_content_and_sees_where_focus_is(library, page):
    page.goto("/books/loves-executioner/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_the_catalog_filters_work_with_a_keyboard_and_keep_filters_across_pages(library, page):
    page.goto("/resources/")
    summary = page.locator("summary", has_text="Narrow it down")
    summary.focus()
    page.keyboard.press("Enter")  # the filters fold away until asked for
    page.get_by_label("Psychoanalysis").check()
    page.get_by_label("Order").select_option("title")
    page.get_by_role("button", name="Show results").press("Enter")
    page.wait_for_url("**/resources/?topic=psychoanalysis&perspective=&sort=title")
    assert page.locator("h1").inner_text() == "Everything in the library"
    titles = page.locator(".resource-card__title").all_inner_texts()
    assert titles[0] == "How Does Psychotherapy Really Work? It's Not What You Think"
    assert "The Examined Life" in titles
    page.get_by_role("link", name="Books 2").click()
    page.wait_for_url("**/books/?topic=psychoanalysis&perspective=&sort=title")
    assert page.locator(".resource-card").count() == 2
