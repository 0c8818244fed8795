"""The whole review round in a real browser: a curator and an editor, each signed in."""

import os

import pytest
from django.contrib.auth.models import Group, User

from resources.models import Resource

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-right-password"
SHOTS = os.environ.get("REVIEW_SCREENSHOTS")  # a folder, to look at the pages


def signed_in(browser, base_url, name, group):
    user = User.objects.create_user(name, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    page = browser.new_context(base_url=base_url).new_page()
    page.goto("/admin/")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Curate the library").wait_for()
    return page


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_book_goes_from_a_curator_through_an_editor_to_the_public(browser, live_server, roles):
    curator = signed_in(browser, live_server.url, "curie", "Curators")
    editor = signed_in(browser, live_server.url, "ada", "Editors")

    def visit(path):
        """What a visitor who has never been to the site sees."""
        page = browser.new_context(base_url=live_server.url).new_page()
        response = page.goto(path)
        return response.status, page.content()

    # A curator adds a book with only a title and the note, and cannot make it public.
    curator.goto("/admin/resources/book/add/")
    curator.get_by_label("Title").first.fill("The Examined Life")
    curator.get_by_role("textbox", name="Why it may help").fill(
        "Short stories from a psychoanalyst's room."
    )
    options = curator.get_by_label("Status").locator("option").all_inner_texts()
    assert "Published" not in options
    curator.get_by_role("button", name="Submit for review").click()
    curator.get_by_text("was added successfully").wait_for()
    book = Resource.objects.get()
    assert book.status == "review"
    assert visit("/books/the-examined-life/")[0] == 404

    # An editor sees it waiting, approves it, and it is public at once.
    editor.goto("/admin/")
    shot(editor, "admin-index-editor")
    editor.get_by_role("link", name="Awaiting your review").click()
    editor.get_by_role("link", name="The Examined Life").click()
    shot(editor, "review-change-form-editor")
    editor.get_by_role("button", name="Approve and publish").click()
    editor.get_by_text("was changed successfully").wait_for()
    assert visit("/books/the-examined-life/")[0] == 200

    # A curator's edit of the published book waits for an editor.
    curator.goto(f"/admin/resources/book/{book.pk}/change/")
    curator.get_by_label("Title").first.fill("The Examined Life (revised)")
    curator.get_by_role("button", name="Save", exact=True).click()
    curator.get_by_text("waiting for an editor").wait_for()
    shot(curator, "pending-change-curator")
    assert "revised" not in visit("/books/the-examined-life/")[1]

    editor.goto(f"/admin/resources/book/{book.pk}/change/")
    editor.get_by_role("heading", name="A change waits for an editor").wait_for()
    shot(editor, "pending-change-editor")
    editor.get_by_role("button", name="Approve this change").click()
    editor.get_by_text("it is live").wait_for()
    assert "The Examined Life (revised)" in visit("/books/the-examined-life/")[1]

    # The history names each step.
    editor.goto(f"/admin/resources/book/{book.pk}/history/")
    shot(editor, "review-history")
    history = editor.locator("#content").inner_text()
    for step in ("Submitted for review", "Approved and published", "Approved the change"):
        assert step in history
