"""History a curator can read: who, when, what changed and why, for every kind of change."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from resources.models import Resource
from tests.helpers import make_resource, make_topic

from .test_review import book_data, change_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    user = User.objects.create_user("ada", first_name="Ada", last_name="Byron", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(user)
    return client


def history_page(client, resource):
    page = client.get(reverse("admin:resources_book_history", args=[resource.pk]))
    assert page.status_code == 200
    return page.content.decode()


def test_a_bulk_publish_leaves_a_readable_entry_in_the_sites_time_zone(editor, settings):
    settings.TIME_ZONE = "Pacific/Auckland"
    book = make_resource(title="A draft", status="draft", published_at=None)
    editor.post(
        reverse("admin:resources_book_changelist"),
        {"action": "publish", "_selected_action": [book.pk]},
    )
    record = book.history.first()
    assert (record.history_change_reason, record.history_user.username) == ("Published", "ada")
    page = history_page(editor, book)
    assert "Ada Byron" in page and "Published" in page and "None" not in page
    assert re.search(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d</td>", page)  # to the minute
    assert "+00:00" not in page and "Status:</strong> Draft → Published" in page


def test_an_approval_and_an_import_leave_readable_entries(editor, tmp_path):
    book = make_resource(title="In review", status="review", published_at=None)
    data = book_data(editor, change_url(book), title="In review", slug=book.slug, _approve="1")
    editor.post(change_url(book), data)
    assert book.history.first().history_change_reason == "Approved and published"

    path = tmp_path / "library.jsonl"
    path.write_text(
        '{"kind": "book", "slug": "imported", "title": "Imported", "summary": "Why.",'
        ' "topics": ["grief"], "creators": [{"name": "Ann Author", "role": "author"}]}\n',
        encoding="utf-8",
    )
    call_command("import_resources", str(path))
    imported = Resource.objects.get(slug="imported")
    record = imported.history.get()
    assert record.history_change_reason == f"Imported from {path} (import_resources)"
    assert (record.topics_text, record.credits_text) == ("grief", "Ann Author (author)")
    path.write_text(path.read_text().replace('"Why."', '"Why it helps."'), encoding="utf-8")
    call_command("import_resources", str(path))
    page = history_page(editor, imported)
    assert "A command" in page and "Why it may help:</strong> Why. → Why it helps." in page


def test_whole_values_topics_and_credits_are_in_the_history(editor):
    long_note = "A long note from the curator about psychotherapy and what it is like. " * 4
    book = make_resource(title="A book", slug="a-book", summary="Short.")
    grief = make_topic("grief")
    data = book_data(editor, change_url(book), [grief], title="A book", slug="a-book")
    data["summary"] = long_note.strip()
    editor.post(change_url(book), data)
    page = history_page(editor, book)
    assert long_note.strip() in page and "[16 chars]" not in page
    assert "Topics:</strong> — → grief" in page


def test_restoring_an_earlier_version_is_itself_recorded(editor):
    book = make_resource(title="First title", slug="a-book")
    first = book.history.first()
    book.title = "Second title"
    book.save()
    url = reverse("admin:resources_book_simple_history", args=[book.pk, first.pk])
    data = book_data(editor, change_url(book), title="First title", slug="a-book")
    data["status"] = "published"
    assert editor.post(url, data).status_code == 302
    book.refresh_from_db()
    assert book.title == "First title"
    assert book.history.first().history_change_reason.startswith("Restored the version of ")
