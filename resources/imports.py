"""
The JSONL import and export format (a contract: see DESIGN.md, "Import and export").

One JSON object a line. An import is all or nothing: every line is checked first, and a file
with any bad line writes nothing and reports every bad line with its number and field. A line
matches an existing resource on kind + slug (the slug derived from the title when the line
has none), else on ISBN, else on URL; re-importing the same file changes nothing.
Export writes the same keys, in a fixed order, leaving out empty values, so
export → import → export is byte-identical.
"""

import datetime
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .models import Creator, Credit, Resource, Topic, http_url_validator, quote_title, unique_slug
from .validators import normalize_isbn

Kind = Resource.Kind

# Every key of the format, in the order export writes them, with the kinds it applies to
# (None: every kind). `text` is a quote's words; `reading_minutes` extends the design's list
# so that an article's reading time survives a round trip.
KEYS = {
    "kind": None,
    "slug": None,
    "title": None,
    "subtitle": {Kind.BOOK},
    "text": {Kind.QUOTE},
    "creators": None,
    "year": None,
    "topics": None,
    "perspective": None,
    "summary": None,
    "content_note": None,
    "isbn": {Kind.BOOK},
    "publisher": {Kind.BOOK},
    "pages": {Kind.BOOK},
    "url": None,
    "duration_seconds": {Kind.VIDEO},
    "series": {Kind.VIDEO},
    "transcript": {Kind.VIDEO},
    "publication": {Kind.ARTICLE},
    "published_on": {Kind.ARTICLE},
    "reading_minutes": {Kind.ARTICLE},
    "source_title": {Kind.QUOTE},
    "status": None,
    "featured": None,
}

# Format key → model field, where the names differ.
MODEL_FIELDS = {"text": "quote_text"}

TEXT_LIMITS = {
    "slug": 200,
    "title": 300,
    "subtitle": 300,
    "summary": None,
    "content_note": 300,
    "publisher": 200,
    "url": 500,
    "series": 200,
    "transcript": None,
    "publication": 200,
    "source_title": 300,
    "text": None,
}
INTEGER_LIMITS = {
    "year": (1, 2100),
    "pages": (1, 100_000),
    "duration_seconds": (0, 100_000),
    "reading_minutes": (1, 1000),
}


class ImportFailed(Exception):
    """The file has bad lines; nothing was written. `errors` lists (line number, message)."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} bad line(s)")
        self.errors = errors


@dataclass
class Record:
    """One checked line: model field values, creators and topics."""

    line: int
    kind: str
    values: dict
    creators: list = field(default_factory=list)  # [(name, role)]
    topics: list = field(default_factory=list)
    slug_given: bool = False


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False

    def __str__(self):
        verb = "Would import" if self.dry_run else "Imported"
        return f"{verb}: {self.created} new, {self.updated} updated, {self.unchanged} unchanged."


class LineError(Exception):
    def __init__(self, field_name, message):
        self.field_name = field_name
        self.message = message
        super().__init__(f"{field_name}: {message}" if field_name else message)


def parse_line(number, text):
    """Check one line of the file and return its Record, or raise LineError."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise LineError(None, f"not valid JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(data, dict):
        raise LineError(None, "each line must be a JSON object")

    kind = data.get("kind")
    if kind not in Kind.values:
        raise LineError("kind", f"must be one of {', '.join(Kind.values)}, not {kind!r}")

    problems = []
    values = {}
    record = Record(line=number, kind=kind, values=values)
    for key, value in data.items():
        if key not in KEYS:
            problems.append((key, "unknown key"))
            continue
        kinds = KEYS[key]
        if kinds is not None and kind not in kinds and value not in (None, ""):
            names = " and ".join(f"{k}s" for k in sorted(kinds))
            problems.append((key, f"applies only to {names}"))
            continue
        try:
            clean_value(record, key, value)
        except LineError as error:
            problems.append((key, error.message))
    if kind == Kind.QUOTE:
        if not values.get("quote_text"):
            problems.append(("text", "a quote needs its words"))
        elif not values.get("title"):
            values["title"] = quote_title(values["quote_text"])
    elif not values.get("title"):
        problems.append(("title", "required"))
    if problems:
        raise LineError(None, "; ".join(f"{key}: {message}" for key, message in problems))
    if not record.slug_given:
        values["slug"] = slugify(values["title"])[:200].strip("-") or "item"
    values.setdefault("status", Resource.Status.PUBLISHED)
    return record


