from django.core.management.base import BaseCommand, CommandError

from resources.imports import ImportFailed, JsonlFile, import_lines


class Command(BaseCommand):
    help = "Import resources from a JSONL file, all or nothing (see README: import format)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .jsonl file, one resource a line")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, but write nothing"
        )

    def handle(self, *args, file, dry_run, **options):
        try:
            result = import_lines(
                JsonlFile(file),
                dry_run=dry_run,
                progress=self.progress,
                reason=f"Imported from {file} (import_resources)",
            )
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        except UnicodeDecodeError as error:
            raise CommandError(f"{file} is not UTF-8 text ({error.reason}).") from None
        except ImportFailed as failure:
            for line, message in failure.errors:
                self.stderr.write(f"{file}:{line}: {message}")
            raise CommandError(
                f"{len(failure.errors)} bad line(s) in {file}; nothing was imported."
            ) from None
        for line, message in result.warnings:
            self.stderr.write(f"{file}:{line}: {message}")
        self.stdout.write(str(result))
        if result.warnings:
            self.stdout.write(
                f"{len(result.warnings)} warning(s), above: published lines that break a "
                "publishing rule (listed under “Needs attention” in the admin until fixed), and "
                "likely duplicates."
            )

    def progress(self, done, total):
        """Show progress on long imports: on one line in a terminal, every 10% otherwise."""
        if total < 5000:
            return
        if self.stderr.isatty():
            ending = "\n" if done == total else ""
            self.stderr.write(f"\rImporting: {done:,} of {total:,} lines", ending=ending)
        elif done == total or done * 10 // total > getattr(self, "reported_tenths", 0):
            self.reported_tenths = done * 10 // total
            self.stderr.write(f"Imported {done:,} of {total:,} lines")
