from django.core.management.base import BaseCommand

from resources.models import Resource
from resources.seed import add_missing_pages, load_seed


class Command(BaseCommand):
    help = (
        "Load the seed library (topics, resources, the start-here collection) into an empty "
        "database. With --force, also restore the seed items in a library that has content. "
        "Either way, add the site's pages (About this library) where they are missing, "
        "never over an editor's words."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="re-apply the seed over existing content"
        )

    def handle(self, *args, force, **options):
        added = add_missing_pages()
        if added:
            self.stdout.write(f"Site pages: {added} added.")
        count = Resource.objects.count()
        if count and not force:
            self.stdout.write(
                f"The library already has {count} resources; the seed was not loaded "
                "(use --force to restore the seed items)."
            )
            return
        result = load_seed()
        self.stdout.write(f"Seed library: {result}")
