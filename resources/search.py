"""
Search: `/search/?q=` across every kind, with the `kind` and `topic` filters.

`search_library()` is the whole interface; the view binds the form, calls it and renders. Two
engines answer it with the same results object:

- PostgreSQL (production): a weighted tsvector per resource (`Resource.search_document`,
  kept up to date by the triggers of migrations 0003 and 0004) with a GIN index, English
  stemming with accents folded, the websearch syntax ("quoted phrase", -word, or), `ts_rank`
  plus boosts, and `ts_headline` snippets. Typo tolerance comes from pg_trgm.
- SQLite (the embedded default): a case-insensitive word match over the same fields. No
  stemming beyond plurals, no phrase or exclusion syntax, no ranking inside a tier.

The steps are the same for both, and the number of queries has a fixed ceiling whatever the
number of results: look the query up; if nothing matches, try it with its spelling corrected,
then with any of its words instead of all of them; count per kind and per topic; rank one
page; fetch it.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
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
from django.http import Http404, QueryDict
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .cache import cached
from .models import Credit, Resource, TaggedTopic, Topic

# A query longer than this is cut (at a word boundary when there is one): nobody types more,
# and it bounds the work a single request can ask of the database.
MAX_QUERY_LENGTH = 200
PAGE_SIZE = 20
TOPIC_FACETS = 12
CONFIG = "library_english"  # PostgreSQL text search configuration (migration 0003)

# Bounded work for common words. A word in most of 100,000 resources ("therapy") would
# otherwise be counted, faceted and ranked over every match for one page of 20. Measured at
# 100,000 resources (bench/README.md), each search is 4 to 6 queries and 10 to 45 ms.
#
# Counting: the counts per kind and per topic look at no more than COUNT_LIMIT matches; past
# that the page says "1,000+" and the facet numbers are lower bounds ("+"). The sample is the
# costliest query (a scan that checks each row until it has COUNT_LIMIT matches: 9 ms for
# 2,000 matches of a phrase at 100,000 resources, 20 ms for 5,000), so the limit is low: past
# a thousand results, the exact number tells a person nothing more; they narrow the search.
#
# Ranking: past CANDIDATES matches, only a candidate set is ranked in full: the CANDIDATES
# newest matches (an index walk on published_at that stops early), the newest CANDIDATES of
# the RECENTLY_TAGGED resources last tagged with a topic the query names, and the titles
# that are or start with the query. Trade-offs: results stop after CANDIDATES / PAGE_SIZE
# pages (15; the facets are there to narrow the search; 500 candidates cost 5 ms more per
# search); an older resource that only mentions a common word may be left out of the
# ranking, exact titles never are. The tagged candidates walk a topic's links newest id first
# (link_topic_resource_idx) instead of every resource tagged with it, which made PostgreSQL
# join all of a large topic's links or walk the catalog by date for tagged ones (20 to 40
# ms): the id stands in for the date, so a resource tagged long ago can miss the ranking
# (page 1 is still full of resources tagged with the topic, when it has that many).
COUNT_LIMIT = 1000
TOPIC_SAMPLE = 500  # past COUNT_LIMIT, the topic facet counts this many (lower bounds anyway)
CANDIDATES = 300
RECENTLY_TAGGED = 300

# Boosts added to the text rank (which is at most about 1): an exact title beats a title that
# starts with the query, which beats being tagged with the topic the query names, which beats
# merely mentioning the words.
TITLE_EXACT_BOOST = 8
TITLE_PREFIX_BOOST = 4
TOPIC_BOOST = 2

# ts_rank weights for D, C, B, A: body text, summary and quote, creators, title and topics.
RANK_WEIGHTS = [0.05, 0.2, 0.5, 1.0]

# ts_headline marks: control characters no curator types. The snippet is built by escaping
# everything and turning only these marks into <mark> tags (see `marked_html`).
START_MARK, STOP_MARK = "\x02", "\x03"

# Words the SQLite engine skips unless the query has nothing else (PostgreSQL's English
# configuration has its own list).
STOP_WORDS = frozenset(
    "a an and are as at be by do does for from how i in is it its of on or so that the this to "
    "was what when where which who why with you your my me about can".split()
)


@dataclass
class SearchResults:
    query: str  # what the person asked, normalised
    searched: str = ""  # what was searched: the query, or its spelling corrected
    suggestion: str = ""  # "Did you mean …?" (a corrected spelling), when there is one
    any_words: bool = False  # nothing had every word, so these results have some of them
    total: int = 0  # matches with the filters applied
    unfiltered_total: int = 0  # matches without the kind and topic filters
    page: object = None
    results: list = field(default_factory=list)
    topic_matches: list = field(default_factory=list)  # topics the query names
    kind_counts: dict = field(default_factory=dict)  # kind → count (the topic filters apply)
    topic_counts: list = field(default_factory=list)  # [(topic, count)] (the kind filter applies)
    without_kind: int = 0  # matches if the kind filter were dropped
    capped: bool = False  # more than COUNT_LIMIT matches: the facet counts are lower bounds
    total_capped: bool = False  # and so is the total
    without_topics: int = 0  # matches if the topic filters were dropped
    kind: str = ""
    selected_topics: list = field(default_factory=list)

    # Links for the page: each keeps the other filters and drops the page number.

    def url(self, kind=None, topics=None, query=None):
        topics = self.selected_topics if topics is None else topics
        return search_url(
            self.searched if query is None else query,
            self.kind if kind is None else kind,
            [topic.slug for topic in topics],
        )

    @property
    def kind_links(self):
        links = [
            {
                "label": "All",
                "count": self.without_kind,
                "url": self.url(kind=""),
                "current": not self.kind,
            }
        ]
        for value, label in Resource.Kind.choices:
            count = self.kind_counts.get(value, 0)
            if count or value == self.kind:
                links.append(
                    {
                        "label": f"{label}s",
                        "count": count,
                        "url": self.url(kind=value),
                        "current": value == self.kind,
                    }
                )
        return links

    @property
    def topic_links(self):
        return [
            {"topic": topic, "count": count, "url": self.url(topics=[*self.selected_topics, topic])}
            for topic, count in self.topic_counts
            if topic not in self.selected_topics
        ]

    @property
    def selected_topic_links(self):
        return [
            {
                "topic": topic,
                "url": self.url(topics=[t for t in self.selected_topics if t != topic]),
            }
            for topic in self.selected_topics
        ]

    @property
    def kind_label(self):
        return f"{Resource.Kind(self.kind).label.lower()}" if self.kind else ""

    @property
    def without_kind_url(self):
        return self.url(kind="")

    @property
    def without_topics_url(self):
        return self.url(topics=[])

    @property
    def suggestion_url(self):
        return self.url(query=self.suggestion)

    @property
    def original_url(self):
        return self.url(query=self.query)

    @property
    def page_query(self):
        """The query string for the pagination links (`?{{ page_query }}&page=N`)."""
        return self.url().split("?", 1)[1]


def search_library(query, kind="", topic_slugs=(), page_number=1):
    """
    Search the published library. `query` must already be normalised (SearchForm does it).
    Raises Http404 for a page past the end.
    """
    engine = PostgresEngine() if connection.vendor == "postgresql" else SimpleEngine()
    all_topics = search_topics()
    selected = [topic for topic in all_topics if topic.slug in topic_slugs]
    results = SearchResults(query=query, searched=query, kind=kind, selected_topics=selected)
    if not query:
        return results
    results.topic_matches = topics_named_in(query, all_topics)
    published = Resource.objects.published()

    # Which query to run: as typed; else with its spelling corrected; else any of its words.
    # The choice ignores the filters, so that "no video matches" can say what does.
    topic_limit = TOPIC_FACETS + len(selected)
    matches = engine.matches(published, query)
    sample = facets(matches, kind, topic_limit)
    if not sample.total:
        correction = engine.correct_spelling(query, all_topics)
        if correction and normal(correction) != normal(query):
            results.suggestion = correction
            corrected = engine.matches(published, correction)
            if (corrected_sample := facets(corrected, kind, topic_limit)).total:
                results.searched, matches, sample = correction, corrected, corrected_sample
                results.topic_matches = topics_named_in(correction, all_topics)
    if not sample.total and len(words_of(results.searched)) > 1 and not has_operators(query):
        matches = engine.matches(published, results.searched, any_words=True)
        sample = facets(matches, kind, topic_limit)
        results.any_words = bool(sample.total)
    counts = sample.kinds
    results.unfiltered_total = sample.total
    if not sample.total:
        return results

    # Facets: counts per kind with the topic filters, per topic with the kind filter.
    with_topics = matches
    for topic in selected:
        with_topics = with_topics.filter(Exists(tagged_with([topic.pk])))
    if selected:
        sample = facets(with_topics, kind, topic_limit)
    results.kind_counts = sample.kinds
    results.without_kind = sample.total
    results.without_topics = counts.get(kind, 0) if kind else results.unfiltered_total
    results.capped = results.without_kind >= COUNT_LIMIT
    filtered = with_topics.filter(kind=kind) if kind else with_topics
    results.total = results.kind_counts.get(kind, 0) if kind else results.without_kind
    if kind and results.capped:
        # The kind's count in a sample of the matches is only a lower bound: count it.
        sample = facets(filtered, kind, topic_limit)
        results.total = sample.total
    results.total_capped = results.total >= COUNT_LIMIT
    by_id = {topic.pk: topic for topic in all_topics}
    results.topic_counts = sorted(
        ((by_id[pk], n) for pk, n in sample.topics.items() if pk in by_id),
        key=lambda item: (-item[1], item[0].name),
    )
    if results.total == 0:
        return results

    # One page, ranked.
    topic_ids = [topic.pk for topic in results.topic_matches]
    if results.total > CANDIDATES:
        filtered = Resource.objects.filter(candidates(filtered, results.searched, topic_ids))
    ranked = engine.ranked(filtered, results.searched, topic_ids, results.any_words)
    paginator = Paginator(ranked.values_list("pk", flat=True), PAGE_SIZE)
    paginator.count = min(results.total, CANDIDATES)  # known already: no second count
    if page_number > paginator.num_pages:
        raise Http404("There is no page with that number.")
    results.page = paginator.page(page_number)
    ids = list(results.page.object_list)
    page_objects = engine.page_objects(ids, results.searched, results.any_words)
    by_pk = {resource.pk: resource for resource in page_objects}
    results.results = [by_pk[pk] for pk in ids if pk in by_pk]
    return results


def search_topics():
    """Every topic, for the filters, topic matches and spelling: a small list that changes
    only when a curator edits, so it is cached per generation of the library (cache.py)."""
    return cached(
        "search-topics", lambda: list(Topic.objects.only("id", "name", "slug", "aliases"))
    )


@dataclass
class Sample:
    total: int  # matches in the sample: at most COUNT_LIMIT
    kinds: dict  # kind → matches in the sample
    topics: dict  # topic id → matches (of the kind asked for) tagged with it, the top few


def facets(matches, kind, topic_limit):
    """
    One query for the total, the counts per kind and the topic facet: up to COUNT_LIMIT
    matches, in no order, are sampled into a CTE, grouped by kind, and (of those of `kind`,
    the first TOPIC_SAMPLE when the sample is full) joined to their topic links. Grouping in
    the database spares sending COUNT_LIMIT rows to Python and ids back (a third of the time
    of a common word); the CTE keeps the LIMIT inside, so PostgreSQL stops the scan early.
    """
    try:
        sample_sql, params = (
            matches.order_by().values_list("pk", "kind")[:COUNT_LIMIT].query.sql_with_params()
        )
    except EmptyResultSet:  # queryset.none(): a query with no word to look for
        return Sample(total=0, kinds={}, topics={})
    links = TaggedTopic._meta.db_table
    sql = f"""
        WITH sample (id, kind) AS ({sample_sql}),
             chosen AS (SELECT id, ROW_NUMBER() OVER () AS n FROM sample
                         WHERE %s = '' OR kind = %s)
        SELECT kind, NULL, COUNT(*) FROM sample GROUP BY kind
        UNION ALL
        SELECT NULL, tag_id, n FROM (
            SELECT link.tag_id, COUNT(*) AS n
              FROM chosen JOIN {links} link ON link.content_object_id = chosen.id
             WHERE chosen.n <= (SELECT CASE WHEN COUNT(*) >= %s THEN %s ELSE %s END FROM sample)
             GROUP BY link.tag_id ORDER BY n DESC LIMIT %s
        ) AS top
    """
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [*params, kind, kind, COUNT_LIMIT, TOPIC_SAMPLE, COUNT_LIMIT, topic_limit]
        )
        rows = cursor.fetchall()
    kinds = {row_kind: n for row_kind, _, n in rows if row_kind is not None}
    topics = {tag: n for row_kind, tag, n in rows if row_kind is None}
    return Sample(total=sum(kinds.values()), kinds=kinds, topics=topics)


def candidates(matches, query, topic_ids):
    """The condition for the candidate set that is ranked (see CANDIDATES)."""
    newest = matches.order_by("-published_at")
    parts = [newest.values("pk")[:CANDIDATES]]
    if topic_ids:
        # See RECENTLY_TAGGED: one bounded index walk per named topic.
        recent = [
            TaggedTopic.objects.filter(tag=pk)
            .order_by("-content_object_id")
            .values("content_object_id")[:RECENTLY_TAGGED]
            for pk in topic_ids[:3]
        ]
        if connection.features.supports_slicing_ordering_in_compound:
            tagged = newest.filter(pk__in=recent[0].union(*recent[1:]))
        else:
            tagged = newest.filter(reduce(or_, [Q(pk__in=ids) for ids in recent]))
        parts.append(tagged.values("pk")[:CANDIDATES])
    if title := normalize_title(query):
        parts.append(matches.filter(title__istartswith=title).order_by().values("pk")[:CANDIDATES])
    if connection.features.supports_slicing_ordering_in_compound:
        return Q(pk__in=parts[0].union(*parts[1:]))
    return reduce(or_, [Q(pk__in=part) for part in parts])  # SQLite: no LIMIT in a UNION


# Normalising text ----------------------------------------------------------------------------


def normalize_query(text):
    """What SearchForm keeps of `q`: no control characters, single spaces, at most
    MAX_QUERY_LENGTH characters (cut at a word boundary when there is one)."""
    text = "".join(
        " " if unicodedata.category(char)[0] in "CZ" else char for char in str(text or "")
    )
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_LENGTH:
        cut = text[: MAX_QUERY_LENGTH + 1]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut[:MAX_QUERY_LENGTH]
    return text.strip()


def fold(text):
    """Lower case without accents: "Jürgen" → "jurgen"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words_of(text):
    """The words of `text`, folded: letters and digits only."""
    return re.findall(r"\w+", fold(text).replace("_", " "))


