"""
Help and safety in a real browser (issue #11): on a phone the page's heading starts in the top
third of the screen, help opens in place and its numbers are big enough to tap, "Exit this
page" leaves by a click or by Shift pressed three times and Back does not return, the error
pages are as accessible as the rest, and the desktop catalog keeps no empty column.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.template.loader import render_to_string

from .test_browser import PAGES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXIT_URL = "https://www.wikipedia.org/"
PHONE = {"width": 375, "height": 667}
TOP_THIRD = 222  # px: a third of a 375×667 phone's screen, header and crisis notice included


@pytest.fixture
def neutral_site(page):
    """The exit's destination, answered locally: the test never leaves the machine."""
    page.route(
        f"{EXIT_URL}**",
        lambda route: route.fulfill(
            body="<!doctype html><title>Wikipedia</title><h1>Wikipedia</h1>",
            content_type="text/html",
        ),
    )
    return EXIT_URL


def test_on_a_phone_every_pages_heading_starts_in_the_top_third(seed, page):
    page.set_viewport_size(PHONE)
    problems = []
    steps_and_lists = [
        "/books/the-examined-life/?path=start-here",
        "/list/?items=book:the-examined-life",
    ]
    for path in [*[p for p in PAGES if p != "/videos/a-therapist-talks/"], *steps_and_lists]:
        page.goto(path)
        top = page.locator("h1").bounding_box()["y"]
        if top > TOP_THIRD:
            problems.append(f"{path}: <h1> at {top:.0f}px")
        bar = page.locator(".safety-bar").bounding_box()["height"]
        if bar > 56:
            problems.append(f"{path}: the crisis notice is {bar:.0f}px tall, not one line")
    assert not problems, "\n".join(problems)


def test_help_opens_in_place_with_numbers_big_enough_to_tap(seed, page):
    page.set_viewport_size(PHONE)
    page.goto("/books/loves-executioner/")
    call = page.locator('.safety-bar a[href="tel:116123"]')
    assert not call.is_visible()
    page.get_by_text("Need help now?").click()
    assert call.is_visible()
    box = call.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44  # WCAG 2.5.5's 44 px, not just 24
    assert page.locator('.safety-bar a[href="sms:988"]').is_visible()


def test_the_exit_button_leaves_and_back_does_not_return(seed, page, neutral_site):
    page.goto("/")
    page.goto("/books/loves-executioner/")
    page.get_by_role("link", name="Add to your list").click()
    assert page.evaluate("sessionStorage.getItem('library-list')") == "book:loves-executioner"
    page.get_by_role("link", name="Exit this page").click()
    page.wait_for_url(EXIT_URL)
    page.go_back()
    page.wait_for_load_state()
    assert page.url.endswith("/") and "loves-executioner" not in page.url
    # The list gathered in the tab went with the page: nothing to find if the tab comes back.
    assert page.evaluate("sessionStorage.getItem('library-list')") is None


def test_shift_pressed_three_times_leaves_and_back_does_not_return(seed, page, neutral_site):
    page.goto("/")
    page.goto("/topics/")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    assert page.get_by_role("status").inner_text() == "Shift, press 1 more time to exit."
    page.keyboard.press("Shift")
    page.wait_for_url(EXIT_URL)
    page.go_back()
    page.wait_for_load_state()
    assert "/topics/" not in page.url


def test_typing_capital_letters_does_not_leave(seed, page):
    page.goto("/search/")
    page.get_by_label("Search for a topic, a title, a person or a question").type("I Am Sad Today")
    page.wait_for_timeout(200)
    assert page.url.endswith("/search/")
    assert page.get_by_role("status").inner_text() == ""


def test_the_exit_button_stays_in_reach_as_the_page_scrolls(seed, page):
    page.set_viewport_size(PHONE)
    page.goto("/resources/")
    page.mouse.wheel(0, 2000)
    page.wait_for_timeout(200)
    box = page.get_by_role("link", name="Exit this page").bounding_box()
    assert 0 <= box["y"] < 60


def test_without_javascript_the_exit_is_a_plain_link(seed, browser, base_url):
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    page = context.new_page()
    page.route(f"{EXIT_URL}**", lambda route: route.fulfill(body="Wikipedia"))
    page.goto("/about/")
    page.get_by_role("link", name="Exit this page").click()
    page.wait_for_url(EXIT_URL)
    context.close()


@pytest.mark.parametrize("template", ["400.html", "403.html", "500.html", "503.html"])
def test_the_error_pages_have_no_axe_violations_and_the_help_and_exit(page, template):
    html = render_to_string(template)  # as Django renders them, 500 without a request
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto("/robots.txt")  # this site's origin, so the page's CSS and script load
        page.set_content(html, wait_until="load")
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        assert page.get_by_role("link", name="Exit this page").count() == 1
        assert page.locator('a[href="tel:988"]').count() == 1


def test_the_desktop_catalog_has_no_empty_column_while_narrowing_is_folded(seed, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/resources/")
    results = page.locator(".catalog__results").bounding_box()
    filters = page.locator(".filters").bounding_box()
    assert results["x"] == filters["x"] and results["width"] > 900
    page.get_by_text("Narrow it down").click()
    assert page.locator(".catalog__results").bounding_box()["x"] > filters["x"] + 250


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_highlights_are_a_soft_wash_on_the_word(seed, page, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto("/search/?q=therapy")
    mark = page.locator("mark").first
    background = mark.evaluate("m => getComputedStyle(m).backgroundColor")
    assert background not in ("rgb(255, 255, 0)", "yellow")
    assert mark.evaluate("m => getComputedStyle(m).color") == mark.evaluate(
        "m => getComputedStyle(m.parentElement).color"
    )


def test_an_editor_changes_the_about_page_in_an_accessible_form(page, live_server, roles):
    from django.contrib.auth.models import Group, User

    from resources.models import Page
    from resources.seed import add_missing_pages

    add_missing_pages()  # as `roles` remakes the groups: a flush removed what migrate made

    password = "a-long-and-right-password"
    editor = User.objects.create_user("ada", password=password, is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    about = Page.objects.get(slug="about")
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Curate the library").wait_for()
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for path in ("/admin/resources/page/", f"/admin/resources/page/{about.pk}/change/"):
            page.goto(path)
            results = Axe().run(page)
            assert results.violations_count == 0, (
                f"{path} at {width}px\n{results.generate_report()}"
            )
    page.get_by_label("Body").fill("Run by the Test Clinic.\n\nWrite to us by post.")
    page.get_by_role("button", name="Save", exact=True).click()
    page.context.clear_cookies()
    page.goto("/about/")
    assert page.locator(".prose p").first.inner_text() == "Run by the Test Clinic."
