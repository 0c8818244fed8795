"""
Search timings on PostgreSQL: import N resources of the shared workload into a fresh database
(bench/workload.py: gen_catalog.py, `migrate`, `import_resources`, nothing after it), then time
the searches of workload.QUERIES and report p50/p95 in milliseconds.

    .venv/bin/python bench/run.py 10000 100000 [--runs 50] [--skip-import]

Each size has its own database, `library_bench_<N>`, dropped and made again unless
--skip-import reuses it. Timed: `search_library()` (every query the page runs: counts,
facets, ranking, snippets, prefetches) and the whole page through Django's test client (the
same plus the template), on a warm connection, each query repeated --runs times, in
production mode (DEBUG off) with the page cache off.
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time

from workload import PYTHON, QUERIES, ROOT, database_url, prepare


def page(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200, response.status_code
    return response


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
            ("page", lambda q=query: page(client, q)),
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
                f"  {label:15} {query!r:20} {name:6} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms"
                f"  ({total} results)"
            )


def main():
    parser = argparse.ArgumentParser(description="Search p50/p95 on PostgreSQL.")
    parser.add_argument("sizes", type=int, nargs="+")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.runs)
        return
    for count in args.sizes:
        print(f"{count} resources (library_bench_{count})")
        if not args.skip_import:
            prepare(count)
        # Production mode, as the server runs (DEBUG off: no query log, no template debug);
        # the page cache would answer every repeat: time the work, not the cache.
        env = {
            **os.environ,
            "DATABASE_URL": database_url(count),
            "PAGE_CACHE_SECONDS": "0",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
            "DJANGO_ALLOWED_HOSTS": "localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_CACHE_DIR": tempfile.mkdtemp(prefix="library-cache-"),
            "DJANGO_STATIC_ROOT": tempfile.mkdtemp(prefix="library-static-"),
        }
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        subprocess.run(
            [PYTHON, __file__, "0", "--measure", "--runs", str(args.runs)], env=env, check=True
        )


if __name__ == "__main__":
    main()
