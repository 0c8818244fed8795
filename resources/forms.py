"""
GET forms for the public pages. Views read `cleaned_data` only, so a malformed parameter is
normalised or ignored here and never reaches the ORM.
"""

from django import forms
from django.utils.text import slugify

from .models import Resource
from .search import normalize_query

MAX_TOPIC_FILTERS = 5


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


class SearchForm(forms.Form):
    """/search/: `q` is normalised (see `search.normalize_query`), never rejected."""

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
