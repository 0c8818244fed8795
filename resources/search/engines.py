"""The two search engines: PostgreSQL full-text search, and a word match for SQLite."""

import re
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from ..models import Credit, Resource, TaggedTopic, load_creator_names
from .text import (
    START_MARK,
    STOP_MARK,
    STOP_WORDS,
    clean_marks,
    corrected_query,
    fold,
    normalize_title,
    singular,
    topic_vocabulary,
    words_of,
)

CONFIG = "library_english"  # PostgreSQL text search configuration (search/document.py)

# Boosts added to the text rank (which is at most about 1): an exact title beats a title that
# starts with the query, which beats being tagged with the topic the query names, which beats
# merely mentioning the words.
TITLE_EXACT_BOOST = 8
TITLE_PREFIX_BOOST = 4
TOPIC_BOOST = 2

# ts_rank weights for D, C, B, A: body text, summary and quote, creators, title and topics.
RANK_WEIGHTS = [0.05, 0.2, 0.5, 1.0]


def boosted(queryset, query, topic_ids):
    """`boost`: exact title, title prefix and topic boosts, the ranking's cheap part."""
    title = normalize_title(query)
    # The topic boost is a scalar subquery, one index probe per candidate. As EXISTS,
    # PostgreSQL hashed every link of the topic first (78,000 for "therapy": 15 ms).
    topic_boost = Value(0)
    if topic_ids:
        links = TaggedTopic.objects.filter(content_object=OuterRef("pk"), tag__in=topic_ids)
        topic_boost = Coalesce(Subquery(links.values(boost=Value(TOPIC_BOOST))[:1]), Value(0))
    return queryset.annotate(
        boost=Case(
            When(title__iexact=title, then=Value(TITLE_EXACT_BOOST)),
            When(title__istartswith=title, then=Value(TITLE_PREFIX_BOOST)),
            default=Value(0),
            output_field=IntegerField(),
        )
        + topic_boost
    )


# PostgreSQL ------------------------------------------------------------------------------------


