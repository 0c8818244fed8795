"""
The seed library: the works named in Jennifer Kunst's article "How Does Psychotherapy Really
Work? It's Not What You Think" (Psychology Today, 2015), which this project grew from.

Facts only: a field is left empty where it is not known for certain (no ISBNs, no video link).
"""

import json
from pathlib import Path

from django.db import transaction

from resources.imports import JsonlFile, import_lines
from resources.models import Collection, CollectionStep, Creator, Page, Resource, Topic

SEED_DIR = Path(__file__).resolve().parent


def add_missing_pages(pages=None):
    """Create each of the site's pages that the database lacks, with its shipped text; never
    touch one that exists (an editor's words stay). `pages` is a manager of Page (post_migrate
    passes a migration's). Returns how many were added."""
    pages = pages if pages is not None else Page.objects
    added = 0
    for item in json.loads((SEED_DIR / "pages.json").read_text(encoding="utf-8")):
        body = "\n\n".join(item["paragraphs"])
        _, created = pages.get_or_create(
            slug=item["slug"], defaults={"title": item["title"], "body": body}
        )
        added += created
    return added


@transaction.atomic
def load_seed():
    """Create or update the seed topics, resources and collections, and add the site's pages
    that are missing. Safe to run again."""
    add_missing_pages()
    for item in json.loads((SEED_DIR / "topics.json").read_text(encoding="utf-8")):
        Topic.objects.update_or_create(
            slug=item["slug"],
            defaults={
                "name": item["name"],
                "description": item["description"],
                "aliases": ", ".join(item["aliases"]),
                "featured": item["featured"],
            },
        )
    result = import_lines(
        JsonlFile(SEED_DIR / "library.jsonl"), reason="Loaded with the seed library (load_seed)"
    )
    for item in json.loads((SEED_DIR / "people.json").read_text(encoding="utf-8")):
        Creator.objects.filter(slug=item["slug"], bio="").update(bio=item["bio"])
    for item in json.loads((SEED_DIR / "collections.json").read_text(encoding="utf-8")):
        collection, _ = Collection.objects.update_or_create(
            slug=item["slug"],
            defaults={
                "title": item["title"],
                "summary": item["summary"],
                "featured": item["featured"],
                "is_public": True,
            },
        )
        for position, step in enumerate(item["steps"], start=1):
            CollectionStep.objects.update_or_create(
                collection=collection,
                resource=Resource.objects.get(kind=step["kind"], slug=step["slug"]),
                defaults={"position": position, "note": step["note"]},
            )
    return result
