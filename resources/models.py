"""
The library's catalog.

Books, videos, articles and quotes share one table (`Resource`) with a `kind` column and the
kind-specific columns left blank where they do not apply. Every list and every search is then
one query with no join per kind; the four kinds are proxy models with their own managers,
admin pages and validation. Named check constraints keep the per-kind rules in the database.
"""

import re
import uuid
from pathlib import PurePath
from urllib.parse import parse_qs, urlsplit

from concurrency.fields import AutoIncVersionField
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import connection, models, transaction
from django.db.models import Count, F, Prefetch, Q, Window, signals
from django.db.models.functions import RowNumber
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, slugify
from imagekit.models import ImageSpecField
from imagekit.processors import ResizeToFit
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record
from taggit.managers import TaggableManager
from taggit.models import TagBase, TaggedItemBase

from .validators import normalize_isbn, validate_image_file

http_url_validator = URLValidator(schemes=["http", "https"])


# "The library changed": sent once by every write that may change what visitors see (see
# `announce_change`). The domain knows nothing of its listeners; the page cache is one.
library_changed = Signal()


def announce_change(using="default"):
    """
    Tell listeners the library changed: now, and again when the current transaction commits.
    Now, so that this process stops serving what it showed before; at the commit, so that a
    page another process built meanwhile, from what was committed before, is dropped too.
    """
    library_changed.send(sender=None)
    conn = transaction.get_connection(using)
    if conn.in_atomic_block and not any(
        func is send_library_changed for _, func, _ in conn.run_on_commit
    ):
        transaction.on_commit(send_library_changed, using=using)


def send_library_changed():
    library_changed.send(sender=None)


# A save is refused when the row was saved since it was read (django-concurrency: the UPDATE
# is conditional on the version), so two curators editing one item cannot both win.
VERSION_HELP = "Counts the saves of this row: an edit based on an older count is refused."


class LibraryQuerySet(models.QuerySet):
    """
    A queryset whose bulk writes, which send no model signals, announce the change, and move
    the version of what they change on (so that a form opened before is out of date).
    """

    def versioned(self):
        return any(isinstance(field, AutoIncVersionField) for field in self.model._meta.fields)

    def update(self, **kwargs):
        if self.versioned() and "version" not in kwargs:
            kwargs["version"] = F("version") + 1
        rows = super().update(**kwargs)
        if rows:
            announce_change(self.db)
        return rows

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            announce_change(self.db)
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        if self.versioned() and "version" not in fields:
            for obj in objs:
                obj.version += 1
            fields = [*fields, "version"]
        rows = super().bulk_update(objs, fields, *args, **kwargs)
        if rows:
            announce_change(self.db)
        return rows


def choices_constraint(field, choices, name):
    """A named check constraint that keeps `field` within `choices` in the database too."""
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class TopicQuerySet(LibraryQuerySet):
    def with_published_counts(self):
        """Topics with `resource_count`, their published resources; empty ones left out."""
        public = Q(tagged_resources__content_object__in=Resource.objects.published())
        return (
            self.annotate(resource_count=Count("tagged_resources", filter=public))
            .filter(resource_count__gt=0)
            .order_by("name")
        )


class Topic(TagBase):
    """A subject people browse and search by ("the first session", "grief")."""

    description = models.TextField(
        blank=True,
        help_text="One or two plain sentences shown at the top of the topic's page.",
    )
    aliases = models.CharField(
        max_length=500,
        blank=True,
        help_text=(
            "Other words people use for this topic, separated by commas, e.g. "
            "“counselling, counseling, talk therapy”. Searching for any of them finds this topic."
        ),
    )
    featured = models.BooleanField(default=False, help_text="Show this topic on the home page.")
    sensitive = models.BooleanField(
        default=False,
        help_text=(
            "Material that can hurt to meet unprepared (trauma, suicide, self-harm, abuse...): "
            "an item on this topic is published only with a content note."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = AutoIncVersionField(help_text=VERSION_HELP)
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def get_absolute_url(self):
        return reverse("resources:topic_detail", args=[self.slug])

    @property
    def alias_list(self):
        return [alias.strip() for alias in self.aliases.split(",") if alias.strip()]


class TopicRedirect(models.Model):
    """The address of a topic merged into another (workflow.merge_topics), which now leads
    to the one kept."""

    old_slug = models.SlugField(max_length=100, unique=True)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="redirects")

    objects = LibraryQuerySet.as_manager()

    class Meta:
        ordering = ["old_slug"]

    def __str__(self):
        return f"/topics/{self.old_slug}/ → {self.topic.get_absolute_url()}"

    def get_absolute_url(self):
        return self.topic.get_absolute_url()


class TaggedTopic(TaggedItemBase):
    """Links a resource to a topic (a direct foreign key, not a generic relation: cheaper joins)."""

    tag = models.ForeignKey(
        Topic, on_delete=models.CASCADE, related_name="tagged_resources", verbose_name="topic"
    )
    content_object = models.ForeignKey("Resource", on_delete=models.CASCADE)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_resource_topic")
        ]
        indexes = [
            # A detail page's related resources: the resources last added to each of its
            # topics, read backwards from the end of each topic's entries
            # (ResourceQuerySet.related_to).
            models.Index(fields=["tag", "-content_object"], name="link_topic_resource_idx"),
        ]


