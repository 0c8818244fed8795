"""
Writing an import: all or nothing, in batches.

Every line is checked first (resources/imports/format.py), and a file with any bad line
writes nothing and reports every bad line with its number and field. A line matches an
existing resource on kind + slug (the slug derived from the title when the line has none),
else on ISBN, else on URL; re-importing the same file changes nothing. The writes are bulk
writes, which announce the change to the library themselves (models.LibraryQuerySet).
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from ..models import (
    Creator,
    Credit,
    Resource,
    TaggedTopic,
    Topic,
    publishing_problems,
    record_history,
    unique_slug,
)
from .format import FIELD_KEYS, LineError, model_field, parse_line

Kind = Resource.Kind


class ImportFailed(Exception):
    """The file has bad lines; nothing was written. `errors` lists (line number, message)."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} bad line(s)")
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    # (line, message): published lines that break a publishing rule. The importer is the
    # operator's tool: it publishes what the file says, and the admin lists these under
    # "Needs attention" until they are fixed.
    warnings: list = field(default_factory=list)

    def __str__(self):
        verb = "Would import" if self.dry_run else "Imported"
        return f"{verb}: {self.created} new, {self.updated} updated, {self.unchanged} unchanged."


BATCH_SIZE = 1000

# Model fields the format sets, in KEYS order (the slug is handled apart), and the value each
# takes when a line leaves it out: the model's default.
FORMAT_FIELDS = [model_field(key).name for key in FIELD_KEYS if key != "slug"]
FIELD_DEFAULTS = {name: Resource._meta.get_field(name).get_default() for name in FORMAT_FIELDS}


class JsonlFile:
    """A JSONL file that can be read twice (check, then import) without holding it in memory."""

    def __init__(self, path):
        self.path = path

    def __iter__(self):
        with open(self.path, encoding="utf-8-sig") as lines:
            yield from lines


def check_lines(lines):
    """First pass: check every line. Returns the number of records; raises ImportFailed."""
    errors, slugs, isbns, count = [], {}, {}, 0
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            record = parse_line(number, text)
        except LineError as error:
            errors.append((number, str(error)))
            continue
        key = (record.kind, record.values["slug"])
        isbn = record.values.get("isbn")
        if key in slugs:
            errors.append(
                (number, f"slug: {key[1]!r} is already used by line {slugs[key]} for a {key[0]}")
            )
        elif isbn and isbn in isbns:
            errors.append((number, f"isbn: {isbn} is already on line {isbns[isbn]}"))
        else:
            slugs[key] = number
            if isbn:
                isbns[isbn] = number
            count += 1
    if errors:
        raise ImportFailed(errors)
    return count


def record_batches(lines):
    batch = []
    for number, text in enumerate(lines, start=1):
        if text.strip():
            batch.append(parse_line(number, text))
            if len(batch) == BATCH_SIZE:
                yield batch
                batch = []
    if batch:
        yield batch


def import_lines(lines, dry_run=False, progress=None, reason="Imported"):
    """
    Import JSONL lines, all or nothing. Returns an ImportResult; raises ImportFailed.

    `lines` is read twice, so it must be a list or a JsonlFile: the first pass checks every
    line, the second writes in batches inside one transaction (bounded memory, a few queries
    per batch rather than per line). `progress(done, total)` is called after each batch.
    Each resource written gets a history record whose change reason is `reason` (say which
    command and file).
    """
    if iter(lines) is lines:
        raise TypeError("import_lines reads its lines twice: pass a list or a JsonlFile")
    total = check_lines(lines)
    result = ImportResult(dry_run=dry_run)
    importer = BatchImporter(result, reason)
    with transaction.atomic():
        defer_search_documents()
        done = 0
        for batch in record_batches(lines):
            try:
                with transaction.atomic():
                    importer.apply(batch)
            except IntegrityError as error:
                span = f"lines {batch[0].line}-{batch[-1].line}"
                raise ImportFailed(
                    [(batch[0].line, f"{span}: the database refused them ({error})")]
                ) from None
            done += len(batch)
            if progress:
                progress(done, total)
        importer.link_quote_sources()
        if importer.errors:
            transaction.set_rollback(True)
            raise ImportFailed(importer.errors)
        if dry_run:
            transaction.set_rollback(True)
    if (result.created or result.updated) and not dry_run:
        analyze_written_tables()
    return result


