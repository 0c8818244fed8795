"""Review before publishing: curators submit, editors publish, nothing unchecked goes public."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from resources.admin.forms import TOPICS_PREFIX
from resources.models import PendingChange, Resource
from tests.helpers import make_resource, make_topic

from .test_admin import management_form

pytestmark = pytest.mark.django_db


def staff(name, group, email=""):
    user = User.objects.create_user(name, email=email, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return user, client


@pytest.fixture
def curator():
    return staff("curie", "Curators", "curie@example.org")


@pytest.fixture
def editor():
    return staff("ada", "Editors", "ada@example.org")


@pytest.fixture
def mails(django_capture_on_commit_callbacks):
    """Emails are sent once their step is committed: this runs what a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def book_data(client, url, topics=(), **fields):
    """The book change form's data as the browser sends it, with `topics` as topic rows."""
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    data = {
        **management_form(html),
        "title": "The Examined Life",
        "slug": "the-examined-life",
        "summary": "Short stories from a psychoanalyst's consulting room.",
        "perspective": "therapist",
        "status": "draft",
        **dict.fromkeys(("content_note", "url", "year", "image_alt", "subtitle"), ""),
        **dict.fromkeys(("isbn", "publisher", "pages"), ""),
    }
    assert f'name="{TOPICS_PREFIX}-TOTAL_FORMS"' in html
    data[f"{TOPICS_PREFIX}-TOTAL_FORMS"] = str(len(topics))
    for row, topic in enumerate(topics):
        data[f"{TOPICS_PREFIX}-{row}-tag"] = topic.pk
    data.update(fields)
    return data


def add_url():
    return reverse("admin:resources_book_add")


def change_url(resource):
    return reverse("admin:resources_book_change", args=[resource.pk])


def is_public(resource):
    return Client().get(resource.get_absolute_url()).status_code == 200


# Nothing a curator sends becomes public ------------------------------------------------------


def test_a_curator_adds_a_book_and_can_only_save_it_or_submit_it(curator):
    user, client = curator
    page = client.get(add_url()).content.decode()
    assert 'value="published"' not in page and "Submit for review" in page
    response = client.post(add_url(), book_data(client, add_url(), status="published"))
    assert response.status_code == 200 and "status" in response.context["adminform"].form.errors
    assert not Resource.objects.exists()

    response = client.post(add_url(), book_data(client, add_url(), _submit_for_review="1"))
    assert response.status_code == 302
    book = Resource.objects.get()
    assert book.status == "review" and book.submitted_by == user and not is_public(book)


@pytest.mark.parametrize("button", [{"status": "published"}, {"_approve": "1"}])
def test_a_crafted_post_to_the_change_form_leaves_a_curators_draft_unpublished(curator, button):
    user, client = curator
    book = make_resource(title="A draft", status="review", published_at=None)
    data = book_data(client, change_url(book), title="A draft", slug=book.slug, **button)
    client.post(change_url(book), data)
    book.refresh_from_db()
    assert book.status != "published" and not is_public(book)


@pytest.mark.parametrize("action", ["publish", "unpublish", "feature", "unfeature"])
@pytest.mark.parametrize("changelist", ["book", "resource"])
def test_a_crafted_post_of_any_action_by_a_curator_changes_nothing(curator, action, changelist):
    user, client = curator
    draft = make_resource(title="A draft", status="review", published_at=None)
    public = make_resource(title="Public", featured=True)
    url = reverse(f"admin:resources_{changelist}_changelist")
    client.post(url, {"action": action, "_selected_action": [draft.pk, public.pk]})
    draft.refresh_from_db()
    public.refresh_from_db()
    assert (draft.status, public.status, public.featured) == ("review", "published", True)


def test_a_curator_cannot_restore_an_earlier_version_of_a_published_book(curator):
    user, client = curator
    book = make_resource(title="Draft title", status="draft", published_at=None)
    draft_version = book.history.first()
    book.title, book.status = "Published title", "published"
    book.save()
    url = reverse("admin:resources_book_simple_history", args=[book.pk, draft_version.pk])
    data = book_data(client, change_url(book), title="Draft title", slug=book.slug)
    assert client.post(url, data).status_code == 403
    book.refresh_from_db()
    assert (book.title, book.status) == ("Published title", "published")


def test_a_curator_cannot_reach_the_editors_pages(curator):
    user, client = curator
    book = make_resource(title="In review", status="review", published_at=None)
    PendingChange.objects.create(resource=book, values={"title": "Changed"}, proposed_by=user)
    for name in ("send_back", "approve", "discard"):
        url = reverse(f"admin:resources_book_{name}", args=[book.pk])
        assert client.post(url, {"note": "x"}).status_code == 403
    book.refresh_from_db()
    assert book.status == "review" and book.title == "In review"
    assert PendingChange.objects.filter(resource=book).exists()


