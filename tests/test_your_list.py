"""A visitor's own list: in the address, nothing stored, printable."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db


def test_a_list_shows_its_items_in_order_leaves_out_unknown_ones_and_sets_no_cookie(client, seed):
    response = client.get(
        "/list/", {"items": "video:moments-of-meaning,book:nope,book:the-examined-life"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and not response.cookies
    assert html.index("Moments of Meaning") < html.index("The Examined Life")
    assert "1 item of this list is no longer in the library" in html
    assert "no-store" in response["Cache-Control"]  # neither the server nor a browser keeps it
    stylesheet = (Path(__file__).parent.parent / "static" / "css" / "main.css").read_text()
    assert "@media print" in stylesheet and "@page { size: A4" in stylesheet


def test_the_list_page_adds_and_removes_items_without_javascript(client, seed):
    html = client.get(
        "/list/", {"items": "book:the-examined-life", "add": "quote:bion-emotional-storm"}
    ).content.decode()
    assert "The Examined Life" in html and "emotional storm" in html
    assert 'href="/list/?items=quote:bion-emotional-storm"' in html  # remove the book
    page = client.get("/books/the-examined-life/", {"list": "quote:bion-emotional-storm"})
    assert "/list/?items=quote:bion-emotional-storm&amp;add=book:the-examined-life" in (
        page.content.decode()
    )
    assert "no-store" in page["Cache-Control"]  # a page carrying a list is not cached either


@pytest.mark.parametrize("items", ["", ",,,", "book", "book:", "nope:x", "book:<b>", "x" * 5000])
def test_a_malformed_list_is_an_empty_or_shorter_list_never_an_error(client, items):
    assert client.get("/list/", {"items": items}).status_code == 200


def test_a_list_holds_at_most_fifty_items(client):
    from tests.helpers import make_resource

    for n in range(55):
        make_resource(title=f"Book {n}", slug=f"book-{n}")
    items = ",".join(f"book:book-{n}" for n in range(55))
    html = client.get("/list/", {"items": items}).content.decode()
    assert html.count('class="list-item"') == 50 and "longer than 50 items" in html