class BatchImporter:
    """Writes checked records a batch at a time; remembers creators and topics across batches."""

    def __init__(self, result, reason):
        self.result, self.reason = result, reason
        self.errors = []
        self.creator_ids = {}  # slug -> id
        self.topic_ids = {}  # lower-case name -> id
        self.matched = {}  # resource id -> line, to refuse two lines updating one resource
        self.quote_sources = []  # (quote id, source title, current source id)
        self.sensitive = {
            name.lower()
            for name in Topic.objects.filter(sensitive=True).values_list("name", flat=True)
        }
        self.new_titles = {}  # (kind, title key) -> [(line, {creator slugs})] of new lines
        self.started = timezone.now()

    def apply(self, batch):
        existing = self.find_existing(batch)
        self.check_isbns(batch, existing)
        if self.errors:
            return
        self.check_publishing_rules(batch)
        credits = self.current_links(Credit, "resource_id", existing, "creator__slug", "role")
        topics = self.current_links(TaggedTopic, "content_object_id", existing, "tag__name")
        self.load_creators(batch)
        self.load_topics(batch)

        now = timezone.now()
        new, changed, relink_credits, relink_topics = [], [], [], []
        for record in batch:
            resource = existing.get(record.line)
            wanted_credits = [(slugify(name), role) for name, role in record.creators]
            wanted_topics = sorted({name.lower() for name in record.topics})
            if resource is None:
                resource = Resource(kind=record.kind, slug=record.values["slug"])
                set_fields(resource, record)
                resource.fill_derived_fields()
                new.append((record, resource))
                continue
            fields_changed = set_fields(resource, record)
            credits_changed = credits.get(resource.pk, []) != wanted_credits
            topics_changed = sorted(topics.get(resource.pk, [])) != wanted_topics
            if credits_changed:
                relink_credits.append((record, resource))
            if topics_changed:
                relink_topics.append((record, resource))
            if fields_changed or credits_changed or topics_changed:
                resource.fill_derived_fields()
                resource.updated_at = now
                changed.append(resource)
                self.result.updated += 1
            else:
                self.result.unchanged += 1

        self.report_duplicates(new)
        Resource.objects.bulk_create([resource for _, resource in new])
        self.result.created += len(new)
        if changed:
            Resource.objects.bulk_update(
                changed, [*FORMAT_FIELDS, "slug", "title_key", "published_at", "updated_at"]
            )
        Credit.objects.filter(resource__in=[r for _, r in relink_credits]).delete()
        TaggedTopic.objects.filter(content_object__in=[r for _, r in relink_topics]).delete()
        Credit.objects.bulk_create(
            Credit(
                resource=resource,
                creator_id=self.creator_ids[slugify(name)],
                role=role,
                position=position,
            )
            for record, resource in [*new, *relink_credits]
            for position, (name, role) in enumerate(record.creators)
        )
        TaggedTopic.objects.bulk_create(
            TaggedTopic(content_object=resource, tag_id=self.topic_ids[name.lower()])
            for record, resource in [*new, *relink_topics]
            for name in record.topics
        )
        refresh_search_documents([resource.pk for _, resource in new] + [r.pk for r in changed])
        record_history([resource for _, resource in new], self.reason)
        record_history(changed, self.reason, update=True)
        for resource in [*(r for _, r in new), *existing.values()]:
            if resource.kind == Kind.QUOTE:
                self.quote_sources.append((resource.pk, resource.source_title, resource.source_id))

    def report_duplicates(self, new):
        """New lines that look like a resource the library has, or like an earlier new line:
        the same kind and title (Resource.title_key) and a creator in common. Reported, not
        refused (the ISBN and the link already make a line update what it matches)."""
        keys = {(resource.kind, resource.title_key) for _, resource in new}
        existing = {}
        same_title = Q(pk__in=[])
        for kind in {kind for kind, _ in keys}:
            titles = [key for k, key in keys if k == kind]
            same_title |= Q(resource__kind=kind, resource__title_key__in=titles)
        credits = Credit.objects.filter(same_title, resource__created_at__lt=self.started)
        for kind, key, slug, creator in credits.values_list(
            "resource__kind", "resource__title_key", "resource__slug", "creator__slug"
        ):
            existing.setdefault((kind, key), {}).setdefault(slug, set()).add(creator)
        for record, resource in new:
            key = (resource.kind, resource.title_key)
            creators = {slugify(name) for name, _ in record.creators}
            for slug, theirs in existing.get(key, {}).items():
                if creators & theirs:
                    self.result.warnings.append(
                        (record.line, f"looks like {slug!r}, already in the library (new anyway)")
                    )
            for line, theirs in self.new_titles.get(key, []):
                if creators & theirs:
                    self.result.warnings.append(
                        (record.line, f"looks like line {line} (same title and creator)")
                    )
            self.new_titles.setdefault(key, []).append((record.line, creators))

    def check_publishing_rules(self, batch):
        for record in batch:
            if record.values.get("status") != Resource.Status.PUBLISHED:
                continue
            sensitive = [name for name in record.topics if name.lower() in self.sensitive]
            problems = publishing_problems(
                record.values.get("summary", ""), record.values.get("content_note", ""), sensitive
            )
            for key, message in problems.items():
                self.result.warnings.append((record.line, f"published, but {key}: {message}"))

    def find_existing(self, batch):
        """{line: resource} for the records that match one: kind + slug, else ISBN, else URL."""
        found = {}
        by_slug = {}
        for kind in {record.kind for record in batch}:
            slugs = [r.values["slug"] for r in batch if r.kind == kind]
            for resource in Resource.objects.filter(kind=kind, slug__in=slugs):
                by_slug[(kind, resource.slug)] = resource
        isbns = [r.values["isbn"] for r in batch if r.values.get("isbn")]
        by_isbn = {r.isbn: r for r in Resource.objects.filter(isbn__in=isbns)} if isbns else {}
        urls = [r.values["url"] for r in batch if r.values.get("url")]
        by_url = {}
        if urls:
            for resource in Resource.objects.filter(url__in=urls).order_by("-id"):
                by_url[(resource.kind, resource.url)] = resource
        for record in batch:
            resource = (
                by_slug.get((record.kind, record.values["slug"]))
                or by_isbn.get(record.values.get("isbn"))
                or by_url.get((record.kind, record.values.get("url")))
            )
            if resource is None:
                continue
            if resource.pk in self.matched:
                self.errors.append(
                    (record.line, f"matches the same resource as line {self.matched[resource.pk]}")
                )
            else:
                self.matched[resource.pk] = record.line
                found[record.line] = resource
        return found

    def check_isbns(self, batch, existing):
        """An ISBN may not move onto a resource while another one still has it."""
        isbns = {r.values["isbn"]: r for r in batch if r.values.get("isbn")}
        if not isbns:
            return
        bad_lines = {line for line, _ in self.errors}
        for pk, isbn, slug in Resource.objects.filter(isbn__in=isbns).values_list(
            "pk", "isbn", "slug"
        ):
            record = isbns[isbn]
            match = existing.get(record.line)
            if record.line not in bad_lines and (match is None or match.pk != pk):
                self.errors.append((record.line, f"isbn: {isbn} already belongs to {slug!r}"))

    @staticmethod
    def current_links(model, key, existing, *fields):
        """{resource id: [link values in order]} for the matched resources."""
        links = {}
        ids = [resource.pk for resource in existing.values()]
        if not ids:
            return links
        rows = model.objects.filter(**{f"{key}__in": ids}).order_by("pk")
        if model is Credit:
            rows = rows.order_by("position", "pk")
        for row in rows.values_list(key, *fields):
            value = row[1:] if len(fields) > 1 else row[1].lower()
            links.setdefault(row[0], []).append(value)
        return links

    def load_creators(self, batch):
        names = {}
        for record in batch:
            for name, _ in record.creators:
                names.setdefault(slugify(name), name)
        missing = [slug for slug in names if slug not in self.creator_ids]
        for pk, slug in Creator.objects.filter(slug__in=missing).values_list("pk", "slug"):
            self.creator_ids[slug] = pk
        created = Creator.objects.bulk_create(
            Creator(name=names[slug], slug=slug) for slug in missing if slug not in self.creator_ids
        )
        self.creator_ids.update((creator.slug, creator.pk) for creator in created)

    def load_topics(self, batch):
        names = {}
        for record in batch:
            for name in record.topics:
                names.setdefault(name.lower(), name)
        missing = [lower for lower in names if lower not in self.topic_ids]
        if not missing:
            return
        for pk, lower in (
            Topic.objects.annotate(lower=Lower("name"))
            .filter(lower__in=missing)
            .values_list("pk", "lower")
        ):
            self.topic_ids[lower] = pk
        for lower in missing:
            if lower not in self.topic_ids:
                name = names[lower]
                slug = unique_slug(name, lambda s: Topic.objects.filter(slug=s).exists(), 100)
                self.topic_ids[lower] = Topic.objects.create(name=name, slug=slug).pk

    def link_quote_sources(self):
        """Link each quote to the library's own resource its source title names, if any."""
        titles = {title.lower() for _, title, _ in self.quote_sources if title}
        sources = {}
        if titles:
            for pk, title in (
                Resource.objects.exclude(kind=Kind.QUOTE)
                .annotate(lower=Lower("title"))
                .filter(lower__in=titles)
                .order_by("-id")
                .values_list("pk", "lower")
            ):
                sources[title] = pk
        for pk, title, current in self.quote_sources:
            source = sources.get(title.lower()) if title else None
            if source != current:
                Resource.objects.filter(pk=pk).update(source=source)


