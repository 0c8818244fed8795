from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = "Library"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import cache

        cache.connect_signals()
