"""
Nothing kept about a visitor (issue #11): the logs of the app, of the development server and
of gunicorn never hold an address or a query string; the site's scripts store nothing; and
the About page's "What is kept about you" says what the code does.
"""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from library.logs import NoVisitorData, scrub

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "message, kept",
    [
        ('"GET /search/?q=my+sister+died HTTP/1.1" 200 5123', '"GET /search/?[…] HTTP/1.1" 200'),
        ("Error handling request /list/?items=book:a,video:b", "Error handling request /list/?[…]"),
        ("Invalid request from ip=203.0.113.9: Invalid HTTP method", "ip=[address]:"),
        ("from 2001:db8::7 and [2001:db8::8]:443", "from [address] and [address]"),
        ("10.1.2.3:51234 closed", "[address] closed"),
        ("Listening at: http://127.0.0.1:8000 (4242)", "http://127.0.0.1:8000 (4242)"),
        ("Booting worker at 12:30:45, Python 3.11.7", "at 12:30:45, Python 3.11.7"),
        ("Did you mean? Yes", "Did you mean? Yes"),
    ],
)
def test_the_log_filter_drops_addresses_and_query_strings(message, kept):
    assert kept in scrub(message)
    for secret in ("sister", "items=", "203.0.113.9", "2001:db8", "10.1.2.3"):
        assert secret not in scrub(message)


def test_the_filter_rewrites_a_record_with_arguments():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /?q=x HTTP/1.1", "200", "9"),
        None,
    )
    assert NoVisitorData().filter(record) is True
    assert record.getMessage() == '"GET /?[…] HTTP/1.1" 200 9'


def test_every_handler_of_the_apps_logs_filters_visitors_out():
    loggers = [logging.getLogger(), logging.getLogger("django.server")]
    handlers = [
        handler
        for logger in loggers
        for handler in logger.handlers
        if not type(handler).__module__.startswith("_pytest")  # pytest's own capture
    ]
    assert len(handlers) == 2
    for handler in handlers:
        assert any(isinstance(f, NoVisitorData) for f in handler.filters), handler
    assert logging.getLogger("django").handlers == []  # no error emails with the request


def test_django_logs_a_not_found_page_without_its_query(client, caplog, db):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/no-such-page/?q=private+words")
    assert "Not Found: /no-such-page/" in caplog.text
    assert "private" not in caplog.text


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(command, tmp_path, port):
    """Start a server, ask it for a search and a page that is not there, and return its log."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'empty.sqlite3'}"  # no tables: never queried
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/robots.txt?q=private+words")
                    break
                except OSError:
                    time.sleep(0.1)
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/nowhere/?items=book:secret")
            except urllib.error.HTTPError as error:
                assert error.code == 404
            time.sleep(0.3)
        finally:
            server.terminate()
            server.wait(10)
    return log.read_text()


def test_the_development_server_logs_no_query_string(tmp_path):
    port = free_port()
    command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]
    text = serve(command, tmp_path, port)
    assert '"GET /robots.txt?[…] HTTP/1.1" 200' in text
    assert "private" not in text and "secret" not in text


def test_gunicorn_as_make_serve_runs_it_logs_no_address_and_no_query_string(tmp_path):
    port = free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn),
        "library.wsgi",
        "--config",
        "gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--no-control-socket",  # $HOME/.gunicorn/gunicorn.ctl may be another server's
    ]
    text = serve(command, tmp_path, port)
    assert '"GET /robots.txt" 200' in text  # the access log: when, which page, how it went
    assert '"GET /nowhere/" 404' in text
    assert "private" not in text and "secret" not in text
    assert "127.0.0.1 -" not in text and "Python-urllib" not in text  # no address, no browser


def test_gunicorns_access_log_format_names_nothing_about_the_visitor():
    import runpy

    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    for atom in ("%(h)s", "%(r)s", "%(q)s", "%(f)s", "%(a)s", "%(u)s", "}i)s", "}e)s"):
        assert atom not in config["access_log_format"]


def test_the_sites_scripts_store_nothing_but_the_tabs_list_and_send_nothing():
    """What "What is kept about you" promises of the browser: no cookie, nothing kept beyond
    the tab (the list being gathered, in sessionStorage, which Exit this page clears), and
    nothing sent anywhere by script."""
    for script in (ROOT / "static" / "js").glob("*.js"):
        text = script.read_text(encoding="utf-8")
        for api in (
            "document.cookie",
            "localStorage.",
            "indexedDB.",
            "fetch(",
            "XMLHttpRequest",
            "sendBeacon",
            "WebSocket",
            "EventSource",
        ):
            assert api not in text, (script.name, api)
        if script.name not in ("list.js", "exit-page.js"):
            assert "sessionStorage." not in text, script.name
    exit_script = (ROOT / "static" / "js" / "exit-page.js").read_text(encoding="utf-8")
    assert "sessionStorage.clear()" in exit_script


@pytest.mark.django_db
def test_what_is_kept_is_said_on_the_about_page_and_linked_from_every_footer(client):
    html = client.get("/about/").content.decode()
    kept = html[
        html.index('id="what-is-kept"') : html.index("</section>", html.index("what-is-kept"))
    ]
    assert "do not record your IP address, what you searched for" in kept
    assert "this site sets no cookie" in kept and "kept only in this browser tab" in kept
    assert "your browser asks no other site for anything" in kept
    assert (
        '<a href="/about/#what-is-kept">What is kept about you</a>'
        in client.get("/").content.decode()
    )