class Creator(models.Model):
    """A person behind a resource: an author, a speaker, a host..."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, help_text="The end of the person's URL.")
    bio = models.TextField(blank=True, help_text="A short, factual introduction. Optional.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = AutoIncVersionField(help_text=VERSION_HELP)
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    objects = LibraryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("resources:creator_detail", args=[self.slug])


class ResourceQuerySet(LibraryQuerySet):
    def published(self):
        """What the public may see: published, and its publish time has come."""
        return self.filter(status=Resource.Status.PUBLISHED, published_at__lte=timezone.now())

    def with_credits(self):
        """With each resource's credits and their creators: one query for the whole list."""
        credits = Credit.objects.select_related("creator")
        return self.prefetch_related(Prefetch("credit_set", queryset=credits))

    def cards(self, ids):
        """The resources `ids` as their cards show them (includes/resource_card.html), in
        that order: the card's columns, and their creators' names."""
        return load_creator_names(self.only(*CARD_FIELDS).in_order(ids))

    def count_by_kind(self):
        """{kind: number of resources}, for the kinds that have any."""
        return dict(self.order_by().values_list("kind").annotate(n=Count("id")))

    def first_of_each_kind(self, n):
        """The ids of the first `n` resources of each kind, by title: one query."""
        rank = Window(RowNumber(), partition_by=F("kind"), order_by=[F("title"), F("id")])
        ranked = self.annotate(rank=rank).filter(rank__lte=n).order_by("title", "id")
        return list(ranked.values_list("id", flat=True))

    def in_order(self, ids):
        """The resources `ids`, in that order (those not found are left out)."""
        ids = list(ids)
        by_id = {resource.pk: resource for resource in self.filter(pk__in=ids)}
        return [by_id[pk] for pk in ids if pk in by_id]

    def anchors(self, ordering, every, count):
        """The sort keys, in `ordering`, of rows every, 2 × every... (counting from 0): where a
        deep page's walk can start (`from_anchor`). One pass, with a window function."""
        position = Window(RowNumber(), order_by=ordering)
        keys = [field.lstrip("-") for field in ordering]
        return list(
            self.annotate(position=position)
            .filter(position__in=range(every + 1, count + 1, every))
            .order_by("position")
            .values_list(*keys)
        )

    def from_anchor(self, ordering, key):
        """The rows at or after the one whose sort key is `key`, in `ordering` (two fields,
        the last unique)."""
        (first, last), (first_value, last_value) = ordering, key
        first_after = f"{first.lstrip('-')}__{'lt' if first.startswith('-') else 'gt'}"
        last_after = f"{last.lstrip('-')}__{'lt' if last.startswith('-') else 'gt'}"
        # With a redundant `first <= value`, so that the index scan starts there.
        return self.filter(
            Q(**{f"{first_after}e": first_value})
            & (Q(**{first_after: first_value}) | Q(**{f"{last_after}e": last_value}))
        )

    def scheduled(self):
        """Published, with a publish time still to come."""
        return self.filter(status=Resource.Status.PUBLISHED, published_at__gt=timezone.now())

    def next_publish_time(self, after):
        """The first publish time after `after` of a published resource, or None: when what
        the public sees changes next by itself (an index walk: resource_all_idx)."""
        return (
            self.filter(status=Resource.Status.PUBLISHED, published_at__gt=after)
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )

    # What needs a curator's or an editor's attention (the admin's "Needs attention").

    def awaiting_review(self):
        return self.filter(status=Resource.Status.REVIEW)

    def sent_back_to(self, user):
        return self.filter(
            status=Resource.Status.DRAFT, sent_back_at__isnull=False, submitted_by=user
        )

    def with_pending_change(self):
        return self.filter(pending_change__isnull=False)

    def scheduled_within(self, days):
        soon = timezone.now() + timezone.timedelta(days=days)
        return self.scheduled().filter(published_at__lte=soon)

    def breaking_publishing_rules(self):
        """Published without the curator's note, or on a sensitive topic without a content
        note (see `publishing_problems`): an import may publish these."""
        sensitive = TaggedTopic.objects.filter(
            content_object=models.OuterRef("pk"), tag__sensitive=True
        )
        return self.filter(status=Resource.Status.PUBLISHED).filter(
            Q(summary="") | (Q(content_note="") & models.Exists(sensitive))
        )

    def due_for_review(self):
        """Published, and last reviewed (or, never reviewed, published) longer ago than
        settings.REVIEW_EVERY_MONTHS."""
        since = months_ago(settings.REVIEW_EVERY_MONTHS)
        return self.filter(status=Resource.Status.PUBLISHED).filter(
            Q(reviewed_on__lt=since) | Q(reviewed_on__isnull=True, published_at__date__lt=since)
        )

    def likely_duplicates(self, resource, creator_ids):
        """
        Others that look like `resource`: the same ISBN, the same link, or the same kind with
        the same title (ignoring case, punctuation and a leading article) and a creator in
        common (`creator_ids`, the creators it will have).
        """
        looks_alike = Q(kind=resource.kind, title_key=title_key(resource.title))
        looks_alike &= Q(credit__creator__in=creator_ids)
        if resource.isbn:
            looks_alike |= Q(isbn=resource.isbn)
        if resource.url:
            looks_alike |= Q(url=resource.url)
        return self.exclude(pk=resource.pk).filter(looks_alike).distinct()

    def with_broken_link(self):
        return self.filter(link_check__broken=True)

    def untouched_drafts(self, days):
        since = timezone.now() - timezone.timedelta(days=days)
        return self.filter(status=Resource.Status.DRAFT, updated_at__lt=since)

    def related_to(self, resource, topic_ids=None, limit=4):
        """
        The ids of up to `limit` published resources sharing the most topics with `resource`
        (`topic_ids`, when known already), newest first among equals.

        Counting shared topics over every resource on a popular topic reads thousands of rows,
        so the candidates are bounded: the last RELATED_CANDIDATES_PER_TOPIC resources added to
        each topic (an index walk each, link_topic_resource_idx; drafts among them are dropped,
        not replaced). One statement in SQL that PostgreSQL and SQLite both run: a UNION of one
        bounded part per topic, which the ORM can only build from a compiled queryset per
        topic. Publication is checked once, outside the parts, which halves its time.
        """
        if topic_ids is None:
            links = TaggedTopic.objects.filter(content_object=resource)
            topic_ids = list(links.values_list("tag_id", flat=True))
        if not topic_ids:
            return []
        link, item = TaggedTopic._meta.db_table, Resource._meta.db_table
        part = (
            f"SELECT * FROM (SELECT content_object_id FROM {link} "
            "WHERE tag_id = %s AND content_object_id <> %s "
            "ORDER BY content_object_id DESC LIMIT %s) AS part"
        )
        candidates = " UNION ".join(part for _ in topic_ids)
        topics = ", ".join("%s" for _ in topic_ids)
        sql = (
            f"SELECT {item}.id FROM {item} JOIN {link} ON {link}.content_object_id = {item}.id "
            f"WHERE {item}.id IN ({candidates}) AND {link}.tag_id IN ({topics}) "
            f"AND {item}.status = %s AND {item}.published_at <= %s "
            f"GROUP BY {item}.id, {item}.published_at "
            f"ORDER BY COUNT(*) DESC, {item}.published_at DESC, {item}.id DESC LIMIT %s"
        )
        params = []
        for topic_id in topic_ids:
            params += [topic_id, resource.pk, RELATED_CANDIDATES_PER_TOPIC]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        params += [*topic_ids, Resource.Status.PUBLISHED, now, limit]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [pk for (pk,) in cursor.fetchall()]


