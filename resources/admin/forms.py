"""The curators' forms: checked uploads, and the publishing rules where they are broken."""

from concurrency.forms import VersionField
from django import forms

from ..models import Resource, TaggedTopic, Topic, publishing_problems
from ..validators import normalize_isbn, validate_image_file, without_metadata
from .versions import VersionCheckedForm

# The admin's topic rows (TopicInline) post under this prefix, as Django names an inline.
TOPICS_PREFIX = TaggedTopic._meta.get_field("content_object").remote_field.get_accessor_name()


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

    def current_topics(self):
        return list(self.instance.topics.all()) if self.instance.pk else []

    def submitted_topics(self):
        """The topics of the form's topic rows, or None when it has none (a bulk action)."""
        try:
            total = int(self.data.get(f"{TOPICS_PREFIX}-TOTAL_FORMS", ""))
        except ValueError:
            return None
        ids = []
        for row in range(min(total, 1000)):
            tag = str(self.data.get(f"{TOPICS_PREFIX}-{row}-tag", ""))
            if tag.isdigit() and not self.data.get(f"{TOPICS_PREFIX}-{row}-DELETE"):
                ids.append(int(tag))
        return list(Topic.objects.filter(pk__in=ids))


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
