"""Small builders for tests: real rows, real images."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from resources.models import Creator, Credit, Resource, Topic


def make_resource(kind="book", topics=(), creators=(), **overrides):
    """A published resource of `kind`, with topic names and (name, role) creators."""
    title = overrides.pop("title", f"A {kind} about therapy")
    values = {
        "kind": kind,
        "title": title,
        "slug": overrides.pop("slug", None) or slug_for(kind, title),
        "summary": "Why this helps.",
        "status": Resource.Status.PUBLISHED,
        "published_at": timezone.now() - timezone.timedelta(days=1),
    }
    if kind == "quote":
        values["quote_text"] = "When two people meet, an emotional storm is created."
    values.update(overrides)
    resource = Resource.objects.create(**values)
    if topics:
        resource.topics.add(*[make_topic(name) for name in topics])
    for position, creator in enumerate(creators):
        name, role = creator if isinstance(creator, tuple) else (creator, "author")
        person, _ = Creator.objects.get_or_create(
            slug=name.lower().replace(" ", "-").replace(".", ""), defaults={"name": name}
        )
        Credit.objects.create(resource=resource, creator=person, role=role, position=position)
    return resource


def slug_for(kind, title):
    base = "-".join(title.lower().split())[:180]
    n = Resource.objects.filter(kind=kind, slug__startswith=base).count()
    return f"{base}-{n + 1}" if n else base


def make_topic(name, **fields):
    topic, _ = Topic.objects.get_or_create(
        name=name, defaults={"slug": name.lower().replace(" ", "-"), **fields}
    )
    return topic


def image_bytes(image_format="JPEG", size=(120, 180), color=(90, 120, 140), **save_args):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=image_format, **save_args)
    return buffer.getvalue()


def image_upload(name="cover.jpg", image_format="JPEG", **kwargs):
    content_types = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
    return SimpleUploadedFile(
        name, image_bytes(image_format, **kwargs), content_types.get(image_format, "image/jpeg")
    )