RELATED_CANDIDATES_PER_TOPIC = 50

# The columns a resource card shows (includes/resource_card.html).
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


class KindManager(models.Manager.from_queryset(ResourceQuerySet)):
    """The manager of a proxy model: only resources of its kind."""

    def __init__(self, kind):
        super().__init__()
        self.kind = kind

    def deconstruct(self):
        # Proxy managers are not used in migrations; deconstruct like a plain manager.
        return False, "resources.models.KindManager", None, (self.kind,), {}

    def get_queryset(self):
        return super().get_queryset().filter(kind=self.kind)


def image_upload_to(instance, filename):
    """Store uploads under generated names: a visitor never sees a curator's file name."""
    suffix = PurePath(filename).suffix.lower()
    return f"images/{uuid.uuid4().hex}{suffix}"


class Kind(models.TextChoices):
    BOOK = "book", "Book"
    VIDEO = "video", "Video"
    ARTICLE = "article", "Article"
    QUOTE = "quote", "Quote"

    @property
    def plural(self):
        """ "books": how pages name several of a kind."""
        return f"{self.value}s"

    @property
    def list_url(self):
        return reverse(f"resources:{self.value}_list")


class Perspective(models.TextChoices):
    CLIENT = "client", "A client’s view"
    THERAPIST = "therapist", "A therapist’s view"
    BOTH = "both", "Both sides of the couch"
    GENERAL = "general", "General"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"