def normal(text):
    return " ".join(words_of(text))


def singular(word):
    """A rough singular for English plurals: "stories" → "story", "sessions" → "session"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def has_operators(text):
    """Websearch syntax: a quoted phrase, an -exclusion or an `or`."""
    return '"' in text or re.search(r"(^|\s)-\w", text) or " or " in f" {text.lower()} "


def topics_named_in(query, topics):
    """Topics whose name or an alias the query contains as whole words ("the first session",
    "counselling"), the exact ones first, each once."""
    wanted = " " + " ".join(singular(w) for w in words_of(query)) + " "
    exact, contained = [], []
    for topic in topics:
        for phrase in [topic.name, *topic.alias_list]:
            words = [singular(w) for w in words_of(phrase)]
            if not words or f" {' '.join(words)} " not in wanted:
                continue
            if f" {' '.join(words)} " == wanted:
                exact.append(topic)
            elif len(words) > 1 or words[0] not in STOP_WORDS:
                contained.append(topic)
            break
    return exact + [topic for topic in contained if topic not in exact]


def tagged_with(topic_ids):
    """For Exists(): the outer resource is tagged with one of `topic_ids`."""
    return TaggedTopic.objects.filter(content_object=OuterRef("pk"), tag__in=topic_ids)


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


def normalize_title(query):
    """The query as a title would be written: without surrounding quotes or a final "?"."""
    return query.strip().strip("\"'“”‘’").rstrip("?!. ").strip()


# Snippets -------------------------------------------------------------------------------------


def marked_html(text):
    """Escape `text` and turn START_MARK…STOP_MARK into <mark>…</mark>, and nothing else."""
    html, marking = [], False
    for part in re.split(f"([{START_MARK}{STOP_MARK}])", text or ""):
        if part == START_MARK:
            if not marking:
                html.append("<mark>")
            marking = True
        elif part == STOP_MARK:
            if marking:
                html.append("</mark>")
            marking = False
        else:
            html.append(escape(part))
    if marking:
        html.append("</mark>")
    return mark_safe("".join(html))  # noqa: S308 - every piece of text above is escaped


def clean_marks(text):
    return (text or "").replace(START_MARK, "").replace(STOP_MARK, "")


# Spelling ------------------------------------------------------------------------------------


def best_spelling(word, vocabulary, cutoff=0.75):
    """The vocabulary word closest to `word`, if close enough."""
    if word in vocabulary:
        return word
    close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=cutoff)
    return close[0] if close else None


def topic_vocabulary(topics):
    return {w for topic in topics for p in [topic.name, *topic.alias_list] for w in words_of(p)}


def corrected_query(query, unknown, vocabulary):
    """The query with each word in `unknown` replaced by its closest vocabulary word."""
    changed = False
    words = []
    for word in words_of(query):
        if word in unknown and len(word) >= 3:
            better = best_spelling(word, vocabulary)
            if better and better != word:
                word, changed = better, True
        words.append(word)
    return " ".join(words) if changed else ""


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
        resources = (
            Resource.objects.filter(pk__in=ids)
            .defer("search_document")
            .annotate(headline=headline)
            .with_credits()
        )
        for resource in resources:
            resource.snippet = marked_html(resource.headline)
        return resources

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
        resources = Resource.objects.filter(pk__in=ids).defer("search_document").with_credits()
        terms = self.terms(query)
        for resource in resources:
            resource.snippet = marked_html(simple_snippet(resource, terms))
        return resources

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
        shown.append(f"{START_MARK}{token}{STOP_MARK}" if i in hits else token)
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + words < len(tokens) else ""
    return prefix + " ".join(shown) + suffix


# Links for the page ------------------------------------------------------------------------


def search_url(query, kind="", topic_slugs=()):
    params = QueryDict(mutable=True)
    params["q"] = query
    if kind:
        params["kind"] = kind
    params.setlist("topic", list(topic_slugs))
    return "/search/?" + params.urlencode()
