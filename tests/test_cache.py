import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from resources.models import Creator, Resource
from tests.helpers import make_resource

pytestmark = pytest.mark.django_db


def publish_through_the_admin(book):
    """An editor (not a superuser) publishes `book` with the admin's action."""
    editor = User.objects.create_user("ada", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    staff = Client()
    staff.force_login(editor)
    response = staff.post(
        reverse("admin:resources_book_changelist"),
        {"action": "publish", "_selected_action": [book.pk]},
    )
    assert response.status_code == 302


def test_a_public_page_is_served_from_the_cache_the_second_time(client, django_assert_num_queries):
    make_resource(title="Cached book", topics=["grief"])
    first = client.get("/resources/")
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get("/resources/")
    assert second.content == first.content
    # Kept on the server; a browser or a proxy asks again each time (issue #11).
    assert second["Cache-Control"] == "no-cache" and "Expires" not in second


def test_publishing_makes_a_resource_appear_at_once_on_cached_catalog_and_topic_pages(client):
    draft = make_resource(
        title="Freshly published", status="draft", published_at=None, topics=["grief"]
    )
    make_resource(title="Already public", topics=["grief"])
    for url in ("/resources/", "/topics/grief/"):
        assert "Freshly published" not in client.get(url).content.decode()

    publish_through_the_admin(draft)

    for url in ("/resources/", "/topics/grief/"):
        assert "Freshly published" in client.get(url).content.decode()


def test_an_import_drops_cached_pages(client, tmp_path):
    assert "Imported book" not in client.get("/books/").content.decode()
    path = tmp_path / "one.jsonl"
    path.write_text('{"kind": "book", "title": "Imported book"}\n', encoding="utf-8")
    call_command("import_resources", str(path))
    assert "Imported book" in client.get("/books/").content.decode()


def test_staff_pages_are_never_cached(client):
    make_resource(title="Public book")
    client.force_login(User.objects.create_user("staff", is_staff=True))
    client.get("/resources/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/resources/")
    assert len(queries) > 0
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_revisit_with_the_etag_is_answered_304(client):
    make_resource(title="Public book")
    response = client.get("/resources/")
    etag = response["ETag"]
    revisit = client.get("/resources/", headers={"if-none-match": etag})
    assert revisit.status_code == 304
    assert revisit.content == b""
    assert revisit["Cache-Control"] == "no-cache" and revisit["ETag"] == etag


@pytest.mark.parametrize(
    "url", ["/", "/resources/", "/books/public-book/", "/about/", "/search/?q=x"]
)
def test_anonymous_pages_must_be_revalidated_and_carry_an_etag(client, url):
    make_resource(title="Public book", slug="public-book")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    assert "Expires" not in response and response["ETag"]


def test_a_compressed_page_still_answers_a_revisit_with_304(client):
    make_resource(title="Public book")
    response = client.get("/resources/", headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    etag = response["ETag"]
    assert etag.startswith('W/"')  # weak: the compressed bytes differ each time (BREACH)
    revisit = client.get("/resources/", headers={"accept-encoding": "gzip", "if-none-match": etag})
    assert revisit.status_code == 304


def test_after_an_import_the_etag_differs(client, tmp_path, monkeypatch):
    make_resource(title="Public book")
    etag = client.get("/books/")["ETag"]
    monkeypatch.chdir(tmp_path)  # a short name: the history's change reason holds 100 characters
    Path("one.jsonl").write_text('{"kind": "book", "title": "Imported book"}\n', encoding="utf-8")
    call_command("import_resources", "one.jsonl")
    response = client.get("/books/", headers={"if-none-match": etag})
    assert response.status_code == 200 and response["ETag"] != etag
    assert "Imported book" in response.content.decode()


def later(monkeypatch, **delta):
    """The clock moved on by `delta` (as timezone.now() sees it: models, cache, views)."""
    moment = timezone.now() + timezone.timedelta(**delta)
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.mark.parametrize("url", ["/resources/", "/topics/grief/", "/topics/", "/"])
def test_a_scheduled_item_goes_live_at_its_time_on_cached_pages_and_counts(
    client, monkeypatch, url
):
    make_resource(title="Already public", topics=["grief"])
    make_resource(
        title="Scheduled book",
        topics=["grief"],
        published_at=timezone.now() + timezone.timedelta(hours=1),
    )
    before = client.get(url)
    assert "Scheduled book" not in before.content.decode()
    assert client.get(url, headers={"if-none-match": before["ETag"]}).status_code == 304

    later(monkeypatch, hours=1, seconds=1)
    after = client.get(url, headers={"if-none-match": before["ETag"]})
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    html = after.content.decode()
    if url == "/topics/":
        assert "2 resources" in html  # the cached topic counts moved on too
    else:
        assert "Scheduled book" in html


def test_checking_the_schedule_costs_no_query_until_an_item_is_due(
    client, monkeypatch, django_assert_num_queries
):
    make_resource(title="Scheduled", published_at=timezone.now() + timezone.timedelta(hours=1))
    client.get("/resources/")
    later(monkeypatch, seconds=30)
    with django_assert_num_queries(0):
        client.get("/resources/")


def test_an_item_scheduled_without_an_announcement_goes_live_within_a_minute(client, monkeypatch):
    """A write that announced nothing (SQL by hand, a race between servers): the schedule is
    looked up again every SCHEDULE_SECONDS, and what went live since then is noticed."""
    from django.core.cache import caches

    from resources.cache import GENERATION_KEY, SCHEDULE_KEY, SCHEDULE_SECONDS

    make_resource(title="Already public")
    client.get("/resources/")  # cached, and nothing is scheduled
    state = caches["default"].get_many([GENERATION_KEY, SCHEDULE_KEY])
    quiet = Resource(kind="book", title="Quietly scheduled", slug="quietly-scheduled")
    quiet.status, quiet.published_at = "published", timezone.now() + timezone.timedelta(seconds=5)
    Resource.objects.bulk_create([quiet])
    caches["default"].set_many(state, timeout=None)  # as if its announcement were lost

    later(monkeypatch, seconds=10)
    assert "Quietly scheduled" not in client.get("/resources/").content.decode()
    later(monkeypatch, seconds=10 + SCHEDULE_SECONDS)
    assert "Quietly scheduled" in client.get("/resources/").content.decode()


def test_publishing_updates_the_cached_topic_counts_and_catalog_totals_at_once(client, settings):
    settings.CACHE_MIDDLEWARE_SECONDS = 0  # no page cache: only the cached aggregates remain
    make_resource(title="Already public", topics=["grief"])
    draft = make_resource(
        title="Freshly published", status="draft", published_at=None, topics=["grief"]
    )

    def counts():
        topics = client.get("/topics/").content.decode()
        catalog = client.get("/resources/").content.decode()
        topic = client.get("/topics/grief/").content.decode()
        return (
            re.search(r"(\d+) resources?</p>", topics).group(1),
            re.search(r'page-header__count">(\d+) resources?', catalog).group(1),
            re.search(r'Books <span class="kind-tabs__count">(\d+)', catalog).group(1),
            re.search(r"(\d+) resources? on this topic", topic).group(1),
            "Freshly published" in topic,
        )

    assert counts() == ("1", "1", "1", "1", False)
    assert counts() == ("1", "1", "1", "1", False)  # read from the cache this time

    publish_through_the_admin(draft)
    assert counts() == ("2", "2", "2", "2", True)

    draft.refresh_from_db()
    draft.delete()
    assert counts() == ("1", "1", "1", "1", False)


def test_aggregates_are_read_from_the_cache_until_the_library_changes(client, settings):
    settings.CACHE_MIDDLEWARE_SECONDS = 0
    make_resource(title="A book", topics=["grief"])
    client.get("/resources/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/resources/")
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]


def test_in_production_mode_without_redis_every_worker_sees_a_change_at_once(tmp_path):
    """gunicorn's workers are separate processes: the generation must be shared between them."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="a-long-random-test-secret-key-" + "x" * 40,
        DJANGO_CACHE_DIR=str(tmp_path),
    )
    code = (
        "from resources.cache import generation, invalidate_pages; "
        "print(generation()); invalidate_pages(); print(generation())"
    )

    def worker():
        output = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        return [int(value) for value in output[-2:]]

    first_before, first_after = worker()
    second_before, second_after = worker()
    assert first_after == first_before + 1
    assert second_before == first_after  # the other process saw the first one's change
    assert second_after == second_before + 1


def test_a_change_to_a_creator_shows_at_once_on_cached_cards(client, settings):
    settings.CACHE_MIDDLEWARE_SECONDS = 0
    make_resource(title="A book", creators=["Ann Author"])
    assert "by Ann Author" in client.get("/resources/").content.decode()
    person = Creator.objects.get(name="Ann Author")
    person.name = "Ann Writer"
    person.save()
    page = client.get("/resources/").content.decode()
    assert "by Ann Writer" in page and "Ann Author" not in page


def test_a_bulk_update_anywhere_drops_cached_pages(client):
    """Bulk writes send no model signals: the library's querysets announce them instead, so
    code that forgets the page cache cannot leave a stale page."""
    book = make_resource(title="A book", topics=["grief"], creators=["Ann Author"])
    url = book.get_absolute_url()
    assert "Ann Author" in client.get(url).content.decode()  # now cached
    Creator.objects.filter(name="Ann Author").update(name="Ann Writer")
    assert "Ann Writer" in client.get(url).content.decode()
    Resource.objects.filter(pk=book.pk).update(title="A renamed book")
    assert "A renamed book" in client.get("/topics/grief/").content.decode()
    Resource.objects.filter(pk=book.pk).update(status="draft")
    assert client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_change_inside_a_transaction_is_announced_again_when_it_commits():
    """A page another server builds during the transaction, from what was committed before,
    must not outlive the commit."""
    from django.db import transaction

    from resources.cache import generation

    make_resource(title="A book")
    with transaction.atomic():
        before = generation()
        Resource.objects.update(title="Renamed")
        Resource.objects.update(title="Renamed again")
        during = generation()
        assert len(connection.run_on_commit) == 1  # one announcement at commit is enough
    assert before + 2 == during and during + 1 == generation()


def test_a_page_is_cached_under_the_generation_it_was_built_in(client):
    """
    Another app server's change while a page is being built must not leave that page cached
    under the new generation, where it would hide the change.
    """
    from django.core.cache import caches
    from django.test.signals import template_rendered

    from resources.cache import GENERATION_KEY

    make_resource(title="Before the change")

    def change_elsewhere(**kwargs):
        template_rendered.disconnect(change_elsewhere)
        # What another process's save does: a new row and the next generation (bulk_create
        # sends no signal, so this process learns of it only through the cache).
        added = Resource(kind="book", title="Added meanwhile", slug="added-meanwhile")
        added.status, added.published_at = "published", timezone.now()
        Resource.objects.bulk_create([added])
        caches["default"].incr(GENERATION_KEY)

    template_rendered.connect(change_elsewhere)
    try:
        assert "Added meanwhile" not in client.get("/resources/").content.decode()
    finally:
        template_rendered.disconnect(change_elsewhere)
    assert "Added meanwhile" in client.get("/resources/").content.decode()
