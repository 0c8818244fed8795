"""What a visitor sees when a part fails: a page in the site's style, never a traceback."""

import pytest
from django.db import connection
from django.test import Client

from tests.helpers import make_resource


@pytest.fixture
def unreachable_database():
    """Point the connection at a database that does not answer (a closed port, or for SQLite
    a folder that does not exist), then put it back."""
    original = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    else:
        # The test database is in memory and must survive: set it aside, not closed.
        kept, connection.connection = connection.connection, None
        connection.settings_dict["NAME"] = "/nonexistent-folder/library.sqlite3"
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(original)
    if connection.vendor != "postgresql":
        connection.connection = kept


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", ["/", "/resources/", "/books/the-examined-life/", "/topics/"])
def test_with_the_database_unreachable_pages_answer_503_with_the_site_error_page(
    url, unreachable_database
):
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "The library is resting for a moment" in html
    assert "Need help now?" in html  # the crisis notice is still there
    assert "Traceback" not in html


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_is_unreachable(unreachable_database):
    response = Client().get("/healthz/")
    assert response.status_code == 503


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    assert client.get("/healthz/").status_code == 200


@pytest.mark.django_db
def test_a_missing_image_file_shows_the_placeholder_not_an_error(client, media_root):
    from tests.helpers import image_upload

    book = make_resource(
        title="Lost cover", slug="lost-cover", image=image_upload(), image_alt="A cover"
    )
    (media_root / book.image.name).unlink()
    for url in ("/books/lost-cover/", "/books/", "/"):
        response = client.get(url)
        assert response.status_code == 200, url