class ResourceHistoryBase(models.Model):
    """What a resource's history keeps beside its fields: its topics and credits as they were
    (they live in other tables, which the history does not follow by itself)."""

    topics_text = models.TextField("topics", blank=True)
    credits_text = models.TextField("creators", blank=True)

    class Meta:
        abstract = True


# The audit trail of every kind (django-simple-history): who changed what and when, and each
# earlier version, restorable in the admin. The proxy kinds save through it too (see below).
# The review's bookkeeping is left out: each step's name is the history's change reason.
RESOURCE_HISTORY = HistoricalRecords(
    excluded_fields=[
        "search_document",
        "updated_at",
        "submitted_by",
        "submitted_at",
        "sent_back_at",
        "review_note",
        "version",
        "title_key",
    ],
    bases=[ResourceHistoryBase],
)


class Resource(models.Model):
    Kind = Kind
    Perspective = Perspective
    Status = Status

    # What every kind shares.
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=300)
    # The title as duplicates are found by (see title_key): derived, never typed.
    title_key = models.CharField(max_length=300, blank=True, editable=False)
    slug = models.SlugField(
        max_length=200, help_text="The end of the resource's URL. Keep it once published."
    )
    summary = models.TextField(
        "why it may help",
        blank=True,
        help_text=(
            "Your note in plain words: why this helps someone who is considering therapy. "
            "Shown on the resource's page, under “Why it may help”, and in lists."
        ),
    )
    perspective = models.CharField(
        max_length=10,
        choices=Perspective.choices,
        default=Perspective.GENERAL,
        help_text="Whose experience this mostly tells.",
    )
    topics = TaggableManager(
        "topics",
        through=TaggedTopic,
        blank=True,
        help_text="Topics a visitor would browse to find this, separated by commas.",
    )
    creators = models.ManyToManyField(Creator, through="Credit", related_name="resources")
    year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(2100)],
        help_text="Year of first publication. Leave empty if you are not sure.",
    )
    url = models.URLField(
        "link",
        max_length=500,
        blank=True,
        validators=[http_url_validator],
        help_text=(
            "Where to read or watch it (http or https). For a video: its YouTube or Vimeo "
            "address, which the site plays privately after a click."
        ),
    )
    image = models.ImageField(
        upload_to=image_upload_to,
        blank=True,
        validators=[validate_image_file],
        help_text="A cover or still: JPEG, PNG or WebP, up to 5 MB.",
    )
    image_alt = models.CharField(
        "image description",
        max_length=300,
        blank=True,
        help_text="What the image shows, for people who cannot see it. Required with an image.",
    )
    image_thumbnail = ImageSpecField(
        source="image", processors=[ResizeToFit(320, 480)], format="WEBP", options={"quality": 80}
    )
    # Twice the thumbnail's size, for the `srcset` of high-density screens and detail pages.
    image_large = ImageSpecField(
        source="image",
        processors=[ResizeToFit(640, 960, upscale=False)],
        format="WEBP",
        options={"quality": 80},
    )
    content_note = models.CharField(
        max_length=300,
        blank=True,
        help_text=(
            "A gentle warning shown before the content, e.g. “Describes suicide and self-harm.” "
            "Leave empty if none is needed."
        ),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        "publish time",
        null=True,
        blank=True,
        help_text="When it becomes public. Set automatically when first published; "
        "set a future time to schedule it.",
    )
    featured = models.BooleanField(default=False, help_text="Show it on the home page.")
    reviewed_on = models.DateField(
        "last reviewed",
        null=True,
        blank=True,
        help_text=(
            "When a curator last checked that it is still right and still helps. Its page "
            "says “Last reviewed March 2026”; it is due again after REVIEW_EVERY_MONTHS."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = AutoIncVersionField(help_text=VERSION_HELP)

    # Review (resources/workflow.py): who last submitted it for review, and when; the
    # editor's note when it was sent back to them.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_back_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_note = models.TextField(
        "note from the editor",
        blank=True,
        editable=False,
        help_text="Why an editor sent it back, for its author.",
    )

    # Books.
    subtitle = models.CharField(max_length=300, blank=True)
    isbn = models.CharField(
        "ISBN",
        max_length=13,
        blank=True,
        help_text="ISBN-13 (an ISBN-10 is converted). Leave empty rather than guess.",
    )
    publisher = models.CharField(max_length=200, blank=True)
    pages = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )

    # Videos.
    duration_seconds = models.PositiveIntegerField(
        "duration (seconds)", null=True, blank=True, validators=[MaxValueValidator(100_000)]
    )
    series = models.CharField(max_length=200, blank=True)
    transcript = models.TextField(blank=True)

    # Articles.
    publication = models.CharField(
        max_length=200, blank=True, help_text="Where it appeared, e.g. Psychology Today."
    )
    published_on = models.DateField(
        "date of publication", null=True, blank=True, help_text="Leave empty if not known."
    )
    reading_minutes = models.PositiveSmallIntegerField(
        "reading time (minutes)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )

    # Quotes.
    quote_text = models.TextField("quotation", blank=True)
    source_title = models.CharField(
        "source", max_length=300, blank=True, help_text="The work the words come from, by title."
    )
    source = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotations",
        help_text="The library's own resource the words come from, if it has it.",
    )

    # Search (resources/search/). On PostgreSQL a weighted tsvector of the title, topics,
    # creators and text, kept up to date by database triggers (resources/search/document.py)
    # and served by a GIN index (migration 0003; PostgreSQL only, so neither is declared
    # here). Always empty on SQLite, whose simpler search reads the fields themselves.
    search_document = SearchVectorField(null=True, editable=False)

    objects = ResourceQuerySet.as_manager()
    history = RESOURCE_HISTORY

    class Meta:
        ordering = ["-published_at", "-id"]
        permissions = [
            ("publish_resource", "Can publish, schedule, unpublish and feature resources")
        ]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="unique_slug_per_kind"),
            models.UniqueConstraint(
                fields=["isbn"], condition=~Q(isbn=""), name="unique_isbn_when_set"
            ),
            choices_constraint("kind", Kind, "resource_kind_valid"),
            choices_constraint("perspective", Perspective, "resource_perspective_valid"),
            choices_constraint("status", Status, "resource_status_valid"),
            models.CheckConstraint(
                condition=~Q(kind="quote") | ~Q(quote_text=""), name="quote_has_text"
            ),
            models.CheckConstraint(
                condition=Q(isbn="") | Q(kind="book"), name="isbn_only_on_books"
            ),
            models.CheckConstraint(
                condition=Q(image="") | ~Q(image_alt=""), name="image_has_description"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_has_publish_time",
            ),
        ]
        indexes = [
            # The public catalog of one kind, newest first (the id breaks ties): its pages are
            # found by an index-only scan over these columns (views.CountedPaginator).
            models.Index(
                fields=["status", "kind", "-published_at", "-id"], name="resource_catalog_idx"
            ),
            # The same for the catalog of every kind, and the home page's newest additions.
            models.Index(fields=["status", "-published_at", "-id"], name="resource_all_idx"),
            # The catalog sorted by title (?sort=title), of every kind and of one: publish time
            # last, so that a deep page's OFFSET is still an index-only scan.
            models.Index(
                fields=["status", "title", "id", "published_at"], name="resource_title_idx"
            ),
            models.Index(
                fields=["status", "kind", "title", "id", "published_at"],
                name="resource_kind_title_idx",
            ),
            # The home page's quote: the featured, then newest, published quote.
            models.Index(
                fields=["status", "kind", "-featured", "-published_at"],
                name="resource_featured_idx",
            ),
            # Duplicates: the same kind with the same title, as title_key writes it.
            models.Index(fields=["kind", "title_key"], name="resource_title_key_idx"),
            # Search: the newest matches of a common word, found by walking this index and
            # stopping early (search.candidates) instead of sorting every match.
            models.Index(fields=["-published_at"], name="resource_newest_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.fill_derived_fields()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(f"resources:{self.kind}_detail", args=[self.slug])

    def kind_list_url(self):
        return Kind(self.kind).list_url

    @property
    def kind_plural(self):
        return Kind(self.kind).plural

    def fill_derived_fields(self):
        """A quote's title from its words; a slug from the title; a publish time when first
        published."""
        if self.kind == self.Kind.QUOTE and not self.title.strip() and self.quote_text.strip():
            self.title = quote_title(self.quote_text)
        if not self.slug and self.title:
            self.slug = slug_from(self.title)
        self.title_key = title_key(self.title)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()

    def clean_fields(self, exclude=None):
        # Before the fields are checked: a quote's title comes from its words, and a slug
        # made here (a form left it empty) must not be taken by another of the same kind.
        if not self.slug and self.title:
            self.slug = unique_slug(
                self.title,
                lambda slug: (
                    Resource.objects.filter(kind=self.kind, slug=slug).exclude(pk=self.pk).exists()
                ),
            )
        self.fill_derived_fields()
        super().clean_fields(exclude)

    def clean(self):
        errors = {}
        if self.isbn:
            try:
                self.isbn = normalize_isbn(self.isbn)
            except ValidationError as error:
                errors["isbn"] = error
        if self.kind == self.Kind.QUOTE:
            if not self.quote_text.strip():
                errors["quote_text"] = "A quote needs its words."
            if self.source_id and self.source_id == self.pk:
                errors["source"] = "A quote cannot be its own source."
        if self.image and not self.image_alt.strip():
            errors["image_alt"] = "Describe the image for people who cannot see it."
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    def publishing_problems(self, topics=None):
        """{field: message} for what stops it being published: see `publishing_problems`.
        `topics` are those it will have (by default, those it has)."""
        topics = self.topics.all() if topics is None else topics
        sensitive = [topic.name for topic in topics if topic.sensitive]
        return publishing_problems(self.summary, self.content_note, sensitive)

    @property
    def video(self):
        """(provider, video id) for a YouTube or Vimeo link, else None."""
        return parse_video_url(self.url) if self.kind == self.Kind.VIDEO else None

    def credits_in_order(self):
        """Credits in the order the curator lists them (prefetched by `with_credits()`)."""
        return list(self.credit_set.all())

    def creator_names(self):
        names = getattr(self, "_creator_names", None)  # see load_creator_names
        if names is None:
            names = [credit.creator.name for credit in self.credits_in_order()]
        return names


class Role(models.TextChoices):
    AUTHOR = "author", "Author"
    EDITOR = "editor", "Editor"
    TRANSLATOR = "translator", "Translator"
    SPEAKER = "speaker", "Speaker"
    HOST = "host", "Host"
    PRODUCER = "producer", "Producer"


class Credit(models.Model):
    """A creator's part in a resource, in the order the curator lists them."""

    Role = Role

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE)
    creator = models.ForeignKey(Creator, on_delete=models.PROTECT)
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.AUTHOR)
    position = models.PositiveSmallIntegerField(default=0)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "creator", "role"], name="unique_credit_per_role"
            ),
            choices_constraint("role", Role, "credit_role_valid"),
        ]

    def __str__(self):
        return f"{self.creator} ({self.get_role_display().lower()})"