# The round: submit, approve, pending changes, history ---------------------------------------


def test_an_editor_approves_a_submission_and_it_is_public_at_once(curator, editor, mails):
    curie, curator_client = curator
    ada, editor_client = editor
    with mails():
        curator_client.post(add_url(), book_data(curator_client, add_url(), _submit_for_review="1"))
    book = Resource.objects.get()
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]  # editors hear of it
    assert "Waiting for your review" in mail.outbox[0].subject

    page = editor_client.get(change_url(book)).content.decode()
    assert "Approve and publish" in page and "Send back to its author" in page
    data = book_data(editor_client, change_url(book), status="review", _approve="1")
    with mails():
        assert editor_client.post(change_url(book), data).status_code == 302
    book.refresh_from_db()
    assert book.status == "published" and is_public(book)
    assert mail.outbox[-1].to == ["curie@example.org"]  # and its author of the outcome
    reasons = list(book.history.order_by("history_date").values_list("history_change_reason"))
    assert reasons == [("Submitted for review",), ("Approved and published",)]
    users = list(book.history.order_by("history_date").values_list("history_user__username"))
    assert users == [("curie",), ("ada",)]


def test_a_curators_edit_of_a_published_book_waits_for_an_editor(curator, editor):
    curie, curator_client = curator
    ada, editor_client = editor
    grief = make_topic("grief")
    book = make_resource(title="The Examined Life", slug="the-examined-life")
    data = book_data(curator_client, change_url(book), [grief], title="The Examined Life, revised")
    response = curator_client.post(change_url(book), data, follow=True)
    assert "waiting for an editor" in response.content.decode()
    book.refresh_from_db()
    assert book.title == "The Examined Life" and not book.topics.exists()
    assert "revised" not in Client().get(book.get_absolute_url()).content.decode()

    page = editor_client.get(change_url(book)).content.decode()
    assert "A change waits for an editor" in page and "curie" in page
    assert "The Examined Life, revised" in page and "grief" in page
    approve = reverse("admin:resources_book_approve", args=[book.pk])
    assert editor_client.post(approve).status_code == 302
    book.refresh_from_db()
    assert book.title == "The Examined Life, revised" and list(book.topics.all()) == [grief]
    assert "revised" in Client().get(book.get_absolute_url()).content.decode()
    assert not PendingChange.objects.exists()
    assert book.history.first().history_change_reason == "Approved the change proposed by curie"


def test_an_editors_own_edit_of_a_published_book_goes_live_on_save(editor):
    ada, client = editor
    book = make_resource(title="The Examined Life", slug="the-examined-life")
    data = book_data(client, change_url(book), title="Renamed", status="published")
    assert client.post(change_url(book), data).status_code == 302
    book.refresh_from_db()
    assert book.title == "Renamed" and is_public(book)
    assert not PendingChange.objects.exists()


def test_an_editor_sends_a_submission_back_with_a_note_for_its_author(curator, editor, mails):
    curie, curator_client = curator
    ada, editor_client = editor
    curator_client.post(add_url(), book_data(curator_client, add_url(), _submit_for_review="1"))
    book = Resource.objects.get()
    send_back = reverse("admin:resources_book_send_back", args=[book.pk])
    assert editor_client.get(send_back).status_code == 200
    with mails():
        editor_client.post(send_back, {"note": "Please add the publisher."})
    book.refresh_from_db()
    assert book.status == "draft" and book.review_note == "Please add the publisher."
    assert mail.outbox[-1].to == ["curie@example.org"]
    assert "Please add the publisher." in mail.outbox[-1].body
    page = curator_client.get(change_url(book)).content.decode()
    assert "Sent back by an editor" in page and "Please add the publisher." in page
    index = curator_client.get(reverse("admin:index")).content.decode()
    assert "Sent back to you" in index
    history = book.history.first()
    assert history.history_change_reason == "Sent back to its author: Please add the publisher."


# Publishing rules -----------------------------------------------------------------------------


def test_an_item_cannot_be_published_without_the_note_or_on_a_sensitive_topic_without_a_warning(
    editor,
):
    ada, client = editor
    suicide = make_topic("suicide", sensitive=True)
    data = book_data(client, add_url(), [suicide], summary="", status="published")
    response = client.post(add_url(), data)
    errors = response.context["adminform"].form.errors
    assert "summary" in errors and "content_note" in errors
    assert "suicide, a sensitive topic" in errors["content_note"][0]
    assert not Resource.objects.exists()

    data.update(summary="Why it may help.", content_note="Describes a suicide attempt.")
    assert client.post(add_url(), data).status_code == 302
    assert Resource.objects.get().status == "published"