def analyze_written_tables():
    """
    Give PostgreSQL's planner statistics for what the import wrote, as its manual advises
    after a bulk load ("Populating a Database"): without them, straight after a large import
    every page and search is planned as if the tables were empty, and runs 5 to 10 times
    slower until autovacuum (slow to start, or off) gets round to it. Outside a transaction
    (the command), VACUUM as well, so that the catalog's index-only scans need not visit the
    rows; inside one (the seed, tests), ANALYZE alone.
    """
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(
        model._meta.db_table for model in (Resource, Credit, Creator, TaggedTopic, Topic)
    )
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {tables}")


def defer_search_documents():
    """On PostgreSQL, stop the search-document triggers for this transaction: the importer
    refreshes each batch's documents in one statement instead (migration 0004)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL library.defer_search_documents = 'on'")


def refresh_search_documents(ids):
    if connection.vendor == "postgresql" and ids:
        with connection.cursor() as cursor:
            cursor.execute("SELECT resources_refresh_search_documents(%s)", [ids])


def set_fields(resource, record):
    """Set the format's fields on `resource`; return True if any value changed."""
    changed = False
    for name in FORMAT_FIELDS:
        new = record.values.get(name, FIELD_DEFAULTS.get(name, ""))
        if getattr(resource, name) != new:
            setattr(resource, name, new)
            changed = True
    if record.slug_given and resource.slug != record.values["slug"]:
        resource.slug = record.values["slug"]
        changed = True
    return changed
