"""
Topics, people, reading paths and the site's own pages in the admin.

What visitors see changes only through an editor: a curator may add these and change the
ones visitors do not see yet (a topic or a person no published resource uses, a path that is
not public), and only an editor makes a path public, features it or marks a topic sensitive.
The site's pages ("About this library") are always seen: curators read them, editors write.
"""

from django.contrib import admin, messages
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.html import format_html_join
from simple_history.admin import SimpleHistoryAdmin

from .. import workflow
from ..models import Collection, CollectionStep, Creator, Page, Resource, Topic
from .history import ReadableHistory
from .versions import VersionedAdmin


class EditorGuard:
    """Only an editor changes what visitors can see (`is_seen`) or sets `editor_fields`."""

    editor_fields = ()

    def is_seen(self, obj):
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        if obj is not None and self.is_seen(obj) and not workflow.can_publish(request.user):
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not workflow.can_publish(request.user):
            fields += self.editor_fields
        return fields


@admin.register(Topic)
class TopicAdmin(EditorGuard, VersionedAdmin, ReadableHistory, SimpleHistoryAdmin):
    list_display = ["name", "slug", "featured", "sensitive", "resource_count", "aliases"]
    list_filter = ["featured", "sensitive"]
    search_fields = ["name", "aliases"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description", "aliases", "featured", "sensitive", "version"]
    editor_fields = ("featured", "sensitive")

    actions = ["merge"]

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user)

    @admin.action(description="Merge the two selected topics into one", permissions=["publish"])
    def merge(self, request, queryset):
        topics = list(queryset)
        if len(topics) != 2:
            self.message_user(request, "Select exactly two topics to merge.", messages.WARNING)
            return None
        keep = request.POST.get("keep")
        if keep in {str(topic.pk) for topic in topics}:
            kept = next(topic for topic in topics if str(topic.pk) == keep)
            other = next(topic for topic in topics if topic is not kept)
            workflow.merge_topics(kept, other, request.user)
            self.message_user(
                request, f"“{other}” is merged into “{kept}”; its address leads there now."
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge two topics",
            "topics": topics,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/resources/merge_topics.html", context)

    def is_seen(self, topic):
        return topic.tagged_resources.filter(
            content_object__in=Resource.objects.published()
        ).exists()

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(resource_count=Count("tagged_resources"))

    @admin.display(description="resources", ordering="resource_count")
    def resource_count(self, topic):
        return topic.resource_count


@admin.register(Creator)
class CreatorAdmin(EditorGuard, VersionedAdmin, ReadableHistory, SimpleHistoryAdmin):
    list_display = ["name", "slug", "resource_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def is_seen(self, creator):
        return creator.credit_set.filter(resource__in=Resource.objects.published()).exists()

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(resource_count=Count("credit"))

    @admin.display(description="resources", ordering="resource_count")
    def resource_count(self, creator):
        return creator.resource_count


class CollectionStepInline(admin.TabularInline):
    model = CollectionStep
    extra = 1
    autocomplete_fields = ["resource"]
    fields = ["position", "resource", "note"]
    ordering = ["position", "id"]


@admin.register(Collection)
class CollectionAdmin(EditorGuard, VersionedAdmin, ReadableHistory, SimpleHistoryAdmin):
    list_display = ["title", "is_public", "featured", "step_count", "step_titles"]
    list_filter = ["is_public", "featured"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [CollectionStepInline]
    editor_fields = ("is_public", "featured")

    def is_seen(self, collection):
        return collection.is_public

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


@admin.register(Page)
class PageAdmin(VersionedAdmin, ReadableHistory, SimpleHistoryAdmin):
    """The site ships each page with its address, so they are changed, never added or deleted
    here (a footer links to each)."""

    list_display = ["title", "address", "updated_at"]
    fields = ["title", "address", "body", "version"]
    readonly_fields = ["address"]

    @admin.display(description="address")
    def address(self, page):
        return page.get_absolute_url()

    def has_view_permission(self, request, obj=None):
        return workflow.can_publish(request.user) or super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return workflow.can_publish(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
