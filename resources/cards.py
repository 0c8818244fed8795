"""
Resource cards: the HTML of one resource in a list (the catalog, the home page, a topic, a
person, a reading path, "you might also find helpful").

A list page that is not in the page cache still shows up to 20 cards, and building them (their
rows, their creators, the card template) was most of such a page's cost. So each card's HTML is
cached in the "fragments" cache, under the library's generation (resources/cache.py): a list
reads its ids in one query and its cards in one cache lookup, and builds only the cards it does
not find, in one query for all of them. Any change to the library moves the generation on, so
a card is never older than the cached pages around it; and one card serves every list that
shows that resource.
"""

from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .cache import generation
from .models import Resource

# The columns a card shows (includes/resource_card.html), and nothing longer.
CARD_FIELDS = (
    "kind",
    "title",
    "slug",
    "subtitle",
    "summary",
    "year",
    "duration_seconds",
    "reading_minutes",
    "quote_text",
    "image",
    "image_alt",
    "content_note",
)
CARD_SECONDS = 24 * 60 * 60  # a generation usually ends long before this


def render_cards(ids, heading="h2"):
    """
    {id: card HTML} for resources `ids`, in that order, each card headed by `heading`. The
    caller chooses which resources to show (published ones); ids not found are left out.
    """
    ids = list(ids)
    if not ids:
        return {}
    cache = caches["fragments"]
    keys = {pk: f"card:{generation()}:{heading}:{pk}" for pk in ids}
    found = cache.get_many(keys.values())
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        built = {
            keys[resource.pk]: render_to_string(
                "includes/resource_card.html", {"resource": resource, "heading": heading}
            )
            for resource in Resource.objects.filter(id__in=missing)
            .only(*CARD_FIELDS)
            .with_credits()
        }
        cache.set_many(built, CARD_SECONDS)
        found.update(built)
    return {pk: mark_safe(found[key]) for pk, key in keys.items() if key in found}
