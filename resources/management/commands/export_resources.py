import sys

from django.core.management.base import BaseCommand

from resources.imports import export_lines


class Command(BaseCommand):
    help = "Export every resource as JSONL, in the import format (to stdout or --output)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="write to this file instead of stdout")

    def handle(self, *args, output, **options):
        if output:
            with open(output, "w", encoding="utf-8", newline="\n") as out:
                out.writelines(export_lines())
        else:
            sys.stdout.writelines(export_lines())
