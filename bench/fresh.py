"""
Uncached pages fetched once each, in sequence, as outside checks fetch them.

    .venv/bin/python bench/fresh.py 100000 [--skip-import]

It imports N resources into a fresh `library_bench_<N>` (bench/workload.py; --skip-import
reuses it), starts the production server (pages.py's: gunicorn, DEBUG off, 4 workers) with
the page cache off (PAGE_CACHE_SECONDS=0) and an empty cache directory, then with one
keep-alive HTTP client fetches, one after another: /robots.txt (the framework floor) 500
times, the home page once, then distinct URLs of each page type once each, chosen from the
database with a fixed seed: 200 detail pages (50 of each kind), 200 catalog pages (any kind
or one kind, some filtered by a topic or sorted by title), 100 topic pages and 100 people
pages. Nothing of these pages is cached before its one visit: the cost of a first visit, as
a new operator's site meets it. It prints p50 and p95 per page type in ms and each p50 against
the floor's, and writes bench/out/fresh-<N>.json.
"""

import argparse
import http.client
import json
import random
import time

import psycopg
from pages import ADDRESS, FLOOR, ROOT, Server
from workload import database_url, prepare

PLURALS = {"book": "books", "video": "videos", "article": "articles", "quote": "quotes"}
PAGE_SIZE = 20


def pick_paths(url, seed=1):
    """{page type: [path, ...]}, distinct paths chosen from the database, the same each run."""
    rng = random.Random(seed)
    published = "status = 'published' AND published_at <= now()"
    with psycopg.connect(url) as connection:

        def column(sql):
            return [row[0] for row in connection.execute(sql)]

        counts = dict(
            connection.execute(
                f"SELECT kind, count(*) FROM resources_resource WHERE {published} GROUP BY kind"
            ).fetchall()
        )
        detail = []
        for kind, plural in PLURALS.items():
            slugs = column(
                f"SELECT slug FROM resources_resource WHERE kind = '{kind}' AND {published} "
                "ORDER BY id"
            )
            detail += [f"/{plural}/{slug}/" for slug in rng.sample(slugs, 50)]
        topics = column(
            "SELECT slug FROM resources_topic WHERE EXISTS (SELECT 1 FROM resources_taggedtopic "
            "WHERE tag_id = resources_topic.id) ORDER BY id"
        )
        people = column("SELECT slug FROM resources_creator ORDER BY id")

    def pages(count, n):
        last = max(1, (count + PAGE_SIZE - 1) // PAGE_SIZE)
        return rng.sample(range(1, last + 1), min(n, last))

    total = sum(counts.values())
    catalog = [f"/resources/?page={n}" for n in pages(total, 80)]
    for kind, plural in PLURALS.items():
        catalog += [f"/{plural}/?page={n}" for n in pages(counts.get(kind, 0), 15)]
    catalog += [f"/resources/?sort=title&page={n}" for n in pages(total, 30)]
    catalog += [f"/resources/?topic={slug}" for slug in rng.sample(topics, 30)]
    rng.shuffle(catalog)
    rng.shuffle(detail)
    return {
        "detail": detail,
        "catalog": catalog,
        "topic": [f"/topics/{slug}/" for slug in rng.sample(topics, min(100, len(topics)))],
        "people": [f"/people/{slug}/" for slug in rng.sample(people, 100)],
    }


def fetch_all(client, paths):
    """Milliseconds for each path, fetched in turn on `client`, body read; 200 expected."""
    timings = []
    for path in paths:
        started = time.perf_counter()
        client.request("GET", path, headers={"Host": "127.0.0.1"})
        response = client.getresponse()
        response.read()
        timings.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise RuntimeError(f"{path}: {response.status}")
    return timings


def percentile(values, fraction):
    values = sorted(values)
    return values[max(0, round(fraction * len(values)) - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    if not args.skip_import:
        prepare(args.count)
    url = database_url(args.count)
    paths = pick_paths(url)
    with Server(url, 0, redis=False):
        client = http.client.HTTPConnection(ADDRESS, timeout=60)
        timings = {"floor": fetch_all(client, [FLOOR] * 500), "home": fetch_all(client, ["/"])}
        for name, group in paths.items():
            timings[name] = fetch_all(client, group)
        client.close()
    floor = percentile(timings["floor"], 0.5)
    results = {}
    print(f"{'page':8} {'fetches':>7} {'p50 ms':>8} {'p95 ms':>8} {'p50 × floor':>12}")
    for name, values in timings.items():
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        results[name] = {"fetches": len(values), "p50_ms": round(p50, 2), "p95_ms": round(p95, 2)}
        results[name]["p50_vs_floor"] = round(p50 / floor, 1)
        print(f"{name:8} {len(values):7} {p50:8.1f} {p95:8.1f} {p50 / floor:12.1f}")
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / f"fresh-{args.count}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
