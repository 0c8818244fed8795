"""
Search timings on PostgreSQL: generate N resources, import them into a fresh database with
`manage.py import_resources`, then time searches and report p50/p95 in milliseconds.

    .venv/bin/python bench/run.py 10000 100000 [--runs 50] [--keep] [--skip-import]

Needs a PostgreSQL server (BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432) where
the user may create databases; each size gets its own database, `library_bench_<N>`, dropped
and made again unless --skip-import reuses it. Timed: `search_library()` (every query the
page runs: counts, facets, ranking, snippets, prefetches) and the whole page through Django's
test client (the same plus the template), on a warm connection, each query repeated --runs times.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
SEQUENTIAL_CHUNKS = 8
QUERIES = {
    "common word": "therapy",
    "rare word": "kintsugi",
    "two words": "first session",
    "misspelling": "anxeity",
}


def manage(database_url, *args):
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_ALLOW_ASYNC_UNSAFE": "true"}
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(count, database_url, database, chunk, jobs):
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database}"')
        connection.execute(f'CREATE DATABASE "{database}"')
    data = Path(f"/tmp/library-bench-{count}.jsonl")
    with open(data, "w", encoding="utf-8") as output:
        subprocess.run(
            [PYTHON, str(ROOT / "bench" / "generate.py"), str(count), "--seed", "1"],
            stdout=output,
            check=True,
        )
    manage(database_url, "migrate", "--noinput", "-v", "0")
    manage(database_url, "load_seed")  # the real topics, with their aliases
    started = time.perf_counter()
    import_in_chunks(database_url, data, chunk, jobs)
    print(f"  imported {count} resources in {time.perf_counter() - started:.0f} s")
    manage(
        database_url,
        "shell",
        "-c",
        "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')",
    )


def import_in_chunks(database_url, data, chunk, jobs):
    """
    `import_resources` on files of `chunk` lines: the first few one by one (they create the
    topics and most of the people), then `jobs` at a time. Why chunks: one import is one
    transaction with several savepoints a line, and PostgreSQL slows down as a transaction's
    subtransactions pile up (a 10,000-line file took 585 s in one go). Each chunk is its own
    all-or-nothing import; one that fails (a deadlock: two chunks creating the same person at
    once) is imported again, which is safe because re-importing is idempotent.
    """
    lines = data.read_text(encoding="utf-8").splitlines(keepends=True)
    paths = []
    for number, start in enumerate(range(0, len(lines), chunk)):
        path = data.with_suffix(f".{number:04}.jsonl")
        path.write_text("".join(lines[start : start + chunk]), encoding="utf-8")
        paths.append(path)
    env = {**os.environ, "DATABASE_URL": database_url}
    command = [PYTHON, "manage.py", "import_resources"]
    for path in paths[:SEQUENTIAL_CHUNKS]:
        subprocess.run([*command, str(path)], cwd=ROOT, env=env, check=True)
    pending = paths[SEQUENTIAL_CHUNKS:]
    for _attempt in range(3):
        running, failed = [], []
        while pending or running:
            while pending and len(running) < jobs:
                path = pending.pop(0)
                running.append((path, subprocess.Popen([*command, str(path)], cwd=ROOT, env=env)))
            path, process = running.pop(0)
            if process.wait() != 0:
                failed.append(path)
        pending = failed
        if not pending:
            return
    raise SystemExit(f"could not import {pending}")


def measure(runs):
    """Run in a child process whose DATABASE_URL is the benchmark database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "library.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.test import Client

    from resources.search import search_library

    client = Client(HTTP_HOST="localhost")
    for label, query in QUERIES.items():
        for name, call in [
            ("engine", lambda q=query: search_library(q)),
            ("page", lambda q=query: client.get("/search/", {"q": q})),
        ]:
            call()  # warm the connection and caches
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                call()
                timings.append((time.perf_counter() - started) * 1000)
            timings.sort()
            p50 = statistics.median(timings)
            p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
            total = search_library(query).total
            print(
                f"  {label:12} {query!r:18} {name:6} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms"
                f"  ({total} results)"
            )


def main():
    parser = argparse.ArgumentParser(description="Search p50/p95 on PostgreSQL.")
    parser.add_argument("sizes", type=int, nargs="+")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--chunk", type=int, default=1000, help="lines per import_resources")
    parser.add_argument("--jobs", type=int, default=2, help="imports at a time")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.runs)
        return
    for count in args.sizes:
        database = f"library_bench_{count}"
        database_url = f"{SERVER}/{database}"
        print(f"{count} resources ({database})")
        if not args.skip_import:
            prepare(count, database_url, database, args.chunk, args.jobs)
        env = {**os.environ, "DATABASE_URL": database_url}
        subprocess.run(
            [PYTHON, __file__, "0", "--measure", "--runs", str(args.runs)], env=env, check=True
        )


if __name__ == "__main__":
    main()
