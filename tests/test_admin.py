import io
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import ExifTags, Image

from resources.models import Book, Resource
from tests.helpers import image_bytes, image_upload, make_resource, make_topic

pytestmark = pytest.mark.django_db

ADMIN_MODELS = [
    "book",
    "video",
    "article",
    "quote",
    "resource",
    "topic",
    "creator",
    "collection",
]


@pytest.fixture
def curator(client):
    call_command("create_curator", "curie", "--password", "a-long-test-password")
    user = User.objects.get(username="curie")
    client.force_login(user)
    return user


def management_form(html):
    """The inline formsets' management fields of an admin page, with no rows filled, and the
    version of the item the page shows (a change form refuses an out-of-date copy)."""
    data = {}
    version = re.search(r'name="version" value="([^"]*)"', html)
    if version:
        data["version"] = version.group(1)
    for name in re.findall(r'name="([^"]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)"', html):
        data[name] = "0"
    return data


def book_form(client, **fields):
    page = client.get(reverse("admin:resources_book_add"))
    assert page.status_code == 200
    data = {
        **management_form(page.content.decode()),
        "title": "The Examined Life",
        "slug": "the-examined-life",
        "summary": "Short stories from a psychoanalyst's consulting room.",
        "perspective": "therapist",
        "status": "draft",
        "content_note": "",
        "url": "",
        "year": "2013",
        "image_alt": "",
        "subtitle": "",
        "isbn": "",
        "publisher": "",
        "pages": "",
    }
    data.update(fields)
    return data


def test_the_create_curator_command_makes_a_staff_member_who_is_not_a_superuser(curator):
    assert curator.is_staff and not curator.is_superuser
    assert list(curator.groups.values_list("name", flat=True)) == ["Curators"]
    assert not curator.has_perm("resources.publish_resource")


def test_create_curator_with_editor_makes_an_editor_and_prints_the_sites_sign_in_address(
    capsys, settings
):
    settings.SITE_URL = "https://library.example.org"
    call_command("create_curator", "ada", "--editor", "--password", "a-long-test-password")
    editor = User.objects.get(username="ada")
    assert list(editor.groups.values_list("name", flat=True)) == ["Editors"]
    assert editor.has_perm("resources.publish_resource") and not editor.is_superuser
    assert editor.has_perm("resources.change_book")
    assert "Sign in at https://library.example.org/admin/" in capsys.readouterr().out
    call_command("create_curator", "bo", "--url", "http://10.0.0.5:8080/", "--password", "x" * 20)
    assert "Sign in at http://10.0.0.5:8080/admin/" in capsys.readouterr().out