class PostgresEngine:
    def tsquery(self, query, any_words=False):
        if any_words:
            # Any of the words, ranked by how many match: a natural question finds something.
            return reduce(
                or_,
                [SearchQuery(w, config=CONFIG, search_type="plain") for w in words_of(query)],
            )
        return SearchQuery(query, config=CONFIG, search_type="websearch")

    def matches(self, queryset, query, any_words=False):
        """Documents matching the query, or titles that are or start with it (a title made of
        stop words, like "It", has nothing left to match in the English configuration)."""
        title = normalize_title(query)
        title_match = Q(title__iexact=title) | Q(title__istartswith=title) if title else Q()
        return queryset.filter(Q(search_document=self.tsquery(query, any_words)) | title_match)

    def ranked(self, queryset, query, topic_ids, any_words=False):
        rank = SearchRank(
            F("search_document"), self.tsquery(query, any_words), weights=RANK_WEIGHTS
        )
        return (
            boosted(queryset, query, topic_ids)
            .annotate(score=F("boost") + rank)
            .order_by("-score", "-published_at", "-pk")
        )

    def page_objects(self, ids, query, any_words=False):
        text = Func(
            Value(" … "),
            NullIf("quote_text", Value("")),
            NullIf("summary", Value("")),
            NullIf("transcript", Value("")),
            function="CONCAT_WS",
            output_field=TextField(),
        )
        headline = SearchHeadline(
            text,
            self.tsquery(query, any_words),
            config=CONFIG,
            start_sel=START_MARK,
            stop_sel=STOP_MARK,
            max_words=35,
            min_words=15,
            max_fragments=2,
            fragment_delimiter=" … ",
        )
        resources = list(
            Resource.objects.filter(pk__in=ids).defer("search_document").annotate(headline=headline)
        )
        for resource in resources:
            resource.snippet = resource.headline
        return load_creator_names(resources)

    def correct_spelling(self, query, topics):
        """Replace each word that matches nothing by the closest word from topic names and
        aliases (compared here: a few hundred words), or from titles and creators' names
        (candidates found by pg_trgm's word similarity, through its indexes)."""
        words = [w for w in dict.fromkeys(words_of(query)) if len(w) >= 3][:8]
        if not words:
            return ""
        sql = """
            SELECT w.word,
                   numnode(plainto_tsquery(%(config)s, w.word)) = 0
                   OR EXISTS (SELECT 1 FROM resources_resource r
                               WHERE r.search_document @@ plainto_tsquery(%(config)s, w.word)),
                   array_remove(array_agg(t.term), NULL)
              FROM unnest(%(words)s::text[]) AS w(word)
              LEFT JOIN LATERAL (
                    (SELECT c.name AS term FROM resources_creator c
                      WHERE UPPER(c.name::text) %%> UPPER(w.word)
                      ORDER BY UPPER(w.word) <<-> UPPER(c.name::text) LIMIT 5)
                    UNION ALL
                    (SELECT r.title FROM resources_resource r
                      WHERE UPPER(r.title::text) %%> UPPER(w.word)
                        AND r.status = 'published' AND r.published_at <= %(now)s
                      ORDER BY UPPER(w.word) <<-> UPPER(r.title::text) LIMIT 5)
              ) AS t ON true
             GROUP BY w.word
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, {"config": CONFIG, "words": words, "now": timezone.now()})
            rows = cursor.fetchall()
        unknown = {word for word, known, _ in rows if not known}
        vocabulary = topic_vocabulary(topics)
        for _, _, terms in rows:
            vocabulary.update(w for term in terms for w in words_of(term))
        return corrected_query(query, unknown, sorted(vocabulary))


# SQLite ----------------------------------------------------------------------------------------


class SimpleEngine:
    """A word match for SQLite: every word (or, failing that, any word) must start a word in
    the title, subtitle, text fields, a topic's name or alias, or a creator's name."""

    TEXT_FIELDS = [
        "title",
        "subtitle",
        "summary",
        "quote_text",
        "transcript",
        "publication",
        "series",
        "source_title",
    ]

    def terms(self, query):
        words = [singular(w) for w in words_of(query)]
        meaningful = [w for w in words if w not in STOP_WORDS]
        return list(dict.fromkeys(meaningful or words))

    def word_condition(self, word):
        pattern = word_pattern(word)
        condition = Q()
        for name in self.TEXT_FIELDS:
            condition |= Q(**{f"{name}__iregex": pattern})
        topics = TaggedTopic.objects.filter(content_object=OuterRef("pk")).filter(
            Q(tag__name__iregex=pattern) | Q(tag__aliases__iregex=pattern)
        )
        people = Credit.objects.filter(resource=OuterRef("pk"), creator__name__iregex=pattern)
        return condition | Q(Exists(topics)) | Q(Exists(people))

    def matches(self, queryset, query, any_words=False):
        conditions = [self.word_condition(word) for word in self.terms(query)]
        title = normalize_title(query)
        title_match = Q(title__iexact=title) | Q(title__istartswith=title) if title else Q()
        if not conditions:
            return queryset.filter(title_match) if title else queryset.none()
        combined = reduce(or_ if any_words else and_, conditions)
        return queryset.filter(combined | title_match)

    def ranked(self, queryset, query, topic_ids, any_words=False):
        in_title = Q(pk__in=[])
        if terms := self.terms(query):
            in_title = reduce(and_, [Q(title__iregex=word_pattern(w)) for w in terms])
        return (
            boosted(queryset, query, topic_ids)
            .annotate(
                score=F("boost")
                + Case(When(in_title, then=Value(1)), default=Value(0), output_field=IntegerField())
            )
            .order_by("-score", "-published_at", "-pk")
        )

    def page_objects(self, ids, query, any_words=False):
        resources = list(Resource.objects.filter(pk__in=ids).defer("search_document"))
        terms = self.terms(query)
        for resource in resources:
            resource.snippet = simple_snippet(resource, terms)
        return load_creator_names(resources)

    def correct_spelling(self, query, topics):
        vocabulary = topic_vocabulary(topics)
        people = Resource.objects.published().values_list("credit__creator__name", flat=True)
        titles = Resource.objects.published().order_by("-published_at").values_list("title")
        for text in [*people.distinct()[:5000], *(t for (t,) in titles[:5000])]:
            vocabulary.update(words_of(text or ""))
        unknown = {word for word in words_of(query) if word not in vocabulary}
        return corrected_query(query, unknown, sorted(vocabulary))


def word_pattern(word):
    """A regex for a word at the start of a word, in the singular or plural: "story" matches
    "story", "stories" and "storyteller"; "session" matches "sessions"."""
    if len(word) > 3 and word.endswith("y"):
        return r"\b" + re.escape(word[:-1]) + "(y|ies)"
    return r"\b" + re.escape(word)


def marked(token):
    """A matched word marked without the punctuation around it, as PostgreSQL's ts_headline
    does: "“therapy,”" → "“" + the marked "therapy" + ",”"."""
    lead, word, trail = re.fullmatch(r"(\W*)(.*?)(\W*)", token).groups()
    return f"{lead}{START_MARK}{word}{STOP_MARK}{trail}" if word else token


def simple_snippet(resource, terms, words=30):
    """About `words` words of the resource's text around the first match, matches marked."""
    texts = [resource.quote_text, resource.summary, resource.transcript]
    patterns = [re.compile(word_pattern(term), re.IGNORECASE) for term in terms]
    text = next(
        (t for t in texts if t and any(p.search(fold(t)) for p in patterns)),
        next((t for t in texts if t), ""),
    )
    tokens = clean_marks(text).split()
    hits = [
        i
        for i, token in enumerate(tokens)
        if any(p.match(re.sub(r"^\W+", "", fold(token))) for p in patterns)
    ]
    start = max(0, hits[0] - words // 3) if hits else 0
    shown = []
    for i in range(start, min(len(tokens), start + words)):
        token = tokens[i]
        shown.append(marked(token) if i in hits else token)
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + words < len(tokens) else ""
    return prefix + " ".join(shown) + suffix
