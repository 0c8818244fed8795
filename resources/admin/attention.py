"""
"Needs attention": the counts on the admin's index that lead to waiting work, each a link to
the list it counts (the `attention` filter). Later checks add their rows to ROWS.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin
from django.urls import reverse

from .. import workflow
from ..models import Resource


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    select: Callable  # (queryset of resources, user) → the resources it counts
    editors_only: bool = False

    def visible_to(self, user):
        return not self.editors_only or workflow.can_publish(user)


ROWS = [
    Row("review", "Awaiting your review", lambda rs, user: rs.awaiting_review(), True),
    Row("sent-back", "Sent back to you", lambda rs, user: rs.sent_back_to(user)),
    Row(
        "pending",
        "Changes to published items waiting for an editor",
        lambda rs, user: rs.with_pending_change(),
    ),
    Row("scheduled", "Scheduled in the next 7 days", lambda rs, user: rs.scheduled_within(7)),
    Row(
        "rules",
        "Published items that break a publishing rule",
        lambda rs, user: rs.breaking_publishing_rules(),
    ),
    Row("stale", "Drafts untouched for 30 days", lambda rs, user: rs.untouched_drafts(30)),
    Row("links", "Published items whose link is broken", lambda rs, user: rs.with_broken_link()),
    Row("review-due", "Due for review", lambda rs, user: rs.due_for_review()),
]


def rows_for(user):
    """[{label, count, url}] of the rows `user` sees."""
    changelist = reverse("admin:resources_resource_changelist")
    return [
        {
            "label": row.label,
            "count": row.select(Resource.objects.all(), user).count(),
            "url": f"{changelist}?attention={row.key}",
        }
        for row in ROWS
        if row.visible_to(user)
    ]


class AttentionFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [(row.key, row.label) for row in ROWS if row.visible_to(request.user)]

    def queryset(self, request, queryset):
        for row in ROWS:
            if row.key == self.value() and row.visible_to(request.user):
                return row.select(queryset, request.user)
        return queryset