class KindProxy:
    """Makes a proxy model's instances of its kind (Book() is a book before it is saved)."""

    proxy_kind = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = self.proxy_kind


class Book(KindProxy, Resource):
    proxy_kind = Resource.Kind.BOOK
    objects = KindManager(proxy_kind)

    class Meta:
        proxy = True


class Video(KindProxy, Resource):
    proxy_kind = Resource.Kind.VIDEO
    objects = KindManager(proxy_kind)

    class Meta:
        proxy = True


class Article(KindProxy, Resource):
    proxy_kind = Resource.Kind.ARTICLE
    objects = KindManager(proxy_kind)

    class Meta:
        proxy = True


class Quote(KindProxy, Resource):
    proxy_kind = Resource.Kind.QUOTE
    objects = KindManager(proxy_kind)

    class Meta:
        proxy = True


KIND_MODELS = {
    Resource.Kind.BOOK: Book,
    Resource.Kind.VIDEO: Video,
    Resource.Kind.ARTICLE: Article,
    Resource.Kind.QUOTE: Quote,
}

# simple-history listens to Resource's own signals; a Book saved through its admin page sends
# them as Book. Record those in Resource's history as well.
for proxy in KIND_MODELS.values():
    proxy._meta.simple_history_manager_attribute = "history"
    signals.post_save.connect(RESOURCE_HISTORY.post_save, sender=proxy, weak=False)
    signals.pre_delete.connect(RESOURCE_HISTORY.pre_delete, sender=proxy, weak=False)
    signals.post_delete.connect(RESOURCE_HISTORY.post_delete, sender=proxy, weak=False)


