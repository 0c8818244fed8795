"""Two curators on one book, in two browsers."""

import pytest
from django.contrib.auth.models import Group, User

from resources.models import Resource
from tests.helpers import make_resource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-right-password"


def signed_in(browser, base_url, name):
    user = User.objects.create_user(
        name, first_name=name.capitalize(), password=PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Curators"))
    page = browser.new_context(base_url=base_url).new_page()
    page.goto("/admin/")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Curate the library").wait_for()
    return page


def test_the_second_of_two_saves_is_refused_with_the_firsts_name(browser, live_server, roles):
    book = make_resource(title="The Examined Life", status="draft", published_at=None)
    url = f"/admin/resources/book/{book.pk}/change/"
    ann, bo = (signed_in(browser, live_server.url, name) for name in ("ann", "bo"))
    ann.goto(url)
    bo.goto(url)

    ann.get_by_label("Subtitle").fill("How We Lose and Find Ourselves")
    ann.get_by_role("button", name="Save", exact=True).click()
    ann.get_by_text("was changed successfully").wait_for()

    bo.get_by_label("Subtitle").fill("Bo's subtitle")
    bo.get_by_role("button", name="Save", exact=True).click()
    bo.get_by_text("Not saved: Ann saved it on").wait_for()
    assert bo.get_by_label("Subtitle").input_value() == "Bo's subtitle"  # kept
    assert bo.get_by_role("link", name="see what changed").count() == 1
    book.refresh_from_db()
    assert book.subtitle == "How We Lose and Find Ourselves"  # nothing of Bo's written

    bo.goto(url)  # reloading shows Ann's change; Bo can save now
    assert bo.get_by_label("Subtitle").input_value() == "How We Lose and Find Ourselves"
    bo.get_by_label("Subtitle").fill("Bo's subtitle")
    bo.get_by_role("button", name="Save", exact=True).click()
    bo.get_by_text("was changed successfully").wait_for()
    assert Resource.objects.get(pk=book.pk).subtitle == "Bo's subtitle"
