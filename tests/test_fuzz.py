"""
Arbitrary input never makes a 500: query strings and path segments on every public URL
pattern, and odd values in the admin's forms. Hypothesis generates the input; the example
counts keep the whole file to a few seconds.
"""

from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resources.models import Resource

pytestmark = pytest.mark.django_db

# Every public URL pattern; {} marks a path segment the fuzzer fills.
PATTERNS = [
    "/",
    "/resources/",
    "/books/",
    "/videos/",
    "/articles/",
    "/quotes/",
    "/books/{}/",
    "/videos/{}/",
    "/articles/{}/",
    "/quotes/{}/",
    "/topics/",
    "/topics/{}/",
    "/people/{}/",
    "/collections/",
    "/collections/{}/",
    "/search/",
    "/feeds/latest/",
    "/sitemap.xml",
    "/robots.txt",
    "/healthz/",
]
PARAMETERS = ["q", "kind", "topic", "perspective", "sort", "page", "p", "format"]

odd_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300
) | st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "'",
        '"',
        "&|!:*()'\\%_",
        "<script>alert(1)</script>",
        "9" * 5000,
        "-1",
        "0",
        "1e9",
        "NaN",
        "שלום",
        "🙂🙂",
        "../../etc/passwd",
        "%00",
        "a" * 10_000,
    ]
)
query = st.lists(st.tuples(st.sampled_from(PARAMETERS) | odd_text, odd_text), max_size=6)
fuzz = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@fuzz
@given(pattern=st.sampled_from(PATTERNS), segment=odd_text, params=query)
def test_no_public_url_answers_500_whatever_the_query_and_path(seed, pattern, segment, params):
    path = pattern.format(quote(segment, safe="") or "x")
    response = Client(raise_request_exception=False).get(
        f"{path}?{urlencode(params)}" if params else path
    )
    assert response.status_code < 500, (path, params, response.status_code)


@fuzz
@given(
    title=odd_text,
    slug=odd_text,
    year=odd_text,
    isbn=odd_text,
    url=odd_text,
    pages=odd_text,
    summary=odd_text,
)
def test_odd_values_in_the_admin_book_form_give_form_errors_not_500s(
    admin_client_for_fuzz, title, slug, year, isbn, url, pages, summary
):
    data = {
        "title": title,
        "slug": slug,
        "year": year,
        "isbn": isbn,
        "url": url,
        "pages": pages,
        "summary": summary,
        "perspective": "general",
        "status": "draft",
        "credit_set-TOTAL_FORMS": "0",
        "credit_set-INITIAL_FORMS": "0",
        "tagged_resources-TOTAL_FORMS": "0",
        "tagged_resources-INITIAL_FORMS": "0",
    }
    response = admin_client_for_fuzz.post(reverse("admin:resources_book_add"), data)
    assert response.status_code in (200, 302)
    Resource.objects.all().delete()


@pytest.fixture
def admin_client_for_fuzz(db):
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.create_superuser("fuzzer", password="x" * 20))
    return client
