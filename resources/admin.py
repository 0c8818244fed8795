"""
The curators' workplace.

Each kind has its own admin page (Book, Video, Article, Quote: proxy models) showing only its
fields; "All resources" lists every kind for searching and links on to the kind's own page.
Every change page has a History button (django-simple-history): who changed what and when,
and any earlier version, which can be restored.
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    KIND_MODELS,
    Article,
    Book,
    Collection,
    CollectionStep,
    Creator,
    Credit,
    Quote,
    Resource,
    TaggedTopic,
    Topic,
    Video,
)
from .validators import validate_image_file, without_metadata

admin.site.site_header = "Therapy Library curation"
admin.site.site_title = "Therapy Library curation"
admin.site.index_title = "Curate the library"


@admin.register(Topic)
class TopicAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "featured", "resource_count", "aliases"]
    list_filter = ["featured"]
    list_editable = ["featured"]
    search_fields = ["name", "aliases"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description", "aliases", "featured"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(resource_count=Count("tagged_resources"))

    @admin.display(description="resources", ordering="resource_count")
    def resource_count(self, topic):
        return topic.resource_count


@admin.register(Creator)
class CreatorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "resource_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(resource_count=Count("credit"))

    @admin.display(description="resources", ordering="resource_count")
    def resource_count(self, creator):
        return creator.resource_count


class CreditInline(admin.TabularInline):
    model = Credit
    extra = 1
    autocomplete_fields = ["creator"]
    fields = ["creator", "role", "position"]
    verbose_name = "creator"
    verbose_name_plural = "creators (in the order they are credited)"


class TopicInline(admin.TabularInline):
    model = TaggedTopic
    extra = 1
    autocomplete_fields = ["tag"]
    verbose_name = "topic"
    verbose_name_plural = "topics"


@admin.display(description="preview")
def thumbnail(resource):
    """A small preview of the cover or still; nothing if there is none or it is missing."""
    if not resource.image:
        return "—"
    try:
        url = resource.image_thumbnail.url
    except (OSError, ValueError):
        return "(image file missing)"
    return format_html('<img src="{}" alt="{}" height="80">', url, resource.image_alt)


class CheckedImageField(forms.ImageField):
    """Runs our checks (resources.validators) before Django's own, for clearer messages."""

    def to_python(self, data):
        if data and hasattr(data, "read"):
            validate_image_file(data)
        return super().to_python(data)


class ResourceForm(forms.ModelForm):
    def clean_image(self):
        """A new upload is stored without its metadata (EXIF: location, camera, time)."""
        image = self.cleaned_data.get("image")
        if image and "image" in self.changed_data and hasattr(image, "content_type"):
            return without_metadata(image)
        return image


