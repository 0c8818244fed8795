"""
The relevance suite (PostgreSQL): the seed library plus tests/data/relevance.jsonl, 59 more
real books, videos, articles and quotes about therapy, and the queries people type, each with
what must be in the top 3.

An expectation is a resource slug, ("topic", SLUG): each of the top 3 is tagged with it (for
topic names and aliases, where several resources are equally right), or ("by", NAME): each of
the top 3 is by that person.
"""

from pathlib import Path

import pytest

from resources.imports import JsonlFile, import_lines
from resources.models import Topic
from resources.search import search_library

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

DATA = Path(__file__).parent / "data" / "relevance.jsonl"

TOPIC_ALIASES = {
    "grief": "bereavement, mourning, loss of a loved one",
    "depression": "low mood, feeling depressed",
    "cognitive behavioural therapy": "CBT, cognitive behavioral therapy, cognitive therapy",
    "person-centred therapy": (
        "person-centered therapy, client-centred therapy, client-centered therapy, Rogerian therapy"
    ),
    "couples therapy": (
        "marriage counselling, marriage counseling, couples counselling, couples counseling, "
        "relationship therapy"
    ),
    "group therapy": "group psychotherapy",
    "research on therapy": "does therapy work, evidence, outcome research",
    "dialectical behaviour therapy": "DBT, dialectical behavior therapy",
    "bipolar disorder": "manic depression",
    "trauma": "PTSD, post-traumatic stress",
    "memoirs": "memoir, first-person accounts",
}

CASES = [
    # Topic names and aliases, British and American spellings.
    ("psychoanalysis", ["psychoanalysis"]),
    ("grief", [("topic", "grief")]),
    ("bereavement", [("topic", "grief")]),
    ("talk therapy", [("topic", "what-therapy-is-like")]),
    ("counselling", [("topic", "what-therapy-is-like")]),
    ("counseling", [("topic", "what-therapy-is-like")]),
    ("CBT", ["feeling-good", "cognitive-therapy-and-the-emotional-disorders"]),
    ("cognitive behavioural therapy", ["feeling-good"]),
    ("cognitive behavioral therapy", ["feeling-good"]),
    ("person-centred therapy", [("topic", "person-centred-therapy")]),
    ("client-centered therapy", ["client-centered-therapy"]),
    ("marriage counselling", [("topic", "couples-therapy")]),
    ("marriage counseling", [("topic", "couples-therapy")]),
    ("PTSD", ["the-body-keeps-the-score", "trauma-and-recovery"]),
    ("manic depression", ["an-unquiet-mind"]),
    ("DBT", ["building-a-life-worth-living"]),
    # Plural and singular.
    ("memoir", [("topic", "memoirs")]),
    ("memoirs", [("topic", "memoirs")]),
    ("story", [("topic", "therapy-stories")]),
    ("stories", [("topic", "therapy-stories")]),
    ("couple", [("topic", "couples-therapy")]),
    # People, spelled right and wrong.
    ("Irvin Yalom", [("by", "Irvin D. Yalom")]),
    ("Yallom", [("by", "Irvin D. Yalom")]),
    ("Carl Rodgers", [("by", "Carl R. Rogers")]),
    ("Viktor Frankel", ["mans-search-for-meaning"]),
    ("Lori Gotlieb", ["maybe-you-should-talk-to-someone"]),
    ("Winnicot", ["playing-and-reality"]),
    ("Kubler-Ross", ["on-death-and-dying"]),
    ("Rilke", ["letters-to-a-young-poet"]),
    # Misspelled topics and titles.
    ("greif", [("topic", "grief")]),
    ("psychoanalisis", ["psychoanalysis"]),
    ("mindfullness", ["full-catastrophe-living"]),
    ("depresion", [("topic", "depression")]),
    ("Examned Life", ["the-examined-life"]),
    ("maybe you should talk to somone", ["maybe-you-should-talk-to-someone"]),
    # Titles, including short and stop-word ones.
    ("The Examined Life", ["the-examined-life"]),
    ("examined life", ["the-examined-life"]),
    ("Love's Executioner", ["loves-executioner"]),
    ("loves executioner", ["loves-executioner"]),
    ("An Unquiet Mind", ["an-unquiet-mind"]),
    ("Girl, Interrupted", ["girl-interrupted"]),
    ("The Body Keeps the Score", ["the-body-keeps-the-score"]),
    # Phrases from quotes.
    ("emotional storm", ["bion-emotional-storm"]),
    ('"an emotional storm is created"', ["bion-emotional-storm"]),
    ("grief felt so like fear", ["no-one-ever-told-me-that-grief-felt-so-like"]),
    ("accept myself just as I am", ["the-curious-paradox-is-that-when-i-accept-myself-just"]),
    ("the last of the human freedoms", ["everything-can-be-taken-from-a-man-but-one-thing"]),
    ("unspeakably alone", ["rilke-unspeakably-alone"]),
    ("a joy to be hidden", ["it-is-a-joy-to-be-hidden-and-disaster-not"]),
    # Natural questions.
    ("does therapy really work?", ["how-does-psychotherapy-really-work"]),
    ("is therapy effective", ["the-effectiveness-of-psychotherapy-the-consumer-reports-study"]),
    ("what is it like to see a therapist", ["maybe-you-should-talk-to-someone"]),
    ("what happens in group therapy", ["the-theory-and-practice-of-group-psychotherapy"]),
    ("how do people live with the fear of death", ["staring-at-the-sun"]),
    ("what is the working alliance", [("topic", "the-therapeutic-relationship")]),
    # Other fields: publication, summary, transcript.
    ("Psychology Today", ["how-does-psychotherapy-really-work"]),
    ("Gloria", ["three-approaches-to-psychotherapy"]),
    ("schizophrenia", ["the-voices-in-my-head"]),
]


@pytest.fixture
def library(seed):
    import_lines(JsonlFile(DATA))
    for name, aliases in TOPIC_ALIASES.items():
        Topic.objects.filter(name=name).update(aliases=aliases)


def unmet(query, expected):
    """What `query`'s top 3 lacks, as a readable string, or "" when it is all there."""
    top = search_library(query).hits[:3]
    missing = []
    for expectation in expected:
        if isinstance(expectation, str):
            ok = expectation in [resource.slug for resource in top]
        elif expectation[0] == "topic":
            ok = bool(top) and all(
                expectation[1] in {topic.slug for topic in resource.topics.all()}
                for resource in top
            )
        else:
            ok = bool(top) and all(
                expectation[1] in {c.creator.name for c in resource.credit_set.all()}
                for resource in top
            )
        if not ok:
            missing.append(expectation)
    if not missing:
        return ""
    return f"{query!r}: expected {missing} in the top 3, got {[r.slug for r in top]}"


def test_the_relevance_suite_is_big_enough():
    assert len(CASES) >= 30
    assert sum(1 for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()) >= 40


def test_every_query_finds_what_it_should_in_the_top_3(library):
    failures = [message for query, expected in CASES if (message := unmet(query, expected))]
    assert not failures, f"{len(failures)} of {len(CASES)} queries failed:\n" + "\n".join(failures)
