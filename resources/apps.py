from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate


def add_site_pages(sender, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs):
    """After every migrate (and every test flush), the site's pages exist: the footer links to
    them, so a new library must not wait for `load_seed` (as contrib.sites makes its Site)."""
    from .seed import add_missing_pages

    try:
        page = apps.get_model("resources", "Page")
    except LookupError:  # migrated back before the model
        return
    add_missing_pages(page._default_manager.db_manager(using))


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = "Library"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import cache

        cache.connect_signals()
        post_migrate.connect(add_site_pages, sender=self, dispatch_uid="resources-site-pages")