class PendingChange(models.Model):
    """
    A curator's edit of a published resource, waiting for an editor (resources/workflow.py):
    visitors see the published version until an editor approves it.
    """

    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, related_name="pending_change"
    )
    # Field name → new value, as JSON (dates in ISO form, an image by its stored name).
    values = models.JSONField(default=dict, blank=True)
    topics = models.JSONField(null=True, blank=True, help_text="Topic ids, if they changed.")
    # [{"creator": id, "role": ..., "position": ...}], if they changed.
    credits = models.JSONField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["proposed_at"]

    def __str__(self):
        return f"Pending change to {self.resource}"


class LinkCheck(models.Model):
    """What a resource's link answered when the link watch last asked (resources/links.py)."""

    resource = models.OneToOneField(Resource, on_delete=models.CASCADE, related_name="link_check")
    url = models.URLField(max_length=500, help_text="The link as it was checked.")
    status = models.CharField(max_length=10, help_text="An HTTP status, or timeout or error.")
    broken = models.BooleanField(default=False)
    final_url = models.URLField(max_length=500, blank=True, help_text="Where redirects led.")
    redirects = models.TextField(blank=True)
    checked_at = models.DateTimeField()

    class Meta:
        ordering = ["-checked_at"]

    def __str__(self):
        return f"{self.url}: {self.status}"


