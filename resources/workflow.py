"""
Review before publishing: curators submit, editors publish.

Who may publish is one permission, `resources.publish_resource` (the Editors group has it;
an operator can give it to anyone). Each step saves the resource once, with the step's name
as the history's change reason and its author as the history's user, and, when email is
configured, tells the people it concerns: editors of a submission, an author of the outcome.

A curator's edit of a published resource is not saved on the resource: it is kept as a
`PendingChange` until an editor approves it, and visitors see the published version.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from .models import Credit, PendingChange, Resource, TaggedTopic, Topic, TopicRedirect

PUBLISH_PERMISSION = "resources.publish_resource"
Status = Resource.Status

logger = logging.getLogger(__name__)


def can_publish(user):
    """An editor may publish; where a second factor is required (ADMIN_REQUIRE_2FA), only
    when signed in with it (django-otp's middleware says so on the request's user)."""
    if not user.has_perm(PUBLISH_PERMISSION):
        return False
    if settings.ADMIN_REQUIRE_2FA:
        return bool(getattr(user, "is_verified", lambda: False)())
    return True


def require_editor(user):
    if not can_publish(user):
        raise PermissionDenied("Only an editor may do this.")


def save_step(resource, user, reason):
    note = getattr(resource, "_history_note", "")  # e.g. saved despite a likely duplicate
    resource._change_reason = f"{reason}; {note}" if note else reason
    resource._history_user = user
    resource.save()


def local_time(moment):
    """15 January 2027, 09:00, in the site's time zone."""
    return date_format(timezone.localtime(moment), "j F Y, H:i")


# The steps ---------------------------------------------------------------------------------


def submit(resource, user):
    """Put it in the review queue (its current fields are saved with it)."""
    resource.status = Status.REVIEW
    resource.submitted_by, resource.submitted_at = user, timezone.now()
    resource.sent_back_at, resource.review_note = None, ""
    save_step(resource, user, "Submitted for review")
    notify(
        editors(exclude=user),
        f"Waiting for your review: {resource}",
        f"{name_of(user)} submitted “{resource}” for review.",
        resource,
    )


def publish(resource, editor, publish_at=None, topics=None, was=None):
    """
    Publish now, or at `publish_at` or the publish time it has (a scheduled item goes live by
    itself at its time). Refused with a ValidationError naming the fields when a publishing
    rule is broken; `topics` are those it will have, when not yet saved. `was` is its status
    before the change, when the resource already carries the new one (an admin form).
    """
    require_editor(editor)
    problems = resource.publishing_problems(topics)
    if problems:
        raise ValidationError(problems)
    was_in_review = (was or resource.status) == Status.REVIEW
    if publish_at is not None:
        resource.published_at = publish_at
    elif resource.published_at is None:
        resource.published_at = timezone.now()
    resource.status = Status.PUBLISHED
    resource.sent_back_at, resource.review_note = None, ""
    if resource.is_scheduled:
        outcome = f"scheduled for {local_time(resource.published_at)}"
    else:
        outcome = "published"
    save_step(
        resource, editor, f"Approved and {outcome}" if was_in_review else outcome.capitalize()
    )
    if was_in_review:
        notify(
            [resource.submitted_by],
            f"Approved: {resource}",
            f"{name_of(editor)} approved “{resource}”: it is {outcome}.",
            resource,
            exclude=editor,
        )


def send_back(resource, editor, note):
    """Back to its author, a draft again, with the editor's note."""
    require_editor(editor)
    resource.status = Status.DRAFT
    resource.sent_back_at, resource.review_note = timezone.now(), note.strip()
    save_step(resource, editor, f"Sent back to its author: {resource.review_note}")
    notify(
        [resource.submitted_by],
        f"Sent back: {resource}",
        f"{name_of(editor)} sent “{resource}” back to you with this note:\n\n"
        f"{resource.review_note}",
        resource,
        exclude=editor,
    )


def unpublish(resource, editor):
    require_editor(editor)
    resource.status = Status.DRAFT
    save_step(resource, editor, "Unpublished")


def set_featured(resource, editor, featured):
    require_editor(editor)
    resource.featured = featured
    save_step(resource, editor, "Featured on the home page" if featured else "No longer featured")


def mark_reviewed(resource, user):
    """A curator checked it is still right and still helps: its review date is today."""
    resource.reviewed_on = timezone.localdate()
    save_step(resource, user, "Marked as reviewed")


# Pending changes to published resources -----------------------------------------------------


def propose_change(resource, curator, values, topics=None, credits=None):
    """
    Keep a curator's edit of a published resource for an editor. `values` are the changed
    fields' new values; `topics` (Topic ids) and `credits` ({creator, role, position} each)
    are given when they changed. A new proposal replaces an earlier one.
    """
    PendingChange.objects.update_or_create(
        resource=resource,
        defaults={
            "values": {name: to_json(value) for name, value in values.items()},
            "topics": topics,
            "credits": credits,
            "proposed_by": curator,
        },
    )
    notify(
        editors(exclude=curator),
        f"A change waits for your review: {resource}",
        f"{name_of(curator)} proposed a change to “{resource}”, which is published. Visitors "
        "see the published version until an editor approves the change.",
        resource,
    )