class KindAdmin(SimpleHistoryAdmin):
    """What the four kinds' admin pages share. Subclasses set `kind_fields`."""

    form = ResourceForm

    kind_fields = ()
    list_display = [
        "title",
        thumbnail,
        "status",
        "published_at",
        "featured",
        "credits",
        "topic_list",
    ]
    list_filter = ["status", "perspective", "featured", "topics"]
    search_fields = ["title", "subtitle", "summary", "credit__creator__name", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = [thumbnail, "created_at", "updated_at"]
    inlines = [CreditInline, TopicInline]
    date_hierarchy = "published_at"
    actions = ["publish", "unpublish", "feature", "unfeature"]
    list_per_page = 50
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.ImageField: {"form_class": CheckedImageField},
    }

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": ["title", *self.kind_fields, "summary", "perspective"]}),
            ("Publishing", {"fields": ["status", "published_at", "featured", "content_note"]}),
            ("Link and image", {"fields": ["url", "year", "image", thumbnail, "image_alt"]}),
            (
                "Advanced",
                {"classes": ["collapse"], "fields": ["slug", "created_at", "updated_at"]},
            ),
        ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("search_document")
            .prefetch_related("topics", "credit_set__creator")
        )

    @admin.display(description="creators")
    def credits(self, resource):
        return ", ".join(resource.creator_names())

    @admin.display(description="topics")
    def topic_list(self, resource):
        return ", ".join(sorted(topic.name for topic in resource.topics.all()))

    @admin.action(description="Publish the selected items now", permissions=["change"])
    def publish(self, request, queryset):
        count = queryset.publish()
        self.message_user(request, f"Published {count} item(s).", messages.SUCCESS)

    @admin.action(
        description="Unpublish the selected items (back to draft)", permissions=["change"]
    )
    def unpublish(self, request, queryset):
        count = queryset.unpublish()
        self.message_user(request, f"Unpublished {count} item(s).", messages.SUCCESS)

    @admin.action(description="Feature the selected items on the home page", permissions=["change"])
    def feature(self, request, queryset):
        count = queryset.set_featured(True)
        self.message_user(request, f"Featured {count} item(s).", messages.SUCCESS)

    @admin.action(description="Stop featuring the selected items", permissions=["change"])
    def unfeature(self, request, queryset):
        count = queryset.set_featured(False)
        self.message_user(request, f"Stopped featuring {count} item(s).", messages.SUCCESS)


@admin.register(Book)
class BookAdmin(KindAdmin):
    kind_fields = ("subtitle", "isbn", "publisher", "pages")
    search_fields = [*KindAdmin.search_fields, "isbn", "publisher"]


@admin.register(Video)
class VideoAdmin(KindAdmin):
    kind_fields = ("series", "duration_seconds", "transcript")
    search_fields = [*KindAdmin.search_fields, "series"]


@admin.register(Article)
class ArticleAdmin(KindAdmin):
    kind_fields = ("publication", "published_on", "reading_minutes")
    search_fields = [*KindAdmin.search_fields, "publication"]


class QuoteAdminForm(ResourceForm):
    """A quote's title and slug may be left empty: the model makes them from its words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["slug"].required = False


@admin.register(Quote)
class QuoteAdmin(KindAdmin):
    kind_fields = ("quote_text", "source_title", "source")
    search_fields = [*KindAdmin.search_fields, "quote_text"]
    autocomplete_fields = ["source"]
    prepopulated_fields = {}

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        fieldsets[0][1]["fields"] = [*self.kind_fields, "title", "summary", "perspective"]
        fieldsets[-1][1]["description"] = "A quote's title and slug are made from its words."
        return fieldsets

    form = QuoteAdminForm


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    """Every kind in one list, to search the whole library; editing happens on the kind's page."""

    list_display = ["title", "kind", "status", "published_at", "featured"]
    list_filter = ["kind", "status", "perspective", "featured", "topics"]
    search_fields = ["title", "subtitle", "quote_text", "credit__creator__name", "isbn"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("search_document")

    def has_add_permission(self, request):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        resource = self.get_object(request, object_id)
        if resource is None:
            return super().change_view(request, object_id, form_url, extra_context)
        model = KIND_MODELS[resource.kind]
        return HttpResponseRedirect(
            reverse(f"admin:resources_{model._meta.model_name}_change", args=[resource.pk])
        )


class CollectionStepInline(admin.TabularInline):
    model = CollectionStep
    extra = 1
    autocomplete_fields = ["resource"]
    fields = ["position", "resource", "note"]
    ordering = ["position", "id"]


@admin.register(Collection)
class CollectionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "is_public", "featured", "step_count", "step_titles"]
    list_filter = ["is_public", "featured"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CollectionStepInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(step_count=Count("steps"))
            .prefetch_related("steps__resource")
        )

    @admin.display(description="steps", ordering="step_count")
    def step_count(self, collection):
        return collection.step_count

    @admin.display(description="path")
    def step_titles(self, collection):
        return format_html_join(
            " → ", "{}", ((step.resource.title,) for step in collection.steps.all())
        )
