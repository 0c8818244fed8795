"""
Search: the published library for a query, with the `kind` and `topic` filters.

`search_library()` is the whole interface: it takes a normalised query (SearchForm normalises
it) and returns a `SearchResults`, whose `hits` the search page paginates. Two engines answer
it with the same results:

- PostgreSQL (production): a weighted tsvector per resource (`Resource.search_document`,
  kept up to date by database triggers, resources/search_document.sql) with a GIN index,
  English stemming with accents folded, the websearch syntax ("quoted phrase", -word, or),
  `ts_rank` plus boosts, and `ts_headline` snippets. Typo tolerance comes from pg_trgm.
- SQLite (the embedded default): a case-insensitive word match over the same fields. No
  stemming beyond plurals, no phrase or exclusion syntax, no ranking inside a tier.

The steps are the same for both, and the number of queries has a fixed ceiling whatever the
number of results: look the query up; if nothing matches, try it with its spelling corrected,
then with any of its words instead of all of them; count per kind and per topic; rank a page
of the hits when it is asked for, and fetch it.
"""

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, OuterRef, Q

from ..models import Resource, TaggedTopic, Topic
from .engines import PostgresEngine, SimpleEngine
from .text import has_operators, normal, normalize_title, topics_named_in, words_of

TOPIC_FACETS = 12

# Bounded work for common words. A word in most of 100,000 resources ("therapy") would
# otherwise be counted, faceted and ranked over every match for one page of 20
# (bench/README.md has the figures that chose these numbers).
#
# Counting: the counts per kind and per topic look at no more than COUNT_LIMIT matches; past
# that the page says "1,000+" and the facet numbers are lower bounds ("+"). Past a thousand
# results, the exact number tells a person nothing more; they narrow the search.
#
# Ranking: past CANDIDATES matches, only a candidate set is ranked in full: the CANDIDATES
# newest matches (an index walk on published_at that stops early), the newest CANDIDATES of
# the RECENTLY_TAGGED resources last tagged with a topic the query names, and the titles
# that are or start with the query. Trade-offs: results stop after CANDIDATES / 20 pages
# (the facets are there to narrow the search); an older resource that only mentions a common
# word may be left out of the ranking, exact titles never are. The tagged candidates walk a
# topic's links newest id first (link_topic_resource_idx) instead of every resource tagged
# with it: the id stands in for the date, so a resource tagged long ago can miss the ranking
# (page 1 is still full of resources tagged with the topic, when it has that many).
COUNT_LIMIT = 1000
TOPIC_SAMPLE = 500  # past COUNT_LIMIT, the topic facet counts this many (lower bounds anyway)
CANDIDATES = 300
RECENTLY_TAGGED = 300


@dataclass
class SearchResults:
    query: str  # what the person asked, normalised
    searched: str = ""  # what was searched: the query, or its spelling corrected
    suggestion: str = ""  # "Did you mean …?" (a corrected spelling), when there is one
    any_words: bool = False  # nothing had every word, so these results have some of them
    total: int = 0  # matches with the filters applied
    unfiltered_total: int = 0  # matches without the kind and topic filters
    hits: object = ()  # the ranked matches (a `Hits`), to be sliced a page at a time
    topic_matches: list = field(default_factory=list)  # topics the query names
    kind_counts: dict = field(default_factory=dict)  # kind → count (the topic filters apply)
    topic_counts: list = field(default_factory=list)  # [(topic, count)] (the kind filter applies)
    without_kind: int = 0  # matches if the kind filter were dropped
    capped: bool = False  # more than COUNT_LIMIT matches: the facet counts are lower bounds
    total_capped: bool = False  # and so is the total
    without_topics: int = 0  # matches if the topic filters were dropped
    kind: str = ""
    selected_topics: list = field(default_factory=list)


class Hits:
    """
    The ranked matches, read a slice at a time (a Paginator slices it): each slice is ranked
    in the database and fetched with its snippets and creators, in two queries. Its length is
    the number of matches that can be shown (at most CANDIDATES past the candidate limit).
    """

    def __init__(self, engine, ranked, length, query, any_words):
        self.engine, self.ranked, self.length = engine, ranked, length
        self.query, self.any_words = query, any_words

    def __len__(self):
        return self.length

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("Hits are read a slice at a time")
        ids = list(self.ranked.values_list("pk", flat=True)[index])
        if not ids:
            return []
        resources = self.engine.page_objects(ids, self.query, self.any_words)
        by_pk = {resource.pk: resource for resource in resources}
        return [by_pk[pk] for pk in ids if pk in by_pk]


def search_library(query, kind="", topic_slugs=()):
    """Search the published library. `query` must already be normalised (SearchForm does it)."""
    engine = PostgresEngine() if connection.vendor == "postgresql" else SimpleEngine()
    all_topics = list(Topic.objects.only("id", "name", "slug", "aliases"))
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

    # The ranking, run a page at a time.
    topic_ids = [topic.pk for topic in results.topic_matches]
    if results.total > CANDIDATES:
        filtered = Resource.objects.filter(candidates(filtered, results.searched, topic_ids))
    ranked = engine.ranked(filtered, results.searched, topic_ids, results.any_words)
    length = min(results.total, CANDIDATES)
    results.hits = Hits(engine, ranked, length, results.searched, results.any_words)
    return results


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


def tagged_with(topic_ids):
    """For Exists(): the outer resource is tagged with one of `topic_ids`."""
    return TaggedTopic.objects.filter(content_object=OuterRef("pk"), tag__in=topic_ids)
