import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from resources.models import Book, Quote, Resource, Video, parse_video_url
from resources.validators import normalize_isbn
from tests.helpers import image_upload, make_resource

pytestmark = pytest.mark.django_db


def test_published_hides_drafts_items_in_review_and_scheduled_items():
    public = make_resource(title="Public")
    make_resource(title="Draft", status="draft", published_at=None)
    make_resource(title="In review", status="review", published_at=None)
    make_resource(title="Later", published_at=timezone.now() + timezone.timedelta(days=1))
    assert list(Resource.objects.published()) == [public]


def test_publishing_sets_the_publish_time_once():
    book = make_resource(status="draft", published_at=None)
    book.status = "published"
    book.save()
    first = book.published_at
    assert first is not None
    book.save()
    assert book.published_at == first


def test_proxy_managers_list_only_their_kind_and_save_their_kind():
    make_resource("book", title="A book")
    make_resource("video", title="A video")
    assert [b.title for b in Book.objects.all()] == ["A book"]
    video = Video(title="Another video", slug="another-video", status="draft")
    video.save()
    assert Resource.objects.get(pk=video.pk).kind == "video"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("978 0 306 40615 7", "9780306406157"),  # the ISBN-13 example of the standard
        ("0-306-40615-2", "9780306406157"),  # the ISBN-10 example of the ISBN standard
        ("080442957X", "9780804429573"),
    ],
)
def test_isbn_10_is_converted_and_isbn_13_is_normalised(given, expected):
    assert normalize_isbn(given) == expected


@pytest.mark.parametrize("bad", ["9780306406158", "0-306-40615-3", "12345", "97803064061AB"])
def test_a_wrong_isbn_is_refused(bad):
    with pytest.raises(ValidationError):
        normalize_isbn(bad)


def test_full_clean_converts_an_isbn_10_and_names_the_field_when_wrong():
    book = Book(title="T", slug="t", isbn="0-306-40615-2")
    book.full_clean()
    assert book.isbn == "9780306406157"
    book.isbn = "9780306406158"
    with pytest.raises(ValidationError) as error:
        book.full_clean()
    assert "isbn" in error.value.message_dict


def test_only_http_and_https_links_are_accepted():
    book = Book(title="T", slug="t", url="javascript:alert(1)")
    with pytest.raises(ValidationError) as error:
        book.full_clean()
    assert "url" in error.value.message_dict
    book.url = "ftp://example.org/file"
    with pytest.raises(ValidationError):
        book.full_clean()
    book.url = "https://example.org/book"
    book.full_clean()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10", ("youtube", "dQw4w9WgXcQ")),
        ("https://youtu.be/dQw4w9WgXcQ", ("youtube", "dQw4w9WgXcQ")),
        ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", ("youtube", "dQw4w9WgXcQ")),
        ("https://m.youtube.com/shorts/dQw4w9WgXcQ", ("youtube", "dQw4w9WgXcQ")),
        ("https://vimeo.com/76979871", ("vimeo", "76979871")),
        ("https://player.vimeo.com/video/76979871", ("vimeo", "76979871")),
        ("https://vimeo.com/channels/staffpicks/76979871", ("vimeo", "76979871")),
        ("https://www.youtube.com/watch?v=short", None),
        ("https://example.org/watch?v=dQw4w9WgXcQ", None),
        ("javascript:https://youtu.be/dQw4w9WgXcQ", None),
    ],
)
def test_youtube_and_vimeo_links_are_recognised(url, expected):
    assert parse_video_url(url) == expected


def test_a_quote_needs_its_words_and_gets_a_title_from_them():
    quote = Quote(slug="q", status="draft")
    with pytest.raises(ValidationError) as error:
        quote.full_clean()
    assert "quote_text" in error.value.message_dict
    quote.quote_text = "When two people meet, an emotional storm is created."
    quote.full_clean()
    assert quote.title == "When two people meet, an emotional storm is created."


def test_the_database_refuses_a_quote_without_text():
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.create(kind="quote", title="Empty", slug="empty", status="draft")


def test_the_database_refuses_an_unknown_kind_and_a_duplicate_isbn():
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.create(kind="podcast", title="P", slug="p")
    make_resource(isbn="9780306406157", slug="one")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_resource(isbn="9780306406157", slug="two")
    make_resource(slug="no-isbn-1")
    make_resource(slug="no-isbn-2")  # many books may have no ISBN


def test_slugs_are_unique_per_kind():
    make_resource("book", slug="same")
    make_resource("video", slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_resource("book", slug="same")


def test_an_image_needs_a_description():
    book = Book(title="T", slug="t", image=image_upload())
    with pytest.raises(ValidationError) as error:
        book.full_clean()
    assert "image_alt" in error.value.message_dict


def test_a_file_that_is_not_a_real_image_is_refused():
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("cover.jpg", b"<html>not an image</html>", "image/jpeg")
    book = Book(title="T", slug="t", image=fake, image_alt="A cover")
    with pytest.raises(ValidationError) as error:
        book.full_clean()
    assert "image" in error.value.message_dict


def test_a_gif_is_refused_even_though_pillow_reads_it():
    book = Book(title="T", slug="t", image=image_upload("c.gif", "GIF"), image_alt="A cover")
    with pytest.raises(ValidationError) as error:
        book.full_clean()
    assert "JPEG, PNG or WebP" in str(error.value)


def test_an_oversized_file_is_refused(settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1000
    book = Book(title="T", slug="t", image=image_upload(size=(400, 400)), image_alt="A cover")
    with pytest.raises(ValidationError) as error:
        book.full_clean()
    assert "up to" in str(error.value.message_dict["image"])


def test_every_model_has_a_readable_name_and_a_public_url():
    from resources.models import Collection, Creator, Topic

    book = make_resource(title="The Examined Life", slug="the-examined-life", creators=["Ann"])
    assert str(book) == "The Examined Life"
    assert book.get_absolute_url() == "/books/the-examined-life/"
    assert Topic(name="grief", slug="grief").get_absolute_url() == "/topics/grief/"
    assert Creator(name="Ann", slug="ann").get_absolute_url() == "/people/ann/"
    assert Collection(title="S", slug="s").get_absolute_url() == "/collections/s/"
    assert str(book.credits_in_order()[0]) == "Ann (author)"