def clean_value(record, key, value):
    """Normalise one value into `record`; raise LineError with a readable message."""
    values = record.values
    if key == "kind":
        return
    if value is None:
        return
    if key in TEXT_LIMITS:
        if not isinstance(value, str):
            raise LineError(key, "must be a string")
        value = value.strip()
        if "\x00" in value:
            raise LineError(key, "must not contain a NUL character")
        limit = TEXT_LIMITS[key]
        if limit and len(value) > limit:
            raise LineError(key, f"is {len(value)} characters long; the limit is {limit}")
        if key == "slug":
            if value:
                try:
                    validate_slug(value)
                except ValidationError:
                    raise LineError(
                        key, "use only letters, numbers, hyphens and underscores"
                    ) from None
                record.slug_given = True
        elif key == "url" and value:
            try:
                http_url_validator(value)
            except ValidationError:
                raise LineError(key, "must be an http or https address") from None
        values[MODEL_FIELDS.get(key, key)] = value
    elif key in INTEGER_LIMITS:
        low, high = INTEGER_LIMITS[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise LineError(key, "must be a whole number")
        if not low <= value <= high:
            raise LineError(key, f"must be between {low} and {high}")
        values[key] = value
    elif key == "isbn":
        if not isinstance(value, str):
            raise LineError(key, "must be a string")
        if value.strip():
            try:
                values["isbn"] = normalize_isbn(value)
            except ValidationError as error:
                raise LineError(key, error.messages[0]) from None
    elif key == "published_on":
        if not isinstance(value, str):
            raise LineError(key, "must be an ISO date string (YYYY-MM-DD)")
        try:
            values[key] = datetime.date.fromisoformat(value)
        except ValueError:
            raise LineError(key, f"{value!r} is not an ISO date (YYYY-MM-DD)") from None
    elif key in ("perspective", "status"):
        choices = (Resource.Perspective if key == "perspective" else Resource.Status).values
        if value not in choices:
            raise LineError(key, f"must be one of {', '.join(choices)}, not {value!r}")
        values[key] = value
    elif key == "featured":
        if not isinstance(value, bool):
            raise LineError(key, "must be true or false")
        values[key] = value
    elif key == "topics":
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise LineError(key, "must be a list of topic names")
        names = [" ".join(t.split()) for t in value]
        if any(not name or len(name) > 100 for name in names):
            raise LineError(key, "each topic name must have 1 to 100 characters")
        record.topics = dedupe_case_insensitive(names)
    elif key == "creators":
        record.creators = clean_creators(value)


def clean_creators(value):
    if not isinstance(value, list):
        raise LineError("creators", 'must be a list like [{"name": "...", "role": "author"}]')
    creators = []
    for index, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise LineError("creators", f"entry {index} must be an object with name and role")
        unknown = set(item) - {"name", "role"}
        if unknown:
            raise LineError("creators", f"entry {index} has unknown key(s) {sorted(unknown)}")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 200:
            raise LineError("creators", f"entry {index} needs a name of 1 to 200 characters")
        role = item.get("role", Credit.Role.AUTHOR)
        if role not in Credit.Role.values:
            raise LineError(
                "creators",
                f"entry {index}: role must be one of {', '.join(Credit.Role.values)}",
            )
        if not slugify(name):
            raise LineError("creators", f"entry {index}: the name needs a letter or digit")
        creators.append((" ".join(name.split()), role))
    if len(set(creators)) != len(creators):
        raise LineError("creators", "the same person is listed twice in the same role")
    return creators


def dedupe_case_insensitive(names):
    seen, result = set(), []
    for name in names:
        if name.lower() not in seen:
            seen.add(name.lower())
            result.append(name)
    return result


def read_records(lines):
    """Check every line; return the records, or raise ImportFailed listing every bad line."""
    records, errors, seen = [], [], {}
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            record = parse_line(number, text)
        except LineError as error:
            errors.append((number, str(error)))
            continue
        key = (record.kind, record.values["slug"])
        if key in seen:
            errors.append(
                (number, f"slug: {key[1]!r} is already used by line {seen[key]} for a {key[0]}")
            )
            continue
        seen[key] = number
        records.append(record)
    if errors:
        raise ImportFailed(errors)
    return records


def import_lines(lines, dry_run=False):
    """Import JSONL lines all or nothing. Returns an ImportResult; raises ImportFailed."""
    records = read_records(lines)
    result = ImportResult(dry_run=dry_run)
    with transaction.atomic():
        quotes = []
        errors = []
        for record in records:
            try:
                resource, outcome = apply_record(record)
            except (ValidationError, LineError) as error:
                errors.append((record.line, validation_message(error)))
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
            if resource.kind == Kind.QUOTE:
                quotes.append(resource)
        if errors:
            transaction.set_rollback(True)
            raise ImportFailed(errors)
        link_quote_sources(quotes)
        if dry_run:
            transaction.set_rollback(True)
    return result


def validation_message(error):
    if isinstance(error, ValidationError) and hasattr(error, "message_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items()
        )
    return str(error.messages[0] if isinstance(error, ValidationError) else error)


def find_existing(record):
    values = record.values
    queryset = Resource.objects.all()
    match = queryset.filter(kind=record.kind, slug=values["slug"]).first()
    if match is None and values.get("isbn"):
        match = queryset.filter(isbn=values["isbn"]).first()
    if match is None and values.get("url"):
        match = queryset.filter(kind=record.kind, url=values["url"]).first()
    return match


FIELD_DEFAULTS = {
    "year": None,
    "pages": None,
    "duration_seconds": None,
    "published_on": None,
    "reading_minutes": None,
    "featured": False,
    "perspective": Resource.Perspective.GENERAL,
}


def apply_record(record):
    """Create or update one resource. Returns (resource, "created"|"updated"|"unchanged")."""
    resource = find_existing(record)
    created = resource is None
    if created:
        resource = Resource(kind=record.kind)
        if not record.slug_given:
            record.values["slug"] = unique_slug(
                record.values["title"],
                lambda s: Resource.objects.filter(kind=record.kind, slug=s).exists(),
            )
    changed = created
    for key in KEYS:
        if key in ("kind", "creators", "topics"):
            continue
        name = MODEL_FIELDS.get(key, key)
        if name == "slug" and not created and not record.slug_given:
            continue  # matched by ISBN or URL: keep the slug it has
        new = record.values.get(name, FIELD_DEFAULTS.get(name, ""))
        if getattr(resource, name) != new:
            setattr(resource, name, new)
            changed = True
    if changed:
        resource.full_clean(exclude=["image", "source"], validate_unique=True)
        resource.save()

    if set_creators(resource, record.creators, created):
        changed = True
    current_topics = {name.lower() for name in resource.topics.names()} if not created else set()
    if current_topics != {name.lower() for name in record.topics}:
        resource.topics.set(topics_for(record.topics))
        changed = True

    if created:
        return resource, "created"
    if changed:
        Resource.objects.filter(pk=resource.pk).update(updated_at=timezone.now())
        return resource, "updated"
    return resource, "unchanged"


def topics_for(names):
    """Existing topics matched by name (case-insensitively), new ones created."""
    topics = []
    for name in names:
        topic = Topic.objects.filter(name__iexact=name).first()
        if topic is None:
            topic = Topic.objects.create(
                name=name,
                slug=unique_slug(name, lambda s: Topic.objects.filter(slug=s).exists(), 100),
            )
        topics.append(topic)
    return topics


def set_creators(resource, creators, created):
    """Replace the resource's credits when they differ. Returns True when anything changed."""
    wanted = [(slugify(name), role) for name, role in creators]
    if not created:
        current = [
            (credit.creator.slug, credit.role)
            for credit in resource.credit_set.select_related("creator")
        ]
        if current == wanted:
            return False
        resource.credit_set.all().delete()
    for position, (name, role) in enumerate(creators):
        creator, _ = Creator.objects.get_or_create(slug=slugify(name), defaults={"name": name})
        Credit.objects.create(resource=resource, creator=creator, role=role, position=position)
    return bool(creators) or not created


def link_quote_sources(quotes):
    """Link each quote to the library's own resource its source title names, when there is one."""
    for quote in quotes:
        source = None
        if quote.source_title:
            source = (
                Resource.objects.exclude(kind=Kind.QUOTE)
                .filter(title__iexact=quote.source_title)
                .order_by("id")
                .first()
            )
        if quote.source_id != (source.pk if source else None):
            Resource.objects.filter(pk=quote.pk).update(source=source)


def export_record(resource):
    """The format's dictionary for one resource (keys in KEYS order, empty values left out)."""
    data = {}
    for key, kinds in KEYS.items():
        if kinds is not None and resource.kind not in kinds:
            continue
        if key == "creators":
            value = [
                {"name": credit.creator.name, "role": credit.role}
                for credit in resource.credits_in_order()
            ]
        elif key == "topics":
            value = sorted((topic.name for topic in resource.topics.all()), key=str.lower)
        else:
            value = getattr(resource, MODEL_FIELDS.get(key, key))
            if isinstance(value, datetime.date):
                value = value.isoformat()
        if value in ("", None, [], False):
            continue
        data[key] = value
    return data


def export_lines(queryset=None):
    """Yield the library as JSONL lines (with newlines), ordered by kind and slug."""
    queryset = (queryset if queryset is not None else Resource.objects.all()).order_by(
        "kind", "slug"
    )
    queryset = queryset.prefetch_related("topics", "credit_set__creator")
    for resource in queryset.iterator(chunk_size=2000):
        yield json.dumps(export_record(resource), ensure_ascii=False) + "\n"
