"""Keeping the library true: the link watch (against a local server only, never the
internet), review dates, duplicates, searches that found nothing, visitors' reports."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from resources.models import LinkCheck, Resource
from tests.helpers import make_resource, make_topic

pytestmark = pytest.mark.django_db


class Site(BaseHTTPRequestHandler):
    """200, 404, 500, a redirect to 200, a hang, and a page that refuses HEAD."""

    def do_HEAD(self):
        if self.path == "/no-head":
            self.send_response(405)
            self.end_headers()
            return
        self.answer()

    def do_GET(self):
        self.answer(body=b"hello")

    def answer(self, body=b""):
        self.path = self.path.split("?")[0]
        if self.path == "/hang":
            time.sleep(3)
        status = {"/ok": 200, "/no-head": 200, "/missing": 404, "/error": 500, "/hang": 200}
        if self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
            self.end_headers()
            return
        self.send_response(status.get(self.path, 404))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_check_links_reports_exactly_the_broken_ones_and_counts_them(site, capsys):
    for path in ["/ok", "/missing", "/error", "/moved", "/hang", "/no-head"]:
        make_resource(title=f"Link {path}", slug=f"link{path.replace('/', '-')}", url=site + path)
    make_resource(title="A draft", url=site + "/missing", status="draft", published_at=None)

    call_command("check_links", "--timeout", "1")
    lines = capsys.readouterr().out.strip().splitlines()
    assert sorted(lines[:-1]) == sorted(
        [
            f"book/link-missing 404 {site}/missing",
            f"book/link-error 500 {site}/error",
            f"book/link-hang timeout {site}/hang",
        ]
    )
    assert lines[-1] == "6 checked, 3 broken"
    moved = LinkCheck.objects.get(url=site + "/moved")
    assert (moved.status, moved.broken, moved.final_url) == ("200", False, f"{site}/ok")
    assert moved.redirects == f"301 {site}/ok"
    assert LinkCheck.objects.get(url=site + "/no-head").status == "200"  # GET after HEAD


def test_a_link_that_comes_back_is_cleared_and_the_admin_shows_the_last_check(site):
    book = make_resource(title="Comes back", url=site + "/missing")
    call_command("check_links", "--timeout", "1")
    assert LinkCheck.objects.get(resource=book).broken

    editor = User.objects.create_user("ada", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(editor)
    changelist = reverse("admin:resources_book_changelist")
    assert [b.pk for b in client.get(changelist, {"link": "broken"}).context["cl"].result_list] == [
        book.pk
    ]
    index = client.get(reverse("admin:index")).content.decode()
    assert "Published items whose link is broken" in index
    page = client.get(reverse("admin:resources_book_change", args=[book.pk])).content.decode()
    assert "Broken: 404 on" in page

    book.url = site + "/ok"
    book.save()
    call_command("check_links", "--timeout", "1")
    assert not LinkCheck.objects.get(resource=book).broken
    assert not client.get(changelist, {"link": "broken"}).context["cl"].result_list


def test_max_seconds_stops_starting_new_checks(site, capsys):
    for n in range(12):
        make_resource(title=f"Hang {n}", url=f"{site}/hang?{n}")
    started = time.monotonic()
    call_command("check_links", "--timeout", "1", "--max-seconds", "0.5")
    assert time.monotonic() - started < 3  # two at once to one host; none started later
    assert capsys.readouterr().out.strip().splitlines()[-1] == "2 checked, 2 broken"


def test_a_review_date_round_trips_through_the_format_and_shows_at_the_foot_of_the_page(
    tmp_path, client
):
    from resources.imports import export_lines

    path = tmp_path / "one.jsonl"
    path.write_text(
        '{"kind": "book", "slug": "reviewed", "title": "Reviewed", "reviewed_on": "2026-03-01"}\n',
        encoding="utf-8",
    )
    call_command("import_resources", str(path))
    exported = tmp_path / "exported.jsonl"
    exported.write_text("".join(export_lines()), encoding="utf-8")
    assert '"reviewed_on": "2026-03-01"' in exported.read_text()
    call_command("import_resources", str(exported))  # export → import → export: the same bytes
    assert "".join(export_lines()) == exported.read_text()
    html = client.get("/books/reviewed/").content.decode()
    assert "Last reviewed March 2026" in html
    assert (
        "Last reviewed"
        not in client.get(make_resource(title="Never").get_absolute_url()).content.decode()
    )


def test_items_are_due_for_review_a_cadence_after_their_review_or_publication(settings):
    from datetime import date, timedelta

    from django.utils import timezone

    from resources.models import Resource, months_ago

    settings.REVIEW_EVERY_MONTHS = 12
    assert months_ago(12, date(2026, 3, 31)) == date(2025, 3, 31)
    assert months_ago(1, date(2026, 3, 31)) == date(2026, 2, 28)
    old = timezone.now() - timedelta(days=400)
    make_resource(title="Reviewed long ago", reviewed_on=date.today() - timedelta(days=400))
    make_resource(title="Never reviewed, old", published_at=old)
    make_resource(title="Reviewed lately", reviewed_on=date.today(), published_at=old)
    make_resource(title="New")
    due = Resource.objects.due_for_review().values_list("title", flat=True)
    assert sorted(due) == ["Never reviewed, old", "Reviewed long ago"]


def test_mark_as_reviewed_sets_today_and_is_in_the_history():
    from datetime import date

    user = User.objects.create_user("curie", is_staff=True)
    user.groups.add(Group.objects.get(name="Curators"))
    client = Client()
    client.force_login(user)
    book = make_resource(title="A book")
    client.post(
        reverse("admin:resources_book_changelist"),
        {"action": "mark_reviewed", "_selected_action": [book.pk]},
    )
    book.refresh_from_db()
    assert book.reviewed_on == date.today()
    assert book.history.first().history_change_reason == "Marked as reviewed"


def test_a_likely_duplicate_is_warned_of_with_a_link_and_can_be_saved_anyway():
    from .test_review import book_data

    user = User.objects.create_user("curie", is_staff=True)
    user.groups.add(Group.objects.get(name="Curators"))
    client = Client()
    client.force_login(user)
    existing = make_resource(title="The Examined Life", creators=["Stephen Grosz"])
    grosz = existing.credit_set.get().creator
    add = reverse("admin:resources_book_add")
    data = book_data(client, add, title="Examined life!", slug="examined-life-2")
    data.update({"credit_set-TOTAL_FORMS": "1", "credit_set-0-creator": grosz.pk})
    data.update({"credit_set-0-role": "author", "credit_set-0-position": "0"})
    response = client.post(add, data)
    text = response.content.decode()
    assert "This looks like what the library already has" in text
    assert reverse("admin:resources_book_change", args=[existing.pk]) in text
    assert 'name="save_anyway"' in text
    assert Resource.objects.count() == 1

    response = client.post(add, {**data, "save_anyway": "1"})
    assert response.status_code == 302
    saved = Resource.objects.get(slug="examined-life-2")
    reason = saved.history.first().history_change_reason
    assert reason == f"Added; saved although it looks like “The Examined Life” (#{existing.pk})"


def test_the_same_isbn_or_link_looks_like_a_duplicate_without_a_shared_creator():
    book = make_resource(title="One", url="https://example.org/a")
    other = Resource(kind="book", title="Other", url="https://example.org/a")
    assert list(Resource.objects.likely_duplicates(other, [])) == [book]


def test_an_import_reports_likely_duplicates_among_new_lines_without_refusing_them(
    tmp_path, capsys
):
    make_resource(title="The Gift of Therapy", slug="gift", creators=["Irvin D. Yalom"])
    path = tmp_path / "two.jsonl"
    yalom = '"creators": [{"name": "Irvin D. Yalom", "role": "author"}]'
    path.write_text(
        f'{{"kind": "book", "slug": "gift-2", "title": "Gift of therapy", {yalom}}}\n'
        f'{{"kind": "book", "slug": "gift-3", "title": "The gift of therapy.", {yalom}}}\n',
        encoding="utf-8",
    )
    call_command("import_resources", str(path))
    err = capsys.readouterr().err
    assert f"{path}:1: looks like 'gift', already in the library (new anyway)" in err
    assert f"{path}:2: looks like line 1 (same title and creator)" in err
    assert Resource.objects.filter(slug__startswith="gift").count() == 3


def test_an_editor_merges_two_topics_and_the_old_address_redirects(client):
    from resources.models import Topic

    editor = User.objects.create_user("ada", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    staff = Client()
    staff.force_login(editor)
    one = make_resource(title="One", topics=["grief"])
    two = make_resource(title="Two", topics=["bereavement", "grief"])
    three = make_resource(title="Three", topics=["bereavement"])
    grief, bereavement = Topic.objects.get(name="grief"), Topic.objects.get(name="bereavement")
    Topic.objects.filter(pk=bereavement.pk).update(aliases="mourning", description="Loss.")
    changelist = reverse("admin:resources_topic_changelist")
    chosen = {"action": "merge", "_selected_action": [grief.pk, bereavement.pk]}
    assert "Which one do you keep?" in staff.post(changelist, chosen).content.decode()
    assert staff.post(changelist, {**chosen, "keep": grief.pk}).status_code == 302

    grief.refresh_from_db()
    assert not Topic.objects.filter(pk=bereavement.pk).exists()
    assert grief.alias_list == ["bereavement", "mourning"] and grief.description == "Loss."
    for resource in (one, two, three):
        assert list(resource.topics.names()) == ["grief"]
    response = client.get("/topics/bereavement/")
    assert response.status_code == 301 and response["Location"] == "/topics/grief/"
    assert grief.history.first().history_change_reason == "Merged “bereavement” into it"


def test_a_curator_cannot_merge_topics():
    from resources.models import Topic

    curator = User.objects.create_user("curie", is_staff=True)
    curator.groups.add(Group.objects.get(name="Curators"))
    staff = Client()
    staff.force_login(curator)
    a, b = make_topic("a"), make_topic("b")
    staff.post(
        reverse("admin:resources_topic_changelist"),
        {"action": "merge", "_selected_action": [a.pk, b.pk], "keep": a.pk},
    )
    assert Topic.objects.count() == 2
