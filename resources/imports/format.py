"""
The JSONL format, line by line (a contract: see DESIGN.md, "Import and export").

One JSON object a line. `parse_line` checks one line against the model's own fields (their
lengths, bounds, choices and validators) and returns a `Record`, or raises `LineError`
naming the field; `export_record` writes a resource back in the same keys, in a fixed
order, leaving out empty values, so export → import → export is byte-identical.
"""

import datetime
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import slugify

from ..models import Creator, Credit, Resource
from ..validators import normalize_isbn

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
    "reviewed_on": None,
}

# Format key → model field, where the names differ.
MODEL_FIELDS = {"text": "quote_text"}

# The format's keys that are a model field each (creators and topics are links).
FIELD_KEYS = [key for key in KEYS if key not in ("kind", "creators", "topics")]


def model_field(key):
    return Resource._meta.get_field(MODEL_FIELDS.get(key, key))


class LineError(Exception):
    def __init__(self, field_name, message):
        self.field_name = field_name
        self.message = message
        super().__init__(f"{field_name}: {message}" if field_name else message)


@dataclass
class Record:
    """One checked line: model field values, creators and topics."""

    line: int
    kind: str
    values: dict
    creators: list = field(default_factory=list)  # [(name, role)]
    topics: list = field(default_factory=list)
    slug_given: bool = False


# Cleaners: one per kind of model field, each (key, value, model field) → the value to store.


def clean_text(key, value, field):
    if not isinstance(value, str):
        raise LineError(key, "must be a string")
    value = value.strip()
    if "\x00" in value:
        raise LineError(key, "must not contain a NUL character")
    if field.max_length and len(value) > field.max_length:
        raise LineError(key, f"is {len(value)} characters long; the limit is {field.max_length}")
    if value:
        try:
            field.run_validators(value)
        except ValidationError:
            raise LineError(key, TEXT_PROBLEMS.get(key, "is not valid")) from None
    return value


TEXT_PROBLEMS = {
    "slug": "use only letters, numbers, hyphens and underscores",
    "url": "must be an http or https address",
}


def clean_integer(key, value, field):
    if isinstance(value, bool) or not isinstance(value, int):
        raise LineError(key, "must be a whole number")
    low, high = integer_bounds(field)
    if not low <= value <= high:
        raise LineError(key, f"must be between {low} and {high}")
    return value


def integer_bounds(field):
    """The model field's validated range (positive fields start at 0)."""
    low, high = 0, 2**31 - 1
    for validator in field.validators:
        if isinstance(validator, MinValueValidator):
            low = validator.limit_value
        elif isinstance(validator, MaxValueValidator):
            high = validator.limit_value
    return low, high


def clean_choice(key, value, field):
    choices = [choice for choice, _ in field.choices]
    if value not in choices:
        raise LineError(key, f"must be one of {', '.join(choices)}, not {value!r}")
    return value


def clean_boolean(key, value, field):
    if not isinstance(value, bool):
        raise LineError(key, "must be true or false")
    return value


def clean_date(key, value, field):
    if not isinstance(value, str):
        raise LineError(key, "must be an ISO date string (YYYY-MM-DD)")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise LineError(key, f"{value!r} is not an ISO date (YYYY-MM-DD)") from None


def clean_isbn(key, value, field):
    if not isinstance(value, str):
        raise LineError(key, "must be a string")
    if not value.strip():
        return ""
    try:
        return normalize_isbn(value)
    except ValidationError as error:
        raise LineError(key, error.messages[0]) from None


def cleaner_for(key):
    field = model_field(key)
    if key == "isbn":
        return clean_isbn
    if field.choices:
        return clean_choice
    if isinstance(field, models.BooleanField):
        return clean_boolean
    if isinstance(field, models.DateField):
        return clean_date
    if isinstance(field, models.IntegerField):
        return clean_integer
    return clean_text


CLEANERS = {key: cleaner_for(key) for key in FIELD_KEYS}


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
    record = Record(line=number, kind=kind, values={})
    for key, value in data.items():
        if key not in KEYS:
            problems.append((key, "unknown key"))
            continue
        kinds = KEYS[key]
        if kinds is not None and kind not in kinds and value not in (None, ""):
            names = " and ".join(f"{k}s" for k in sorted(kinds))
            problems.append((key, f"applies only to {names}"))
            continue
        if key == "kind" or value is None:
            continue
        try:
            if key == "creators":
                record.creators = clean_creators(value)
            elif key == "topics":
                record.topics = clean_topics(value)
            else:
                record.values[model_field(key).name] = CLEANERS[key](key, value, model_field(key))
        except LineError as error:
            problems.append((key, error.message))
    values = record.values
    if kind == Kind.QUOTE and not values.get("quote_text"):
        problems.append(("text", "a quote needs its words"))
    elif kind != Kind.QUOTE and not values.get("title"):
        problems.append(("title", "required"))
    if problems:
        raise LineError(None, "; ".join(f"{key}: {message}" for key, message in problems))
    record.slug_given = bool(values.get("slug"))
    # The title (a quote's, from its words) and the slug, as the model derives them.
    derived = Resource(kind=kind, **values)
    derived.fill_derived_fields()
    values["title"], values["slug"] = derived.title, derived.slug
    values.setdefault("status", Resource.Status.PUBLISHED)
    return record


def clean_topics(value):
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise LineError("topics", "must be a list of topic names")
    names = [" ".join(t.split()) for t in value]
    if any(not name or len(name) > 100 for name in names):
        raise LineError("topics", "each topic name must have 1 to 100 characters")
    seen, unique = set(), []
    for name in names:
        if name.lower() not in seen:
            seen.add(name.lower())
            unique.append(name)
    return unique


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
        limit = Creator._meta.get_field("name").max_length
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > limit:
            raise LineError("creators", f"entry {index} needs a name of 1 to {limit} characters")
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