def proposed(pending):
    """The resource as the pending change would make it (not saved), and its topics."""
    resource = Resource.objects.get(pk=pending.resource_id)
    for name, value in pending.values.items():
        setattr(resource, name, Resource._meta.get_field(name).to_python(value))
    topics = resource.topics.all()
    if pending.topics is not None:
        topics = Topic.objects.filter(pk__in=pending.topics)
    return resource, list(topics)


@transaction.atomic
def approve_change(pending, editor):
    require_editor(editor)
    resource, topics = proposed(pending)
    problems = resource.publishing_problems(topics)
    if problems:
        raise ValidationError(problems)
    if pending.topics is not None:
        TaggedTopic.objects.filter(content_object=resource).delete()
        TaggedTopic.objects.bulk_create(
            TaggedTopic(content_object=resource, tag=topic) for topic in topics
        )
    if pending.credits is not None:
        Credit.objects.filter(resource=resource).delete()
        Credit.objects.bulk_create(
            Credit(
                resource=resource,
                creator_id=credit["creator"],
                role=credit["role"],
                position=credit["position"],
            )
            for credit in pending.credits
        )
    author = pending.proposed_by
    pending.delete()
    save_step(resource, editor, f"Approved the change proposed by {name_of(author)}")
    notify(
        [author],
        f"Approved: your change to {resource}",
        f"{name_of(editor)} approved your change to “{resource}”: it is live.",
        resource,
        exclude=editor,
    )
    return resource


def discard_change(pending, editor, note=""):
    require_editor(editor)
    resource, author = pending.resource, pending.proposed_by
    pending.delete()
    notify(
        [author],
        f"Not approved: your change to {resource}",
        f"{name_of(editor)} did not approve your change to “{resource}”."
        + (f" Their note:\n\n{note}" if note else ""),
        resource,
        exclude=editor,
    )


# Topics ------------------------------------------------------------------------------------


@transaction.atomic
def merge_topics(kept, other, editor):
    """
    Merge `other` into `kept`: its items, its name and aliases (as aliases), its
    description, its flags; its address redirects to `kept`'s; both steps are in the history.
    """
    require_editor(editor)
    already = TaggedTopic.objects.filter(tag=kept).values_list("content_object_id", flat=True)
    TaggedTopic.objects.filter(tag=other).exclude(content_object_id__in=already).update(tag=kept)
    TaggedTopic.objects.filter(tag=other).delete()
    aliases, seen = [], {kept.name.lower()}
    for alias in [*kept.alias_list, other.name, *other.alias_list]:
        if alias.lower() not in seen:
            seen.add(alias.lower())
            aliases.append(alias)
    limit = Topic._meta.get_field("aliases").max_length
    while len(", ".join(aliases)) > limit:
        aliases.pop()  # the earliest (the kept topic's own) matter most
    kept.aliases = ", ".join(aliases)
    if other.description and other.description not in kept.description:
        kept.description = "\n\n".join(filter(None, [kept.description, other.description]))
    kept.sensitive = kept.sensitive or other.sensitive
    kept.featured = kept.featured or other.featured
    TopicRedirect.objects.filter(topic=other).update(topic=kept)
    TopicRedirect.objects.create(old_slug=other.slug, topic=kept)
    kept._change_reason, kept._history_user = f"Merged “{other.name}” into it", editor
    kept.save()
    other._change_reason, other._history_user = f"Merged into “{kept.name}”", editor
    other.delete()


def to_json(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if hasattr(value, "name") and hasattr(value, "storage"):  # a stored file
        return value.name
    return value


# Telling people ---------------------------------------------------------------------------


def editors(exclude=None):
    users = (
        get_user_model()
        .objects.with_perm(PUBLISH_PERMISSION, backend="django.contrib.auth.backends.ModelBackend")
        .filter(is_active=True)
    )
    return users.exclude(pk=exclude.pk) if exclude else users


def name_of(user):
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


def notify(users, subject, body, resource, exclude=None):
    """Email `users` (those with an address) once the step is committed; a mail server that
    fails is logged, never a failed step."""
    recipients = sorted({user.email for user in users if user and user.email and user != exclude})
    if not recipients:
        return
    path = reverse(f"admin:resources_{resource.kind}_change", args=[resource.pk])
    message = f"{body}\n\n{settings.SITE_URL}{path}\n"

    def send():
        try:
            send_mail(f"[{settings.SITE_NAME}] {subject}", message, None, recipients)
        except Exception:
            logger.exception("Could not send the review email %r", subject)

    transaction.on_commit(send)
