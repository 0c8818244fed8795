"""
The benchmarks' workload, as outside checks make it: `../shared/bench/gen_catalog.py N FILE`
(a realistic vocabulary, needs the `bench` extra: wordfreq), imported into a fresh PostgreSQL
database with `manage.py migrate` and `manage.py import_resources FILE`, and nothing after it
(no VACUUM, no ANALYZE, no load_seed): the library as a new operator meets it.

Each size has its own database, `library_bench_<N>` on BENCH_POSTGRES (default
postgres://postgres@127.0.0.1:5432), shared by run.py, pages.py and fresh.py.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
GENERATOR = ROOT.parent / "shared" / "bench" / "gen_catalog.py"


def database_url(count):
    return f"{SERVER}/library_bench_{count}"


def prepare(count):
    """Generate N resources, then drop, create, migrate and import `library_bench_<N>`."""
    import psycopg

    data = Path(tempfile.gettempdir()) / f"catalog-{count}.jsonl"
    subprocess.run([PYTHON, str(GENERATOR), str(count), str(data)], check=True)
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "library_bench_{count}"')
        connection.execute(f'CREATE DATABASE "library_bench_{count}"')
    env = {**os.environ, "DATABASE_URL": database_url(count)}
    manage = [PYTHON, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    print(f"import_resources {data}:", flush=True)
    subprocess.run(
        ["/usr/bin/time", "-f", "%e s, peak %M KB", *manage, "import_resources", str(data)],
        cwd=ROOT,
        env=env,
        check=True,
    )


# Searches on gen_catalog's vocabulary (the 6,000 most frequent English words, so no word is
# in fewer than about 65 of 100,000 resources). Matches at 100,000 are in bench/README.md.
QUERIES = {
    "common word": "therapy",  # a third of the resources; in five topics' names
    "rare word": "anxious",  # among the rarest words there are: 72 resources
    "two words": "new relationship",  # both common, neither a topic
    "phrase": '"first time"',  # 5,302 have both words, 23 side by side
    "misspelling": "anxeity",  # "anxiety", e and i swapped: no match as typed
    "misspelt in two": "first sessoin",  # "session", i and o swapped
    "topic name": "the first session",  # the largest topic
}