class Collection(models.Model):
    """A curated, ordered path through the library ("Start here: what is therapy like?")."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(blank=True, help_text="What this path is for, in plain words.")
    is_public = models.BooleanField(
        "public", default=False, help_text="Show this collection on the site."
    )
    featured = models.BooleanField(
        default=False, help_text="Show it as the start-here collection on the home page."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = AutoIncVersionField(help_text=VERSION_HELP)
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    objects = LibraryQuerySet.as_manager()

    class Meta:
        ordering = ["-featured", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("resources:collection_detail", args=[self.slug])


class CollectionStepQuerySet(LibraryQuerySet):
    def public(self):
        """Steps whose resource is published, with what a resource card shows of it (and its
        creators' names, see load_creator_names)."""
        card_fields = [f"resource__{name}" for name in CARD_FIELDS]
        steps = list(
            self.filter(resource__in=Resource.objects.published())
            .select_related("resource")
            .only("collection", "note", "position", "resource", *card_fields)
        )
        load_creator_names([step.resource for step in steps])
        return steps


def path_around(collection_slug, resource):
    """
    Where `resource` stands on the public path `collection_slug`: {collection, number,
    total, previous, next} (the steps before and after, or None), or None when it is not on
    it. One query: the path's published steps, with what a link to each needs.
    """
    steps = list(
        CollectionStep.objects.filter(
            collection__slug=collection_slug,
            collection__is_public=True,
            resource__in=Resource.objects.published(),
        )
        .select_related("collection", "resource")
        .only(
            "collection__title",
            "collection__slug",
            "resource__kind",
            "resource__slug",
            "resource__title",
            "resource__quote_text",
        )
        .order_by("position", "id")
    )
    ids = [step.resource_id for step in steps]
    if resource.pk not in ids:
        return None
    index = ids.index(resource.pk)
    return {
        "collection": steps[index].collection,
        "number": index + 1,
        "total": len(steps),
        "previous": steps[index - 1].resource if index > 0 else None,
        "next": steps[index + 1].resource if index + 1 < len(steps) else None,
    }


class CollectionStep(models.Model):
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="steps")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers come first.")
    note = models.TextField(
        blank=True, help_text="Optional: why this step, or what to notice in it."
    )

    objects = CollectionStepQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "resource"], name="unique_resource_per_collection"
            )
        ]

    def __str__(self):
        return f"{self.collection}: {self.resource}"


