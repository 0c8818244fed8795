"""
Resources in the admin. Each kind has its own page (Book, Video, Article, Quote: proxy models)
showing only its fields; "All resources" lists every kind, with the review queue's filters,
and links on to the kind's own page.

Publishing goes through resources/workflow.py: a curator saves drafts and submits them; an
editor publishes, schedules, sends back, unpublishes and features. A curator's edit of a
published item is kept as a pending change, which an editor approves or discards.
"""

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

from .. import workflow
from ..models import (
    KIND_MODELS,
    Article,
    Book,
    Credit,
    Quote,
    Resource,
    TaggedTopic,
    Video,
)
from .attention import AttentionFilter
from .forms import CheckedImageField, QuoteAdminForm, ResourceForm
from .history import ReadableHistory, shown
from .review import ReviewMixin
from .versions import VersionedAdmin

Status = Resource.Status


class CreditInline(admin.TabularInline):
    model = Credit
    extra = 1
    autocomplete_fields = ["creator"]
    fields = ["creator", "role", "position"]
    verbose_name = "creator"
    verbose_name_plural = "who made it (in the order they are credited)"


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


@admin.display(description="state")
def state(resource):
    """Draft, Sent back, In review, Scheduled for 15 January 2027, 09:00, or Published …"""
    if resource.is_scheduled:
        return f"Scheduled for {workflow.local_time(resource.published_at)}"
    if resource.status == Status.PUBLISHED and resource.published_at:
        return f"Published {workflow.local_time(resource.published_at)}"
    if resource.status == Status.DRAFT and resource.sent_back_at:
        return "Sent back"
    return resource.get_status_display()


class TopicFilter(admin.RelatedFieldListFilter):
    """Topics as people write them: "Grief", not "grief"."""

    def field_choices(self, field, request, model_admin):
        return [
            (pk, capfirst(name)) for pk, name in super().field_choices(field, request, model_admin)
        ]


@admin.display(description="last link check")
def link_check(resource):
    """What the link answered when the link watch last asked (check_links)."""
    check = getattr(resource, "link_check", None) if resource.pk else None
    if check is None:
        return "Not checked yet" if resource.url else "—"
    outcome = "broken" if check.broken else "working"
    text = f"{outcome.capitalize()}: {check.status} on {shown(check.checked_at)}"
    if check.final_url:
        text += f", after redirects to {check.final_url}"
    if check.url != resource.url:
        text += " (the link has changed since)"
    return text


class ReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("due", "Due for review"), ("never", "Never reviewed")]

    def queryset(self, request, queryset):
        return {
            "due": lambda: queryset.due_for_review(),
            "never": lambda: queryset.filter(reviewed_on__isnull=True),
        }.get(self.value(), lambda: queryset)()


class LinkFilter(admin.SimpleListFilter):
    title = "link"
    parameter_name = "link"

    def lookups(self, request, model_admin):
        return [("broken", "Broken"), ("working", "Working"), ("unchecked", "Not checked")]

    def queryset(self, request, queryset):
        return {
            "broken": lambda: queryset.with_broken_link(),
            "working": lambda: queryset.filter(link_check__broken=False),
            "unchecked": lambda: queryset.exclude(url="").filter(link_check__isnull=True),
        }.get(self.value(), lambda: queryset)()


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", "Draft"),
            ("sent-back", "Sent back"),
            ("review", "In review"),
            ("scheduled", "Scheduled"),
            ("published", "Published"),
        ]

    def queryset(self, request, queryset):
        drafts = queryset.filter(status=Status.DRAFT)
        return {
            "draft": lambda: drafts.filter(sent_back_at__isnull=True),
            "sent-back": lambda: drafts.filter(sent_back_at__isnull=False),
            "review": queryset.awaiting_review,
            "scheduled": queryset.scheduled,
            "published": queryset.published,
        }.get(self.value(), lambda: queryset)()


class KindAdmin(VersionedAdmin, ReviewMixin, ReadableHistory, SimpleHistoryAdmin):
    """What the four kinds' admin pages share. Subclasses set `kind_fields`."""

    form = ResourceForm
    change_form_template = "admin/resources/resource_change_form.html"
    kind_fields = ()
    list_display = ["title", thumbnail, state, "featured", "credits", "topic_list"]
    list_filter = [
        StateFilter,
        AttentionFilter,
        LinkFilter,
        ReviewFilter,
        "perspective",
        "featured",
        ("topics", TopicFilter),
    ]
    search_fields = ["title", "subtitle", "summary", "credit__creator__name", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CreditInline, TopicInline]
    date_hierarchy = "published_at"
    actions = [
        "submit_for_review",
        "publish",
        "unpublish",
        "feature",
        "unfeature",
        "mark_reviewed",
    ]
    list_per_page = 50
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.ImageField: {"form_class": CheckedImageField},
    }

    def what_it_is(self):
        return ["title", *self.kind_fields, "year", "perspective", "version"]

    def get_fieldsets(self, request, obj=None):
        """In the order a curator works: what it is, who made it and its topics (the rows
        that resource_change_form.html puts after the first fieldset), where to find it, why
        it may help, publishing."""
        return [
            ("What it is", {"fields": self.what_it_is()}),
            ("Where to find it", {"fields": ["url", link_check, "image", thumbnail, "image_alt"]}),
            ("Why it helps", {"fields": ["summary", "content_note"]}),
            (
                "Publishing",
                {"fields": [state, "status", "published_at", "featured", "reviewed_on"]},
            ),
            (
                "Advanced",
                {"classes": ["collapse"], "fields": ["slug", "created_at", "updated_at"]},
            ),
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "isbn":
            kwargs["max_length"] = 20  # as printed, "978-0-8070-1429-5"; stored as 13 digits
            kwargs["help_text"] = (
                "As printed on the book, with or without hyphens: an ISBN-13, or an ISBN-10 "
                "(stored as its ISBN-13). Leave empty rather than guess."
            )
        elif db_field.name == "content_note":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "maxlength": 300})
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "published_at" and field is not None:
            date, time = field.widget.widgets
            date.attrs["aria-label"], time.attrs["aria-label"] = "Publish date", "Publish time"
        return field

    def get_readonly_fields(self, request, obj=None):
        fields = [thumbnail, state, link_check, "created_at", "updated_at"]
        if not workflow.can_publish(request.user):
            fields += ["published_at", "featured"]
            if obj is not None and obj.status == Status.PUBLISHED:
                fields.append("status")  # a curator's edit of it waits for an editor
        return fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not workflow.can_publish(request.user):
            kwargs["choices"] = [c for c in db_field.choices if c[0] != Status.PUBLISHED]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user)

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
        return ", ".join(sorted(capfirst(topic.name) for topic in resource.topics.all()))


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


@admin.register(Quote)
class QuoteAdmin(KindAdmin):
    form = QuoteAdminForm
    kind_fields = ("quote_text", "source_title", "source")
    search_fields = [*KindAdmin.search_fields, "quote_text"]
    autocomplete_fields = ["source"]
    prepopulated_fields = {}

    def what_it_is(self):
        return [*self.kind_fields, "title", "year", "perspective", "version"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        fieldsets[-1][1]["description"] = "A quote's title and slug are made from its words."
        return fieldsets


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    """Every kind in one list, to search the whole library and work through the review queue;
    editing happens on the kind's page."""

    list_display = ["title", "kind", state, "featured"]
    list_filter = [
        AttentionFilter,
        StateFilter,
        LinkFilter,
        "kind",
        "perspective",
        "featured",
        ("topics", TopicFilter),
    ]
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
