"""The admin's own pages, as curators meet them, free of axe-core violations."""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import Group, User

from tests.helpers import make_resource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-right-password"
SIZES = [(375, 812), (1280, 900)]
SHOTS = os.environ.get("ADMIN_SCREENSHOTS")  # a folder, to look at the pages


def violations(page):
    results = Axe().run(page)
    return results.violations_count, results.generate_report()


def test_the_admins_pages_have_no_axe_violations_at_phone_and_desktop_widths(
    page, live_server, roles
):
    user = User.objects.create_user("ada", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    book = make_resource(title="The Examined Life", topics=["grief"], creators=["Stephen Grosz"])
    book.title = "The Examined Life, revised"
    book.save()
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.context.clear_cookies()
        page.goto("/admin/login/")
        count, report = violations(page)
        assert count == 0, f"login at {width}px:\n{report}"
        page.get_by_label("Username").fill("ada")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("heading", name="Curate the library").wait_for()
        for name, path in [
            ("index", "/admin/"),
            ("changelist", "/admin/resources/book/"),
            ("all resources", "/admin/resources/resource/?attention=review"),
            ("add form", "/admin/resources/book/add/"),
            ("change form", f"/admin/resources/book/{book.pk}/change/"),
            ("history", f"/admin/resources/book/{book.pk}/history/"),
            ("topics", "/admin/resources/topic/"),
        ]:
            page.goto(path)
            page.wait_for_load_state("networkidle")
            if SHOTS:
                page.screenshot(
                    path=f"{SHOTS}/admin-{name.replace(' ', '-')}-{width}.png", full_page=True
                )
            count, report = violations(page)
            assert count == 0, f"{name} at {width}px:\n{report}"
