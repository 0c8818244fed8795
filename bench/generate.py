"""
Write N realistic, made-up resources as JSONL in the import format (DESIGN.md), reproducibly.

    .venv/bin/python bench/generate.py 10000 --seed 1 > /tmp/bench-10000.jsonl

Made-up data for timing only: titles, people and summaries are assembled from word lists with
a skewed distribution, so that some words ("therapy") are in most resources and others
("kintsugi") in a handful, like a real catalogue. Never import it into a real library.
"""

import argparse
import json
import random
import sys

KINDS = ["book"] * 5 + ["video"] * 2 + ["article"] * 2 + ["quote"]
TOPICS = [
    "what therapy is like",
    "therapy stories",
    "the therapeutic relationship",
    "psychoanalysis",
    "loneliness",
    "existential therapy",
    "self-knowledge",
    "becoming a therapist",
    "ageing and mortality",
    "grief",
    "depression",
    "anxiety",
    "trauma",
    "couples therapy",
    "family therapy",
    "group therapy",
    "cognitive behavioural therapy",
    "mindfulness",
    "childhood",
    "attachment",
    "addiction",
    "eating disorders",
    "memoirs",
    "the first session",
    "ending therapy",
    "shame",
    "anger",
    "sleep",
    "work and burnout",
    "parenting",
    "identity",
    "men and therapy",
    "research on therapy",
    "medication",
    "psychiatry",
    "dreams",
    "body and mind",
    "creativity",
    "faith and meaning",
    "money and therapy",
]
FIRST = (
    "Anna Ben Clara David Elena Frank Grace Henry Iris Jonas Karen Leo Maria Nikhil Olga Paul "
    "Rosa Samuel Tara Umar Vera William Yasmin Zoe Adam Beatrice Carlos Dina Emil Fatima "
    "Gideon Hana Ivan Julia Kofi Lena Marcus Noor Oscar Priya Quentin Ruth Stefan Tomas Ursula "
    "Viktor Wendy Xavier Yusuf Zara"
).split()
LAST = (
    "Abbott Bergman Castillo Dahl Eriksen Fischer Gallagher Haddad Ishikawa Jansen Kowalski "
    "Lindqvist Moreau Nakamura Okafor Petrov Quinn Rossi Schmidt Tanaka Underwood Varga Weber "
    "Xu Yilmaz Zimmerman Almeida Brennan Costa Delacroix Esposito Fontaine Grünwald Horvath "
    "Iversen Jovanović Keller Laurent Müller Novak Olsen Park Rahman Silva Thorne Ueda Vogel "
    "Walsh Young Zhou"
).split()
NOUNS = (
    "room couch session silence story hour chair voice door mirror letter question answer "
    "grief fear hope change trust shame anger love loss memory dream body mind family mother "
    "father child sister brother friend stranger promise secret habit wound healing listening "
    "courage patience kindness doubt anxiety loneliness work meaning time"
).split()
ADJECTIVES = (
    "quiet first last long short open honest difficult gentle ordinary unspoken hidden "
    "shared broken slow brave tender restless patient examined"
).split()
SENTENCES = [
    "A {adj} account of therapy from {side}.",
    "It follows {a} {noun} through a year of weekly sessions.",
    "The author writes about {noun} and {noun2} with care.",
    "Useful for anyone wondering what happens in the first session.",
    "It shows how the relationship between client and therapist changes over time.",
    "A therapist describes the {adj} work of listening.",
    "Many readers say it helped them decide to start therapy.",
    "It is honest about what therapy cannot do.",
    "The chapters on {noun} are the strongest.",
    "Short pieces, easy to read one at a time.",
    "A good introduction to {topic}.",
    "Written for people who have never been to a therapist.",
]
SIDES = ["the client's side", "the therapist's chair", "both sides of the couch"]
RARE = ["kintsugi", "sandplay", "ecotherapy", "logotherapy", "psychodrama", "equine"]
ROLES = {"book": "author", "video": "speaker", "article": "author", "quote": "author"}
PUBLICATIONS = ["Psychology Today", "The Guardian", "The Atlantic", "Aeon", "The New Yorker"]


def sentence(rng, topics):
    template = rng.choice(SENTENCES)
    return template.format(
        adj=rng.choice(ADJECTIVES),
        side=rng.choice(SIDES),
        a=rng.choice(["a woman and her", "a man and his", "a family and their"]),
        noun=rng.choice(NOUNS),
        noun2=rng.choice(NOUNS),
        topic=rng.choice(topics),
    )


def title(rng):
    noun, noun2, adj = rng.choice(NOUNS), rng.choice(NOUNS), rng.choice(ADJECTIVES)
    shape = rng.randrange(5)
    if shape == 0:
        return f"The {adj.capitalize()} {noun.capitalize()}"
    if shape == 1:
        return f"{noun.capitalize()} and {noun2.capitalize()}"
    if shape == 2:
        return f"On {noun.capitalize()}"
    if shape == 3:
        return f"The {noun.capitalize()} of {noun2.capitalize()}"
    return f"What the {noun.capitalize()} Knows"


def resource(rng, number, people):
    kind = rng.choice(KINDS)
    # Skewed topic popularity: the first topics are much more common than the last.
    count = rng.choice([1, 1, 2, 2, 3, 4])
    topics = sorted(
        {TOPICS[min(int(rng.paretovariate(1.2)) - 1, len(TOPICS) - 1)] for _ in range(count)}
        | {rng.choice(TOPICS)}
    )
    text = " ".join(sentence(rng, topics) for _ in range(rng.randint(2, 5)))
    if rng.random() < 0.002:
        text += f" It mentions {rng.choice(RARE)}."
    creators = [
        {"name": rng.choice(people), "role": ROLES[kind]} for _ in range(rng.choice([1, 1, 1, 2]))
    ]
    creators = list({c["name"]: c for c in creators}.values())
    item = {"kind": kind, "slug": f"bench-{number}", "creators": creators, "topics": topics}
    if kind == "quote":
        item["text"] = text
    else:
        item["title"] = f"{title(rng)} {number}" if rng.random() < 0.5 else title(rng)
        item["summary"] = text
        item["year"] = rng.randint(1950, 2025)
    if kind == "book" and rng.random() < 0.4:
        item["subtitle"] = f"A Book about {rng.choice(NOUNS).capitalize()}"
    if kind == "video":
        item["duration_seconds"] = rng.randint(60, 3600)
        if rng.random() < 0.3:
            item["transcript"] = " ".join(sentence(rng, topics) for _ in range(20))
    if kind == "article":
        item["publication"] = rng.choice(PUBLICATIONS)
    return item


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    people = sorted({f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(args.count // 3)})
    for number in range(1, args.count + 1):
        sys.stdout.write(json.dumps(resource(rng, number, people), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
