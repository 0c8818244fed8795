"""
The review workflow in the admin (resources/workflow.py does the steps): the change form's
buttons, the pages to send an item back and to approve or discard a pending change, and the
actions. A curator's edit of a published item is kept as a pending change.
"""

from concurrency.exceptions import RecordModifiedError
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst

from .. import workflow
from ..models import Creator, Credit, PendingChange, Resource, TaggedTopic, refresh_history_links
from .forms import SendBackForm
from .versions import opened_version, saved_since

Status = Resource.Status


class ReviewMixin:
    """For a resource's ModelAdmin: every save goes through the workflow step it makes."""

    # The change form: its review buttons set the status the form saves.

    REVIEW_BUTTONS = {"_submit_for_review": Status.REVIEW, "_approve": Status.PUBLISHED}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            for button, status in self.REVIEW_BUTTONS.items():
                if button in request.POST:
                    request.POST = request.POST.copy()
                    request.POST["status"] = status
        context = {**(extra_context or {}), "review": self.review_context(request, object_id)}
        return super().changeform_view(request, object_id, form_url, context)

    def review_context(self, request, object_id):
        resource = self.get_object(request, object_id) if object_id else None
        editor = workflow.can_publish(request.user)
        context = {"is_editor": editor, "resource": resource}
        if resource is None:
            return {**context, "can_submit": True}
        pending = PendingChange.objects.filter(resource=resource).first()
        names = ("send_back", "approve", "discard", "reviewed")
        urls = {name: self.url(name, resource) for name in names}
        return {
            **context,
            "urls": urls,
            "can_submit": resource.status == Status.DRAFT,
            "can_approve": editor and resource.status == Status.REVIEW,
            "pending": pending,
            "pending_rows": pending_rows(pending) if pending else [],
        }

    def url(self, name, resource):
        meta = self.model._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_{name}", args=[resource.pk])

    def save_model(self, request, obj, form, change):
        """Saves through the workflow step the new status makes."""
        before = Resource.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
        user = request.user
        if before == Status.PUBLISHED and not workflow.can_publish(user):
            request.pending_change = True  # kept for an editor by save_related
        elif obj.status == Status.REVIEW and before != Status.REVIEW:
            workflow.submit(obj, user)
        elif obj.status == Status.PUBLISHED and before != Status.PUBLISHED:
            workflow.publish(obj, user, topics=form.topics, was=before)
        elif obj.status == Status.DRAFT and before == Status.PUBLISHED:
            workflow.unpublish(obj, user)
        else:
            super().save_model(request, obj, form, change)  # ReadableHistory names it

    def save_related(self, request, form, formsets, change):
        if getattr(request, "pending_change", False):
            propose_change(request, form, formsets)
            for formset in formsets:  # nothing of them was saved (the admin's log asks)
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        else:
            super().save_related(request, form, formsets, change)
            refresh_history_links(form.instance)

    def revert_disabled(self, request, obj=None):
        """Restoring an earlier version of a published item is an editor's step: for a
        curator it would skip review (this history form saves no pending change)."""
        live = obj is not None and Resource.objects.filter(pk=obj.pk, status=Status.PUBLISHED)
        return bool(live and live.exists() and not workflow.can_publish(request.user))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST" and self.revert_disabled(
            request, self.get_object(request, object_id)
        ):
            raise PermissionDenied("Only an editor may restore a published item.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def log_change(self, request, obj, message):
        if not getattr(request, "pending_change", False):  # nothing was changed yet
            super().log_change(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if "_preview" in request.POST:
            return HttpResponseRedirect(obj.get_absolute_url())  # staff see drafts there
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_preview" in request.POST and not getattr(request, "pending_change", False):
            return HttpResponseRedirect(obj.get_absolute_url())
        if getattr(request, "pending_change", False):
            self.message_user(
                request,
                "Your change is waiting for an editor. Visitors see the published version "
                "until an editor approves it.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    # Review pages: send back, and approve or discard a pending change.

    def get_urls(self):
        meta = self.model._meta
        name = f"{meta.app_label}_{meta.model_name}"
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/send-back/", view(self.send_back_view), name=f"{name}_send_back"),
            path("<int:pk>/pending/approve/", view(self.approve_view), name=f"{name}_approve"),
            path("<int:pk>/pending/discard/", view(self.discard_view), name=f"{name}_discard"),
            path("<int:pk>/reviewed/", view(self.reviewed_view), name=f"{name}_reviewed"),
            *super().get_urls(),
        ]

    def editor_object(self, request, pk):
        if not workflow.can_publish(request.user):
            raise PermissionDenied("Only an editor may do this.")
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def send_back_view(self, request, pk):
        resource = self.editor_object(request, pk)
        form = SendBackForm(request.POST or None, initial={"version": resource.version})
        if request.method == "POST" and form.is_valid() and self.still_current(request, resource):
            workflow.send_back(resource, request.user, form.cleaned_data["note"])
            self.message_user(request, f"“{resource}” was sent back to its author.")
            return HttpResponseRedirect(reverse(f"admin:resources_{resource.kind}_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Send “{resource}” back to its author",
            "form": form,
            "resource": resource,
            "opts": self.model._meta,
            "change_url": self.url("change", resource),
        }
        return TemplateResponse(request, "admin/resources/send_back.html", context)

    def still_current(self, request, resource):
        """Whether the page the editor acted on showed the item as it is now; if not, say so."""
        if opened_version(request) in (None, resource.version):
            return True
        self.message_user(
            request, format_html("Not done: {}.", saved_since(resource)), messages.ERROR
        )
        return False

    def approve_view(self, request, pk):
        resource = self.editor_object(request, pk)
        if request.method == "POST" and self.still_current(request, resource):
            pending = get_object_or_404(PendingChange, resource=resource)
            try:
                workflow.approve_change(pending, request.user)
            except ValidationError as error:
                for message in error.messages:
                    self.message_user(request, f"Not approved: {message}", messages.ERROR)
            else:
                self.message_user(request, "The change is approved: it is live.")
        return HttpResponseRedirect(self.url("change", resource))

    def reviewed_view(self, request, pk):
        resource = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, resource):
            raise PermissionDenied
        if request.method == "POST" and self.still_current(request, resource):
            workflow.mark_reviewed(resource, request.user)
            self.message_user(request, f"“{resource}” is marked as reviewed today.")
        return HttpResponseRedirect(self.url("change", resource))

    def discard_view(self, request, pk):
        resource = self.editor_object(request, pk)
        if request.method == "POST" and self.still_current(request, resource):
            pending = get_object_or_404(PendingChange, resource=resource)
            workflow.discard_change(pending, request.user)
            self.message_user(request, "The pending change was discarded.")
        return HttpResponseRedirect(self.url("change", resource))

    # Actions: each item goes through its workflow step; what is refused is reported.

    def run_step(self, request, queryset, step, done):
        changed, refused = 0, []
        for resource in queryset:
            if self.out_of_date(request, resource):
                refused.append(f"“{resource}” (changed since the list was shown: reload it)")
                continue
            try:
                with transaction.atomic():
                    if step(resource) is not False:
                        changed += 1
            except ValidationError as error:
                refused.append(f"“{resource}” ({' '.join(error.messages)})")
            except RecordModifiedError:
                refused.append(f"“{resource}” (saved by someone else at the same moment)")
        if changed:
            self.message_user(request, f"{done} {changed} item(s).", messages.SUCCESS)
        if refused:
            self.message_user(request, "Not changed: " + "; ".join(refused), messages.WARNING)

    @admin.action(description="Submit the selected items for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        def submit(resource):
            if resource.status != Status.DRAFT:
                return False
            workflow.submit(resource, request.user)

        self.run_step(request, queryset, submit, "Submitted for review")

    @admin.action(description="Mark the selected items as reviewed today", permissions=["change"])
    def mark_reviewed(self, request, queryset):
        step = lambda r: workflow.mark_reviewed(r, request.user)  # noqa: E731
        self.run_step(request, queryset, step, "Marked as reviewed")

    @admin.action(description="Publish the selected items now", permissions=["publish"])
    def publish(self, request, queryset):
        def publish(resource):
            if resource.status == Status.PUBLISHED:
                return False
            workflow.publish(resource, request.user)

        self.run_step(request, queryset, publish, "Published")

    @admin.action(
        description="Unpublish the selected items (back to draft)", permissions=["publish"]
    )
    def unpublish(self, request, queryset):
        queryset = queryset.filter(status=Status.PUBLISHED)
        self.run_step(
            request, queryset, lambda r: workflow.unpublish(r, request.user), "Unpublished"
        )

    @admin.action(
        description="Feature the selected items on the home page", permissions=["publish"]
    )
    def feature(self, request, queryset):
        queryset = queryset.filter(featured=False)
        step = lambda r: workflow.set_featured(r, request.user, True)  # noqa: E731
        self.run_step(request, queryset, step, "Featured")

    @admin.action(description="Stop featuring the selected items", permissions=["publish"])
    def unfeature(self, request, queryset):
        queryset = queryset.filter(featured=True)
        step = lambda r: workflow.set_featured(r, request.user, False)  # noqa: E731
        self.run_step(request, queryset, step, "Stopped featuring")


def propose_change(request, form, formsets):
    """Keep what the form and its rows would change as a pending change (workflow)."""
    resource = form.instance
    names = {field.name for field in Resource._meta.concrete_fields}
    values = {name: form.cleaned_data[name] for name in form.changed_data if name in names}
    if "image" in values:
        upload = values["image"]
        field = Resource._meta.get_field("image")
        values["image"] = (
            field.storage.save(field.generate_filename(resource, upload.name), upload)
            if upload
            else ""
        )
    topics = credits = None
    for formset in formsets:
        if not formset.has_changed():
            continue
        rows = [f.cleaned_data for f in formset.forms if f.cleaned_data]
        rows = [row for row in rows if not row.get("DELETE")]
        if formset.model is TaggedTopic:
            topics = [row["tag"].pk for row in rows]
        elif formset.model is Credit:
            credits = [
                {"creator": row["creator"].pk, "role": row["role"], "position": row["position"]}
                for row in rows
            ]
    workflow.propose_change(resource, request.user, values, topics, credits)


def pending_rows(pending):
    """[(what, now, proposed)] of a pending change, for the change form."""
    live = pending.resource
    proposed, topics = workflow.proposed(pending)
    rows = []
    for name in pending.values:
        field = Resource._meta.get_field(name)
        rows.append(
            (
                capfirst(field.verbose_name),
                shown(field, getattr(live, name)),
                shown(field, getattr(proposed, name)),
            )
        )
    if pending.topics is not None:
        now = ", ".join(sorted(topic.name for topic in live.topics.all()))
        rows.append(("Topics", now or "—", ", ".join(sorted(t.name for t in topics)) or "—"))
    if pending.credits is not None:
        now = ", ".join(str(credit) for credit in live.credit_set.select_related("creator"))
        ids = [credit["creator"] for credit in pending.credits]
        names = dict(Creator.objects.filter(pk__in=ids).values_list("pk", "name"))
        new = ", ".join(f"{names.get(c['creator'], '?')} ({c['role']})" for c in pending.credits)
        rows.append(("Creators", now or "—", new or "—"))
    return rows


def shown(field, value):
    if field.choices:
        value = dict(field.flatchoices).get(value, value)
    return str(value) if value not in (None, "") else "—"
