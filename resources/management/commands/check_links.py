from django.core.management.base import BaseCommand

from resources.links import check_links


class Command(BaseCommand):
    help = (
        "Check the link of every published resource: one line per broken link "
        "(KIND/SLUG STATUS URL), then 'N checked, M broken'. Run it daily (docs/deploy.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=10, help="seconds per link (10)")
        parser.add_argument(
            "--max-seconds", type=float, help="start no new check after this many seconds"
        )

    def handle(self, *args, timeout, max_seconds, **options):
        def report(resource, answer):
            self.stdout.write(f"{resource.kind}/{resource.slug} {answer.status} {resource.url}")

        checked, broken = check_links(timeout=timeout, max_seconds=max_seconds, report=report)
        self.stdout.write(f"{checked} checked, {broken} broken")
