"""The link watch, against a local server only (never the internet)."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from resources.models import LinkCheck
from tests.helpers import make_resource

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
