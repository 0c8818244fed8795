import os
import shutil

import pytest

# Playwright's sync API runs an event loop; Django's ORM refuses to run inside one unless told.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_available():
    return shutil.which(CHROMIUM_PATH) is not None


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor != "postgresql":
        reason = (
            "needs PostgreSQL (full-text search is PostgreSQL's): "
            "run with DATABASE_URL=postgres://127.0.0.1:5432/library"
        )
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))
    if not chromium_available():
        if os.environ.get("CI"):
            raise pytest.UsageError(
                f"CI must run the browser tests, but {CHROMIUM_PATH} is missing"
            )
        reason = (
            f"BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM_PATH}. "
            "Install it with: apt-get install chromium"
        )
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_terminal_summary(terminalreporter):
    if not chromium_available():
        terminalreporter.write_line(
            f"WARNING: browser tests were skipped: no Chromium at {CHROMIUM_PATH}", red=True
        )


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads go to a temporary folder, never the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_caches():
    """Each test starts with no cached pages (the caches outlive a test's transaction)."""
    from django.core.cache import caches

    for alias in ("default", "pages"):
        caches[alias].clear()


@pytest.fixture
def roles(db):
    """The Curators and Editors groups, as their migrations make them: the flush that ends a
    transactional test (a browser test) removes what migrations created."""
    from importlib import import_module

    from django.apps import apps

    # The migrations' functions mark each app as having no models module when they are done
    # (right for a migration's historical apps); the real registry must keep its own.
    modules = {config.label: config.models_module for config in apps.get_app_configs()}
    import_module("resources.migrations.0002_curators_group").create_curators_group(apps, None)
    import_module("resources.migrations.0014_editors_group").create_editors_group(apps, None)
    for config in apps.get_app_configs():
        config.models_module = modules[config.label]


@pytest.fixture
def seed(db):
    """The seed library, as `make run` loads it."""
    from resources.seed import load_seed

    load_seed()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM_PATH,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    """page.goto("/...") goes to pytest-django's live server (session-scoped, as
    pytest-playwright's browser_context_args needs it)."""
    return live_server.url
