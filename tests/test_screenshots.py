"""
Screenshots of the main page types at phone and desktop widths, for docs/screenshots/.

Run with `make screenshots` (it sets SCREENSHOTS=1); skipped in the normal test run so the
suite never rewrites tracked files.
"""

import os
from pathlib import Path

import pytest

SCREENSHOT_DIR = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PAGES = {
    "home": "/",
    "catalog": "/resources/",
    "book": "/books/loves-executioner/",
    "video": "/videos/moments-of-meaning/",
    "quote": "/quotes/rilke-unspeakably-alone/",
    "topic": "/topics/the-therapeutic-relationship/",
    "collection": "/collections/start-here/",
    "about": "/about/",
}
SIZES = [(375, 812), (1280, 900)]  # a phone and a desktop


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("SCREENSHOTS"), reason="run with `make screenshots`")
def test_screenshots_of_every_main_page_type(seed, page):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.emulate_media(color_scheme="light", reduced_motion="reduce")
    for name, path in PAGES.items():
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            response = page.goto(path)
            assert response.status == 200, path
            page.screenshot(path=SCREENSHOT_DIR / f"{name}-{width}.png", full_page=True)