def test_a_curator_adds_a_book_with_a_cover_and_an_editor_publishes_it(client, curator):
    data = book_form(
        client,
        image=image_upload("my phone photo.jpg", size=(600, 900)),
        image_alt="The book's cover: a grey door, half open.",
    )
    response = client.post(reverse("admin:resources_book_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    book = Book.objects.get(slug="the-examined-life")
    assert book.status == "draft"
    assert book.image.name.startswith("images/") and "phone" not in book.image.name
    with Image.open(book.image.path) as stored:
        assert stored.size == (600, 900)

    editor = User.objects.create_user("ada", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    response = client.post(
        reverse("admin:resources_book_changelist"),
        {"action": "publish", "_selected_action": [book.pk]},
    )
    assert response.status_code == 302
    book.refresh_from_db()
    assert book.status == "published" and book.published_at is not None
    client.logout()
    assert client.get("/books/the-examined-life/").status_code == 200


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("cover.jpg", b"\xff\xd8\xff\xe0 truncated jpeg", "image/jpeg"),
        SimpleUploadedFile("notes.txt", b"just some words", "text/plain"),
        SimpleUploadedFile(
            "cover.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"
        ),
    ],
)
def test_a_corrupt_or_non_image_file_is_refused_with_an_error_on_the_image_field(
    client, curator, upload
):
    data = book_form(client, image=upload, image_alt="A cover")
    response = client.post(reverse("admin:resources_book_add"), data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "image" in form.errors
    assert not Resource.objects.exists()


def test_an_image_without_a_description_is_refused(client, curator):
    data = book_form(client, image=image_upload())
    response = client.post(reverse("admin:resources_book_add"), data)
    assert "image_alt" in response.context["adminform"].form.errors


def test_a_curator_cannot_manage_users_or_groups(client, curator):
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_add")).status_code == 403


@pytest.mark.parametrize("model", ADMIN_MODELS)
def test_every_changelist_and_add_page_loads_for_a_curator(client, curator, model):
    make_resource("quote", title="A quote", topics=["grief"], creators=["Ann"])
    assert client.get(reverse(f"admin:resources_{model}_changelist")).status_code == 200
    if model != "resource":  # "All resources" only lists; items are added per kind
        assert client.get(reverse(f"admin:resources_{model}_add")).status_code == 200


def test_the_changelist_runs_the_same_queries_for_one_book_and_for_fifty(
    client, curator, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_resource(title="Book 0", topics=["grief"], creators=["Ann", "Bo"])
    url = reverse("admin:resources_book_changelist")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(1, 50):
        make_resource(title=f"Book {n}", topics=["grief", f"topic {n}"], creators=[f"P{n}"])
    with django_assert_num_queries(len(one)):
        client.get(url)


def test_filters_search_and_the_quote_form_work(client, curator):
    make_resource(title="About grief", topics=["grief"], creators=["Ann Smith"])
    make_resource(title="About joy", topics=["joy"])
    grief = make_topic("grief")
    url = reverse("admin:resources_book_changelist")
    response = client.get(url, {"topics__id__exact": grief.pk})
    assert [b.title for b in response.context["cl"].result_list] == ["About grief"]
    response = client.get(url, {"q": "Smith"})
    assert [b.title for b in response.context["cl"].result_list] == ["About grief"]

    page = client.get(reverse("admin:resources_quote_add"))
    data = {
        **management_form(page.content.decode()),
        "quote_text": "When two people meet, an emotional storm is created.",
        "title": "",
        "slug": "",
        "perspective": "general",
        "status": "review",
    }
    response = client.post(reverse("admin:resources_quote_add"), data)
    assert response.status_code == 302
    quote = Resource.objects.get(kind="quote")
    assert quote.slug == "when-two-people-meet-an-emotional-storm-is-created"


def test_all_resources_links_to_the_kind_page(client, curator):
    video = make_resource("video", title="A talk")
    response = client.get(reverse("admin:resources_resource_change", args=[video.pk]))
    assert response.status_code == 302
    assert response.url == reverse("admin:resources_video_change", args=[video.pk])


def test_collection_steps_are_edited_inline_in_order(client, curator):
    first = make_resource(title="First")
    second = make_resource("video", title="Second")
    page = client.get(reverse("admin:resources_collection_add"))
    data = {
        **management_form(page.content.decode()),
        "title": "Start here",
        "slug": "start-here",
        "summary": "",
        "is_public": "on",
        "steps-TOTAL_FORMS": "2",
        "steps-0-position": "2",
        "steps-0-resource": first.pk,
        "steps-0-note": "Then this.",
        "steps-1-position": "1",
        "steps-1-resource": second.pk,
        "steps-1-note": "First this.",
    }
    response = client.post(reverse("admin:resources_collection_add"), data)
    assert response.status_code == 302
    from resources.models import Collection

    steps = Collection.objects.get().steps.all()
    assert [(s.resource.title, s.note) for s in steps] == [
        ("Second", "First this."),
        ("First", "Then this."),
    ]


def test_the_curators_group_exists_after_migrating():
    perms = set(Group.objects.get(name="Curators").permissions.values_list("codename", flat=True))
    assert {"add_book", "change_book", "view_book", "change_topic"} <= perms
    assert not any(p.endswith("_user") or p.endswith("_group") for p in perms)
    assert "delete_book" not in perms


def bomb_png():
    """A small PNG that would decode to 400 million pixels."""
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bomb.png", bomb_png, "pixels"),
        ("polyglot.jpg", lambda: image_bytes() + b"<script>alert(1)</script>", "script"),
        ("truncated.jpg", lambda: image_bytes(size=(400, 400))[:1500], "image"),
        ("huge.jpg", lambda: image_bytes() + bytes(30 * 1024 * 1024), "MB"),
    ],
)
def test_dangerous_or_broken_uploads_are_refused_with_an_error_on_the_image_field(
    client, curator, name, content, message
):
    upload = SimpleUploadedFile(name, content(), "image/jpeg")
    response = client.post(
        reverse("admin:resources_book_add"), book_form(client, image=upload, image_alt="A cover")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["image"]
    assert message in " ".join(errors)
    assert not Resource.objects.exists()


def test_a_phone_photo_is_stored_without_its_location_or_camera(client, curator):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 30.0, 12.0)
    photo = image_bytes(size=(300, 200), exif=exif)
    with Image.open(io.BytesIO(photo)) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test photo has a location

    upload = SimpleUploadedFile("IMG_0001.jpg", photo, "image/jpeg")
    data = book_form(client, image=upload, image_alt="A cover")
    assert client.post(reverse("admin:resources_book_add"), data).status_code == 302
    stored = Book.objects.get().image
    with Image.open(stored.path) as image:
        assert image.format == "JPEG" and image.size == (300, 200)
        assert not image.getexif()
    assert b"PhoneMaker" not in stored.read()


def test_a_curators_change_is_in_the_history_with_its_author_and_can_be_reverted(client, curator):
    client.post(reverse("admin:resources_book_add"), book_form(client))
    book = Book.objects.get()
    change_url = reverse("admin:resources_book_change", args=[book.pk])
    change = book_form(client, title="The Examined Life, renamed", status="review")
    change.update(management_form(client.get(change_url).content.decode()))
    response = client.post(change_url, change)
    assert response.status_code == 302, response.context["adminform"].form.errors

    history = list(book.history.order_by("history_date"))
    assert [(h.history_type, h.title, h.history_user) for h in history] == [
        ("+", "The Examined Life", curator),
        ("~", "The Examined Life, renamed", curator),
    ]
    page = client.get(reverse("admin:resources_book_history", args=[book.pk]))
    assert page.status_code == 200
    assert "curie" in page.content.decode()

    first = history[0]
    revert_url = reverse("admin:resources_book_simple_history", args=[book.pk, first.pk])
    form_page = client.get(revert_url)
    assert form_page.status_code == 200
    revert = book_form(client, title="The Examined Life", status="draft")
    revert.update(management_form(form_page.content.decode()))
    assert client.post(revert_url, revert).status_code == 302
    book.refresh_from_db()
    assert book.title == "The Examined Life"
    assert book.history.first().history_user == curator


def test_a_search_matching_two_creators_of_one_book_lists_it_once(client, curator):
    make_resource(title="Written together", creators=["Ann Smith", "Bo Smith"], topics=["a", "b"])
    url = reverse("admin:resources_book_changelist")
    response = client.get(url, {"q": "Smith"})
    assert [b.title for b in response.context["cl"].result_list] == ["Written together"]
    response = client.get(reverse("admin:resources_resource_changelist"), {"q": "Smith"})
    assert [r.title for r in response.context["cl"].result_list] == ["Written together"]


@pytest.mark.parametrize("printed", ["978-0-8070-1429-5", "978 0 8070 1429 5", "0-8070-1429-X"])
def test_an_isbn_is_accepted_as_printed_and_stored_as_its_isbn_13(client, curator, printed):
    response = client.post(reverse("admin:resources_book_add"), book_form(client, isbn=printed))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Book.objects.get().isbn == "9780807014295"


def test_a_wrong_isbn_is_refused_with_its_own_check_digit_named(client, curator):
    response = client.post(
        reverse("admin:resources_book_add"), book_form(client, isbn="978-0-8070-1429-4")
    )
    assert "ISBN-13's check digit is wrong" in response.context["adminform"].form.errors["isbn"][0]


def test_after_an_error_elsewhere_the_form_says_the_image_must_be_chosen_again(client, curator):
    data = book_form(client, image=image_upload(), image_alt="A cover", title="")
    response = client.post(reverse("admin:resources_book_add"), data)
    errors = response.context["adminform"].form.errors
    assert "title" in errors and "Choose the image again" in errors["image"][0]


def test_save_and_preview_opens_the_staff_preview_of_a_new_draft(client, curator):
    response = client.post(reverse("admin:resources_book_add"), book_form(client, _preview="1"))
    assert response.status_code == 302 and response.url == "/books/the-examined-life/"
    page = client.get(response.url).content.decode()
    assert "<strong>Draft:</strong> only staff can see this page" in page
