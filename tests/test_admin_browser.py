"""The admin in a real browser, under the site's strict Content-Security-Policy."""

import pytest
from django.contrib.auth.models import Group, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-right-password"


@pytest.fixture
def curator(seed, roles):
    user = User.objects.create_user("curie", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Curators"))
    return user


def test_a_curator_signs_in_and_uses_the_admin_with_no_policy_violations(page, curator):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto("/admin/")
    page.get_by_label("Username").fill("curie")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Curate the library").wait_for()

    page.goto("/admin/resources/book/add/")
    page.get_by_label("Title").first.press_sequentially("A New Book About Grief")
    # The slug is filled from the title by the admin's own script, allowed by the policy.
    assert page.get_by_label("Slug").input_value() == "a-new-book-about-grief"
    page.goto("/admin/resources/book/")
    page.goto("/admin/resources/collection/")
    assert violations == []


def test_a_form_error_says_the_image_must_be_chosen_again_and_save_and_preview_opens_it(
    page, curator, tmp_path
):
    from tests.helpers import image_bytes

    cover = tmp_path / "cover.jpg"
    cover.write_bytes(image_bytes())
    page.goto("/admin/")
    page.get_by_label("Username").fill("curie")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Curate the library").wait_for()

    page.goto("/admin/resources/book/add/")
    page.locator("#id_image").set_input_files(str(cover))
    page.get_by_label("Image description").fill("A grey door, half open.")
    page.get_by_role("button", name="Save and preview").click()  # no title: an error
    page.get_by_text("Choose the image again").wait_for()

    page.get_by_label("Title").first.fill("A Quiet Book")
    page.locator("#id_image").set_input_files(str(cover))
    page.get_by_role("button", name="Save and preview").click()
    page.get_by_text("only staff can see this page").wait_for()
    assert page.url.endswith("/books/a-quiet-book/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("A Quiet Book")
