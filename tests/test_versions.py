"""Two people editing the same item: no curator's work is silently lost."""

import re
import threading

import pytest
from concurrency.exceptions import RecordModifiedError
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse

from resources.models import Collection, Creator, Resource
from tests.helpers import make_resource, make_topic

from .test_admin import management_form
from .test_review import book_data, change_url

pytestmark = pytest.mark.django_db


def editor(name):
    user = User.objects.create_user(name, first_name=name.capitalize(), is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(user)
    return client


def test_a_save_based_on_an_out_of_date_copy_is_refused_and_keeps_what_was_typed():
    ada, bo = editor("ada"), editor("bo")
    book = make_resource(title="The Examined Life", slug="the-examined-life", summary="First.")
    ada_form = book_data(ada, change_url(book), title="The Examined Life", summary="Ada's note.")
    bo_form = book_data(bo, change_url(book), title="The Examined Life", summary="Bo's note.")
    ada_form["status"] = bo_form["status"] = "published"

    assert ada.post(change_url(book), ada_form).status_code == 302
    response = bo.post(change_url(book), bo_form)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Not saved: Ada saved it on" in text and "after you opened it" in text
    history = reverse("admin:resources_book_history", args=[book.pk])
    assert f'<a href="{history}">see what changed</a>' in text
    assert "Bo&#x27;s note." in text  # what Bo typed is still in the form
    book.refresh_from_db()
    assert book.summary == "Ada's note."  # nothing of Bo's was written

    # The form Bo got back carries the new version: saving it again is a deliberate choice.
    bo_form["version"] = re.search(r'name="version" value="([^"]*)"', text).group(1)
    assert bo.post(change_url(book), bo_form).status_code == 302
    book.refresh_from_db()
    assert book.summary == "Bo's note."


def test_an_import_that_changes_an_item_makes_an_open_form_out_of_date(tmp_path):
    ada = editor("ada")
    book = make_resource(title="Imported Book", slug="imported-book")
    form = book_data(ada, change_url(book), title="Imported Book", slug="imported-book")
    path = tmp_path / "one.jsonl"
    path.write_text(
        '{"kind": "book", "slug": "imported-book", "title": "Imported Book", "summary": "New."}\n',
        encoding="utf-8",
    )
    call_command("import_resources", str(path))
    response = ada.post(change_url(book), {**form, "status": "published"})
    assert "Not saved: A command saved it" in response.content.decode()
    book.refresh_from_db()
    assert book.summary == "New."


@pytest.mark.parametrize(
    ("model", "make", "fields"),
    [
        ("topic", lambda: make_topic("grief"), {"name": "grief", "slug": "grief"}),
        (
            "creator",
            lambda: Creator.objects.create(name="Ann", slug="ann"),
            {"name": "Ann", "slug": "ann", "bio": ""},
        ),
        (
            "collection",
            lambda: Collection.objects.create(title="Path", slug="path"),
            {"title": "Path", "slug": "path", "summary": ""},
        ),
    ],
)
def test_topics_people_and_paths_refuse_an_out_of_date_copy_too(model, make, fields):
    ada, bo = editor("ada"), editor("bo")
    obj = make()
    url = reverse(f"admin:resources_{model}_change", args=[obj.pk])
    forms = [{**management_form(c.get(url).content.decode()), **fields} for c in (ada, bo)]
    assert ada.post(url, forms[0]).status_code == 302
    response = bo.post(url, forms[1])
    assert response.status_code == 200 and "Not saved: Ada saved it" in response.content.decode()


def test_a_bulk_action_skips_an_item_saved_since_the_list_was_shown_and_says_so():
    ada = editor("ada")
    first = make_resource(title="First", status="review", published_at=None)
    second = make_resource(title="Second", status="review", published_at=None)
    page = ada.get(reverse("admin:resources_book_changelist")).content.decode()
    versions = dict(re.findall(r'name="(_version_\d+)" value="(\d+)"', page))
    assert len(versions) == 2
    first.summary = "Changed meanwhile."
    first.save()
    response = ada.post(
        reverse("admin:resources_book_changelist"),
        {"action": "publish", "_selected_action": [first.pk, second.pk], **versions},
        follow=True,
    )
    assert "“First” (changed since the list was shown: reload it)" in response.content.decode()
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == ("review", "published")


def test_a_save_of_a_copy_read_before_another_save_is_refused_by_the_database():
    book = make_resource(title="Book")
    mine, theirs = Resource.objects.get(pk=book.pk), Resource.objects.get(pk=book.pk)
    theirs.title = "Theirs"
    theirs.save()
    mine.title = "Mine"
    with pytest.raises(RecordModifiedError), transaction.atomic():
        mine.save()
    book.refresh_from_db()
    assert book.title == "Theirs"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_saves_racing_in_threads_cannot_both_win():
    """Both read the same version, then save at once, each in its own transaction and
    connection: PostgreSQL makes the second UPDATE wait for the first and then find no row
    of that version."""
    book = make_resource(title="Book")
    ready = threading.Barrier(2)
    outcomes = []

    def save(title):
        try:
            copy = Resource.objects.get(pk=book.pk)
            copy.title = title
            ready.wait()
            copy.save()
            outcomes.append("saved")
        except RecordModifiedError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(title,)) for title in ("One", "Two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "saved"]
    assert connection.vendor == "postgresql"
    book.refresh_from_db()
    assert book.title in ("One", "Two") and book.version == 2
