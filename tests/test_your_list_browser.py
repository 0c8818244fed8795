"""Your list in a real browser: built in the tab, shown, printed."""

import os
import re

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("LIST_SCREENSHOTS")


def test_a_visitor_builds_a_list_in_the_tab_and_prints_it(page, seed):
    page.goto("/books/the-examined-life/")
    page.get_by_role("link", name="Add to your list").click()
    page.get_by_text("Added to your list.").wait_for()
    page.goto("/videos/moments-of-meaning/")
    page.get_by_role("link", name="Add to your list").click()
    page.goto("/list/")  # the tab's list, put in the address
    page.wait_for_url("**/list/?items=book:the-examined-life,video:moments-of-meaning")
    assert page.get_by_role("heading", level=2, name="The Examined Life").count() == 1
    assert page.evaluate("window.localStorage.length") == 0
    assert page.context.cookies() == []

    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/list-{width}.png", full_page=True)

    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert page.locator(".list-item").count() == 2
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pdf.startswith(b"%PDF") and pages == 1  # two items fit on one A4 page
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/list-print.png", full_page=True)
