"""
GET forms for the public pages. Views read `cleaned_data` only, so a malformed parameter is
normalised or ignored here and never reaches the ORM.
"""

import unicodedata

from django import forms
from django.utils.text import slugify

from .models import Resource

MAX_TOPIC_FILTERS = 5
# A query longer than this is cut (at a word boundary when there is one): nobody types more,
# and it bounds the work a single request can ask of the database.
MAX_QUERY_LENGTH = 200


class SlugListField(forms.Field):
    """A repeatable parameter (?topic=a&topic=b): valid-looking slugs kept, the rest dropped."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        slugs = []
        for item in value:
            slug = str(item)[:100]
            if slug and slug == slugify(slug) and slug not in slugs:
                slugs.append(slug)
        return slugs[:MAX_TOPIC_FILTERS]


def lenient_choice(data, name, choices):
    """The value of `name` if it is one of `choices`, else empty: unknown values are ignored."""
    value = data.get(name, "")
    return value if value in choices else ""


class ParameterField(forms.Field):
    """A raw query parameter as text, never rejected (a CharField refuses NUL bytes)."""

    def to_python(self, value):
        return "" if value is None else str(value)[:100]


class CatalogFilterForm(forms.Form):
    kind = ParameterField(required=False)
    topic = SlugListField(required=False)
    perspective = ParameterField(required=False)
    sort = ParameterField(required=False)
    page = ParameterField(required=False)

    SORTS = {"newest": ["-published_at", "-id"], "title": ["title", "id"]}

    def clean_kind(self):
        return lenient_choice(self.cleaned_data, "kind", Resource.Kind.values)

    def clean_perspective(self):
        return lenient_choice(self.cleaned_data, "perspective", Resource.Perspective.values)

    def clean_sort(self):
        return lenient_choice(self.cleaned_data, "sort", self.SORTS) or "newest"

    def clean_page(self):
        return clean_page_number(self.cleaned_data.get("page"))


def clean_page_number(value):
    """A page number: a positive integer, else 1. Pages past the end are a 404 in the view."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else 1


def normalize_query(text):
    """What SearchForm keeps of `q`: no control characters, single spaces, at most
    MAX_QUERY_LENGTH characters (cut at a word boundary when there is one)."""
    text = "".join(
        " " if unicodedata.category(char)[0] in "CZ" else char for char in str(text or "")
    )
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_LENGTH:
        cut = text[: MAX_QUERY_LENGTH + 1]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut[:MAX_QUERY_LENGTH]
    return text.strip()


class SearchForm(forms.Form):
    """/search/: `q` is normalised (see `normalize_query`), never rejected."""

    q = forms.CharField(required=False, strip=False)
    kind = forms.CharField(required=False)
    topic = SlugListField(required=False)
    page = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # CharField refuses a NUL byte, which would leave the field out of cleaned_data; here
        # clean_q strips it instead, like other control characters, so a pasted query with
        # one still searches, and clean_kind and clean_page ignore a value with one.
        for name in ("q", "kind", "page"):
            self.fields[name].validators = []

    def clean_q(self):
        return normalize_query(self.cleaned_data.get("q"))

    def clean_kind(self):
        return lenient_choice(self.cleaned_data, "kind", Resource.Kind.values)

    def clean_page(self):
        return clean_page_number(self.cleaned_data.get("page"))
