"""Security headers and cookies in production mode (DJANGO_DEBUG=false)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/",
    "/resources/",
    "/books/",
    "/books/the-examined-life/",
    "/quotes/bion-emotional-storm/",
    "/articles/how-does-psychotherapy-really-work/",
    "/topics/",
    "/topics/psychoanalysis/",
    "/people/irvin-d-yalom/",
    "/collections/",
    "/collections/start-here/",
    "/search/?q=grief",
    "/no-such-page/",
]


@pytest.fixture
def production(settings):
    """The values settings.py gives when DJANGO_DEBUG=false."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


def test_check_deploy_reports_nothing_in_production_mode():
    root = Path(__file__).resolve().parent.parent
    env = {
        **{
            k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"
        },  # set for Playwright
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "a-long-random-test-secret-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "library.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_every_public_page_carries_the_security_headers_and_sets_no_cookie(
    seed, client, production, url
):
    response = client.get(url, secure=True)
    assert response.status_code in (200, 404)
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-src 'none'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert not response.cookies


def test_only_video_pages_may_frame_the_two_video_hosts(client, production):
    from tests.helpers import make_resource

    make_resource("video", title="A talk", slug="a-talk", url="https://youtu.be/dQw4w9WgXcQ")
    csp = client.get("/videos/a-talk/", secure=True)["Content-Security-Policy"]
    assert "frame-src https://www.youtube-nocookie.com https://player.vimeo.com" in csp
    assert "frame-ancestors 'none'" in csp


def test_plain_http_is_redirected_to_https(client, production):
    response = client.get("/resources/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/resources/"


def test_the_session_cookie_is_secure_and_http_only(client, production):
    from django.contrib.auth.models import User
    from django.urls import reverse

    User.objects.create_user("curie", password="a-long-and-right-password", is_staff=True)
    response = client.post(
        reverse("admin:login"),
        {"username": "curie", "password": "a-long-and-right-password"},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]


# Compression, methods, robots (issue #11) ------------------------------------------------------

EVERY_PUBLIC_URL = [
    *PUBLIC_PAGES[:-1],
    "/about/",
    "/feeds/latest/",
    "/sitemap.xml",
    "/robots.txt",
    "/healthz/",
]


@pytest.mark.parametrize("url", ["/", "/resources/", "/books/the-examined-life/", "/about/"])
def test_html_is_gzip_compressed_when_the_browser_asks(seed, client, url):
    import gzip

    plain = client.get(url)
    assert "Content-Encoding" not in plain
    compressed = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert gzip.decompress(compressed.content) == plain.content
    assert len(compressed.content) < len(plain.content) / 2


def test_a_page_with_a_csrf_token_is_never_compressed(client):
    """BREACH reads a secret out of compressed pages that also echo what a visitor sent: the
    admin's pages (every one carries a token) are sent as they are."""
    from django.urls import reverse

    response = client.get(reverse("admin:login"), headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert "Content-Encoding" not in response


@pytest.mark.parametrize("method", ["TRACE", "OPTIONS"])
@pytest.mark.parametrize("url", EVERY_PUBLIC_URL)
def test_public_urls_refuse_trace_and_options(seed, client, method, url):
    response = client.generic(method, url)
    assert response.status_code == 405, (method, url)
    assert response["Allow"] == "GET, HEAD"


def test_head_still_works(seed, client):
    assert client.head("/resources/").status_code == 200
    assert client.head("/healthz/").status_code == 200


def test_the_admin_asks_search_engines_not_to_index_it_wherever_it_lives(client):
    from django.urls import reverse

    for url in (reverse("admin:login"), reverse("admin:index")):
        assert client.get(url)["X-Robots-Tag"] == "noindex, nofollow"
    assert "X-Robots-Tag" not in client.get("/")