def test_the_publish_action_refuses_an_item_that_breaks_a_rule_and_says_why(editor):
    ada, client = editor
    ready = make_resource(title="Ready", status="review", published_at=None)
    bare = make_resource(title="Bare", status="review", published_at=None, summary="")
    response = client.post(
        reverse("admin:resources_book_changelist"),
        {"action": "publish", "_selected_action": [ready.pk, bare.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "Published 1 item(s)." in text and "“Bare” (Write why it may help" in text
    assert Resource.objects.get(pk=bare.pk).status == "review"


def test_an_import_publishes_what_its_file_says_and_reports_each_broken_rule(tmp_path, capsys):
    make_topic("self-harm", sensitive=True)
    path = tmp_path / "two.jsonl"
    path.write_text(
        '{"kind": "book", "title": "No note"}\n'
        '{"kind": "book", "title": "Hard", "summary": "Why.", "topics": ["self-harm"]}\n',
        encoding="utf-8",
    )
    call_command("import_resources", str(path))
    err = capsys.readouterr().err
    assert f"{path}:1: published, but summary:" in err
    assert f"{path}:2: published, but content_note:" in err
    assert Resource.objects.published().count() == 2
    assert Resource.objects.breaking_publishing_rules().count() == 2


# Scheduled, and the Needs attention panel ------------------------------------------------------


def test_a_scheduled_item_says_so_in_the_sites_time_zone_and_has_a_filter(editor, settings):
    settings.TIME_ZONE = "Europe/London"
    ada, client = editor
    when = timezone.make_aware(timezone.datetime(2027, 1, 15, 9, 0))
    book = make_resource(title="Later", published_at=when)
    make_resource(title="Now")
    changelist = reverse("admin:resources_book_changelist")
    response = client.get(changelist, {"state": "scheduled"})
    assert [b.title for b in response.context["cl"].result_list] == ["Later"]
    assert "Scheduled for 15 January 2027, 09:00" in response.content.decode()
    assert "Scheduled for 15 January 2027, 09:00" in client.get(change_url(book)).content.decode()
    assert not is_public(book)


def test_the_admin_index_shows_what_needs_attention_with_counts_and_links(editor, curator):
    ada, client = editor
    make_resource(title="Waiting", status="review", published_at=None)
    make_resource(title="Soon", published_at=timezone.now() + timedelta(days=2))
    make_resource(title="Bare", summary="")
    old = make_resource(title="Old draft", status="draft", published_at=None)
    Resource.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=40))
    index = client.get(reverse("admin:index")).content.decode()
    assert "Needs attention" in index
    changelist = reverse("admin:resources_resource_changelist")
    for key, label in [
        ("review", "Awaiting your review"),
        ("scheduled", "Scheduled in the next 7 days"),
        ("rules", "Published items that break a publishing rule"),
        ("stale", "Drafts untouched for 30 days"),
    ]:
        assert f'href="{changelist}?attention={key}">{label}</a>' in index
        listed = client.get(changelist, {"attention": key}).context["cl"].result_list
        assert len(listed) == 1, key
    # A curator does not review, so the queue is not theirs.
    assert "Awaiting your review" not in curator[1].get(reverse("admin:index")).content.decode()


def test_what_visitors_see_of_topics_people_and_paths_changes_only_through_an_editor(curator):
    from resources.models import Collection, Creator

    user, client = curator
    make_resource(title="Public", topics=["grief"], creators=["Ann Author"])
    grief, ann = make_topic("grief"), Creator.objects.get(name="Ann Author")
    path = Collection.objects.create(title="Start here", slug="start-here", is_public=True)
    for model, obj in [("topic", grief), ("creator", ann), ("collection", path)]:
        url = reverse(f"admin:resources_{model}_change", args=[obj.pk])
        assert client.post(url, {"name": "Changed", "title": "Changed"}).status_code == 403
    assert (grief.name, ann.name) == ("grief", "Ann Author")

    # A path that is not public yet is the curator's to edit, but not to make public.
    hidden = Collection.objects.create(title="Later", slug="later")
    page = client.get(reverse("admin:resources_collection_change", args=[hidden.pk]))
    data = {**management_form(page.content.decode()), "title": "Later", "slug": "later"}
    data.update(is_public="on", featured="on", summary="")
    url = reverse("admin:resources_collection_change", args=[hidden.pk])
    assert client.post(url, data).status_code == 302
    hidden.refresh_from_db()
    assert not hidden.is_public and not hidden.featured