class Page(models.Model):
    """
    A page of the site's own words that editors keep ("About this library"). Each is shipped
    with its address (resources/urls.py) and a default text (resources/seed/pages.json);
    editors change the words, and what the code must keep true is rendered by its template.
    """

    slug = models.SlugField(
        max_length=100, unique=True, help_text="The end of the page's address, set by the site."
    )
    title = models.CharField(max_length=200, help_text="The page's heading.")
    body = models.TextField(
        help_text=(
            "Plain text: a blank line starts a new paragraph; no formatting or links. "
            "Write it as you would speak to someone who is unsure and perhaps upset."
        )
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = AutoIncVersionField(help_text=VERSION_HELP)
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    objects = LibraryQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = "site page"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return f"/{self.slug}/"


def months_ago(months, today=None):
    """The date `months` calendar months before `today` (the last day of a shorter month)."""
    today = today or timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    for day in (today.day, 30, 29, 28):
        try:
            return today.replace(year=year, month=month, day=day)
        except ValueError:
            continue


def load_creator_names(resources):
    """
    Give each of a list of resources its creators' names (`creator_names()`), in one light
    query. A list shows names only, and building the Credit and Creator objects for them
    (with_credits) costs five times as long (4 to 5 ms for a page of 20 at 100,000).
    """
    names = {}
    credits = Credit.objects.filter(resource__in=[resource.pk for resource in resources])
    for pk, name in credits.order_by("position", "id").values_list("resource_id", "creator__name"):
        names.setdefault(pk, []).append(name)
    for resource in resources:
        resource._creator_names = names.get(resource.pk, [])
    return resources


def publishing_problems(summary, content_note, sensitive_topics):
    """
    The publishing rules that protect visitors, as {field: message}: the curator's note
    ("why it may help") is written, and an item on a sensitive topic carries a content note.
    The admin refuses to publish an item that breaks one; the importer publishes what its file
    says and reports it (see ResourceQuerySet.breaking_publishing_rules).
    """
    problems = {}
    if not summary.strip():
        problems["summary"] = "Write why it may help before it is published."
    if sensitive_topics and not content_note.strip():
        names = ", ".join(sorted(sensitive_topics))
        problems["content_note"] = (
            f"Add a content note before it is published: it is on {names}, a sensitive topic."
        )
    return problems


def quote_title(text, words=10):
    """A quote's title: its first words, on one line."""
    return Truncator(" ".join(text.split())).words(words, truncate="…")[:300]


LEADING_ARTICLE = re.compile(r"^(the|a|an) ")


def title_key(title):
    """A title as duplicates are found by: "The Examined Life!" and "examined life" match."""
    words = " ".join(re.findall(r"\w+", title.casefold()))
    return LEADING_ARTICLE.sub("", words)[:300]


def slug_from(text, max_length=200):
    """The slug a title gives ("item" if it has no letter or digit)."""
    return slugify(text)[:max_length].strip("-") or "item"


def unique_slug(text, taken, max_length=200):
    """slug_from(text), with -2, -3... appended while `taken(slug)` is true."""
    base = slug_from(text, max_length)
    slug, n = base, 2
    while taken(slug):
        suffix = f"-{n}"
        slug = f"{base[: max_length - len(suffix)]}{suffix}"
        n += 1
    return slug


YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
VIMEO_ID = re.compile(r"^\d{1,12}$")


def parse_video_url(url):
    """
    Recognise a YouTube or Vimeo link: ("youtube", id) or ("vimeo", id), else None.

    Accepts youtube.com/watch?v=, youtu.be/, /embed/, /shorts/, youtube-nocookie.com,
    vimeo.com/ID, vimeo.com/channels/NAME/ID and player.vimeo.com/video/ID.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
    segments = [s for s in parts.path.split("/") if s]
    candidate = None
    if host in ("youtube.com", "youtube-nocookie.com"):
        if segments[:1] == ["watch"]:
            candidate = parse_qs(parts.query).get("v", [""])[0]
        elif len(segments) >= 2 and segments[0] in ("embed", "shorts", "live", "v"):
            candidate = segments[1]
        if candidate and YOUTUBE_ID.match(candidate):
            return ("youtube", candidate)
    elif host == "youtu.be":
        if segments and YOUTUBE_ID.match(segments[0]):
            return ("youtube", segments[0])
    elif host in ("vimeo.com", "player.vimeo.com"):
        numeric = [s for s in segments if VIMEO_ID.match(s)]
        if numeric:
            return ("vimeo", numeric[-1])
    return None


def announce_saved_change(sender, using="default", action="post_", **kwargs):
    if action.startswith("post_"):  # m2m_changed is sent before and after each change
        announce_change(using)


# A save or delete of the library's rows, or a change of a resource's topics or credits,
# announces itself (bulk writes do through LibraryQuerySet). A new model that visitors see
# belongs in this list.
LIBRARY_MODELS = [
    Resource,
    *KIND_MODELS.values(),
    Topic,
    TopicRedirect,
    TaggedTopic,
    Creator,
    Credit,
    Collection,
    CollectionStep,
    Page,
]
for model in LIBRARY_MODELS:
    signals.post_save.connect(announce_saved_change, sender=model, weak=False)
    signals.post_delete.connect(announce_saved_change, sender=model, weak=False)
for through in (TaggedTopic, Credit):
    signals.m2m_changed.connect(announce_saved_change, sender=through, weak=False)


def links_text(topic_names, credits):
    """A resource's topics and credits, as its history keeps them."""
    return {
        "topics_text": ", ".join(sorted(topic_names, key=str.lower)),
        "credits_text": ", ".join(str(credit) for credit in credits),
    }


def record_links(sender, instance, history_instance, **kwargs):
    """Each history record of a resource notes its topics and credits at that moment."""
    credits = instance.credit_set.select_related("creator") if instance.pk else []
    topics = instance.topics.names() if instance.pk else []
    for name, value in links_text(topics, credits).items():
        setattr(history_instance, name, value)


pre_create_historical_record.connect(record_links, sender=Resource.history.model, weak=False)


def refresh_history_links(resource):
    """After a resource's topics or credits were saved apart from it (the admin saves its
    rows after the resource), its last history record notes them as they are now."""
    latest = resource.history.first()
    if latest is not None:
        record_links(Resource, resource, latest)
        latest.save(update_fields=["topics_text", "credits_text"])


def record_history(resources, reason, update=False):
    """History records for resources written in bulk (simple-history sees only saves): one
    per resource, with its topics and credits, in three queries."""
    ids = [resource.pk for resource in resources]
    topics, credits = {}, {}
    links = TaggedTopic.objects.filter(content_object_id__in=ids)
    for pk, name in links.values_list("content_object_id", "tag__name"):
        topics.setdefault(pk, []).append(name)
    for credit in Credit.objects.filter(resource_id__in=ids).select_related("creator"):
        credits.setdefault(credit.resource_id, []).append(credit)
    History = Resource.history.model
    now = timezone.now()
    History.objects.bulk_create(
        History(
            history_date=now,
            history_change_reason=reason,
            history_type="~" if update else "+",
            **links_text(topics.get(resource.pk, []), credits.get(resource.pk, [])),
            **{field.attname: getattr(resource, field.attname) for field in History.tracked_fields},
        )
        for resource in resources
    )
