"""The curators' forms: checked uploads, and the publishing rules where they are broken."""

from concurrency.forms import VersionField
from django import forms
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ..models import Credit, Resource, TaggedTopic, Topic, publishing_problems
from ..validators import normalize_isbn, validate_image_file, without_metadata
from .versions import VersionCheckedForm

# The admin's topic and creator rows post under these prefixes, as Django names an inline.
TOPICS_PREFIX = TaggedTopic._meta.get_field("content_object").remote_field.get_accessor_name()
CREDITS_PREFIX = Credit._meta.get_field("resource").remote_field.get_accessor_name()


class CheckedImageField(forms.ImageField):
    """Runs our checks (resources.validators) before Django's own, for clearer messages."""

    def to_python(self, data):
        if data and hasattr(data, "read"):
            validate_image_file(data)
        return super().to_python(data)


class ResourceForm(VersionCheckedForm):
    def clean_isbn(self):
        """An ISBN as printed (hyphens, spaces, an ISBN-10), stored as its ISBN-13."""
        isbn = self.cleaned_data.get("isbn", "")
        return normalize_isbn(isbn) if isbn.strip() else ""

    def full_clean(self):
        super().full_clean()
        # A browser cannot be given back a chosen file: say so, rather than drop it quietly.
        if (
            self._errors
            and self.files.get(self.add_prefix("image"))
            and "image" not in self._errors
        ):
            self.add_error(
                "image",
                "Choose the image again: it could not be kept while the form has the errors "
                "shown on this page.",
            )

    def clean_image(self):
        """A new upload is stored without its metadata (EXIF: location, camera, time)."""
        image = self.cleaned_data.get("image")
        if image and "image" in self.changed_data and hasattr(image, "content_type"):
            return without_metadata(image)
        return image

    def clean(self):
        """An item that will be public must meet the publishing rules, with the topics its
        topic rows will give it (the rows are checked after this form, so read from the data)."""
        data = super().clean()
        self.topics = self.submitted_topics()
        self.check_duplicates(data)
        status = data.get("status", self.instance.status)
        if status == Resource.Status.PUBLISHED:
            topics = self.topics if self.topics is not None else self.current_topics()
            problems = publishing_problems(
                data.get("summary", self.instance.summary) or "",
                data.get("content_note", self.instance.content_note) or "",
                [topic.name for topic in topics if topic.sensitive],
            )
            for field, message in problems.items():
                self.add_error(field if field in self.fields else None, message)
        return data

    def check_duplicates(self, data):
        """Warn of what looks like an item the library has; "Save it anyway" goes on, and the
        history says so."""
        resource = Resource(
            pk=self.instance.pk,
            kind=self.instance.kind,
            title=data.get("title") or "",
            quote_text=data.get("quote_text", self.instance.quote_text) or "",
            isbn=data.get("isbn", self.instance.isbn) or "",
            url=data.get("url", self.instance.url) or "",
        )
        resource.fill_derived_fields()  # a quote's title from its words
        self.duplicates = list(
            Resource.objects.likely_duplicates(resource, self.submitted_creators())[:5]
        )
        if not self.duplicates:
            return
        named = ", ".join(f"“{other}” (#{other.pk})" for other in self.duplicates)
        if self.data.get("save_anyway"):
            self.instance._history_note = f"saved although it looks like {named}"
            return
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse(f"admin:resources_{other.kind}_change", args=[other.pk]), str(other))
                for other in self.duplicates
            ),
        )
        raise forms.ValidationError(
            format_html(
                "This looks like what the library already has: {}. Open it, or tick “Save it "
                "anyway” below and save again if it is not the same.",
                links,
            ),
            code="duplicate",
        )

    def submitted_creators(self):
        """The creators of the form's creator rows (as submitted_topics, for credits)."""
        return [pk for pk in self.row_values(CREDITS_PREFIX, "creator") if pk.isdigit()]

    def current_topics(self):
        return list(self.instance.topics.all()) if self.instance.pk else []

    def submitted_topics(self):
        """The topics of the form's topic rows, or None when it has none (a bulk action)."""
        if f"{TOPICS_PREFIX}-TOTAL_FORMS" not in self.data:
            return None
        ids = [int(pk) for pk in self.row_values(TOPICS_PREFIX, "tag") if pk.isdigit()]
        return list(Topic.objects.filter(pk__in=ids))

    def row_values(self, prefix, name):
        """The values of field `name` in an inline's rows, as posted, those to delete left
        out (the rows are validated after this form, so they are read from its data)."""
        try:
            total = int(self.data.get(f"{prefix}-TOTAL_FORMS", ""))
        except ValueError:
            return []
        return [
            str(self.data.get(f"{prefix}-{row}-{name}", ""))
            for row in range(min(total, 1000))
            if not self.data.get(f"{prefix}-{row}-DELETE")
        ]


class QuoteAdminForm(ResourceForm):
    """A quote's title and slug may be left empty: the model makes them from its words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["slug"].required = False


class SendBackForm(forms.Form):
    version = VersionField(required=False)  # the item's, when the page was opened
    note = forms.CharField(
        label="Your note to its author",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What to change before it can be published. Its author sees this note.",
    )
