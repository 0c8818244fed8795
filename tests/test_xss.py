"""Everything a curator writes is escaped wherever it is shown, public pages and admin alike."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from resources.models import Collection, CollectionStep, Creator, Resource, Topic
from tests.helpers import make_resource

pytestmark = pytest.mark.django_db

PAYLOAD = "<script>alert('xss')</script><img src=x onerror=alert(1)>\"'&"
RAW_MARKERS = ["<script>alert", "<img src=x onerror"]

TEXT_FIELDS = {
    "book": ["subtitle", "publisher"],
    "video": ["series", "transcript"],
    "article": ["publication"],
    "quote": ["quote_text", "source_title"],
}


@pytest.fixture
def library_of_payloads(db):
    topic = Topic.objects.create(
        name=f"grief {PAYLOAD}", slug="grief", description=PAYLOAD, aliases=PAYLOAD
    )
    person = Creator.objects.create(name=f"Ann {PAYLOAD}", slug="ann", bio=PAYLOAD)
    resources = []
    for kind, fields in TEXT_FIELDS.items():
        resource = make_resource(
            kind,
            title=f"A {kind} {PAYLOAD}",
            slug=f"a-{kind}",
            summary=PAYLOAD,
            content_note=PAYLOAD,
            url="https://example.org/?q=%3Cscript%3E",
            **dict.fromkeys(fields, PAYLOAD),
        )
        resource.topics.add(topic)
        resource.credit_set.create(creator=person, role="author")
        resources.append(resource)
    collection = Collection.objects.create(
        title=f"Path {PAYLOAD}", slug="path", summary=PAYLOAD, is_public=True, featured=True
    )
    for position, resource in enumerate(resources):
        CollectionStep.objects.create(
            collection=collection, resource=resource, position=position, note=PAYLOAD
        )
    return resources


def assert_escaped(url, response):
    assert response.status_code == 200, url
    html = response.content.decode()
    for marker in RAW_MARKERS:
        assert marker not in html, f"{url} shows {marker!r} unescaped"


PUBLIC_URLS = [
    "/",
    "/resources/",
    "/books/a-book/",
    "/videos/a-video/",
    "/articles/a-article/",
    "/quotes/a-quote/",
    "/topics/",
    "/topics/grief/",
    "/people/ann/",
    "/collections/",
    "/collections/path/",
    "/search/?q=grief",
    "/search/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "/feeds/latest/",
    "/sitemap.xml",
]


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_curator_text_is_escaped_on_every_public_page(client, library_of_payloads, url):
    assert_escaped(url, client.get(url))


def test_curator_text_is_escaped_in_the_admin(client, library_of_payloads):
    client.force_login(User.objects.create_superuser("admin", password="x" * 20))
    urls = [
        reverse(f"admin:resources_{model}_changelist")
        for model in ("book", "video", "article", "quote", "resource", "topic", "creator")
    ] + [reverse("admin:resources_collection_changelist")]
    for resource in library_of_payloads:
        urls.append(reverse(f"admin:resources_{resource.kind}_change", args=[resource.pk]))
        urls.append(reverse(f"admin:resources_{resource.kind}_history", args=[resource.pk]))
    urls.append(reverse("admin:resources_topic_change", args=[Topic.objects.get().pk]))
    urls.append(reverse("admin:resources_creator_change", args=[Creator.objects.get().pk]))
    urls.append(reverse("admin:resources_collection_change", args=[Collection.objects.get().pk]))
    for url in urls:
        assert_escaped(url, client.get(url))
    assert Resource.objects.count() == 4
