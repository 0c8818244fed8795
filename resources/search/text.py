"""Words: folding, plurals, the topics a query names, spelling, and the snippet marks."""

import difflib
import re
import unicodedata

# Snippet marks around the matched words: control characters no curator types. The page
# escapes the snippet and turns only these into <mark> tags (the `highlighted` filter).
START_MARK, STOP_MARK = "\x02", "\x03"

# Words the SQLite engine skips unless the query has nothing else (PostgreSQL's English
# configuration has its own list).
STOP_WORDS = frozenset(
    "a an and are as at be by do does for from how i in is it its of on or so that the this to "
    "was what when where which who why with you your my me about can".split()
)


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


def normalize_title(query):
    """The query as a title would be written: without surrounding quotes or a final "?"."""
    return query.strip().strip("\"'“”‘’").rstrip("?!. ").strip()


# Snippets -------------------------------------------------------------------------------------


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
