"""
Page timings against the production server: the framework floor, cached and uncached pages,
and a mixed load test.

    .venv/bin/python bench/pages.py 100000 [--duration 10] [--skip-import] [--redis]
    .venv/bin/python bench/pages.py 100000 --skip-import --load 60
    .venv/bin/python bench/pages.py 100000 --skip-import --crawl 5

It imports N resources of the shared workload into a fresh `library_bench_<N>`
(bench/workload.py; --skip-import reuses it), serves the site with gunicorn in production mode
(DEBUG off, 4 sync workers, persistent database connections, an empty cache directory) on
127.0.0.1:8765, and drives it with wrk (Debian package `wrk`, 2 threads, 16 connections) for
each page:

- `/robots.txt`, the framework floor: a minimal view with no database query;
- every page twice: "cached" (the anonymous page cache on, as in production) and "uncached"
  (PAGE_CACHE_SECONDS=0, so every request builds the page: views, queries, templates).

It prints a table (requests/s, p50 and p95 in ms, and each page's cost against the floor) and
writes bench/out/pages-<N>.json. With --load S it instead runs one mixed load test for S
seconds with 32 connections over every page and search in turn (page cache on, or off with
--no-page-cache) and reports its errors and non-2xx/3xx answers; it exits 1 if there are any.
With --crawl S it instead reads, like a crawler, thousands of different detail pages and
catalog pages, each about once, for S seconds per kind of page: every page is then built
afresh with its cards, links and related resources not yet cached either (the cost of the
first visit after a change), where the "uncached" runs above ask for one page again and again
(page cache off, but its cards and the library's aggregates cached once).
Traffic goes to 127.0.0.1 only; every run is bounded in time.
"""

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote_plus

from workload import PYTHON, QUERIES, ROOT, database_url, prepare

ADDRESS = "127.0.0.1:8765"
FLOOR = "/robots.txt"

# wrk prints these after a run: latency percentiles in microseconds, and the request count.
REPORT_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d\\n", summary.requests,
    latency:percentile(50), latency:percentile(95), summary.errors.status,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
"""
# For the load test: each request takes the next path of a list.
MIX_LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""

# For the crawl: wrk's 2 threads take every other path, so no page is asked for twice.
CRAWL_LUA = """
paths = {%s}
threads = 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[((counter * 2 + offset) %% #paths) + 1])
end
"""


def run(*args, env=None, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def pages(url):
    """The pages to time: one of each type, with slugs taken from the database."""
    import psycopg

    with psycopg.connect(url) as connection:

        def slug(sql):
            return connection.execute(sql).fetchone()[0]

        published = "status = 'published' AND published_at <= now()"
        detail = {
            kind: slug(
                f"SELECT slug FROM resources_resource WHERE kind = '{kind}' AND {published} "
                "ORDER BY id DESC LIMIT 1"
            )
            for kind in ("book", "video", "article", "quote")
        }
        topic = slug(
            "SELECT t.slug FROM resources_topic t JOIN resources_taggedtopic tt "
            "ON tt.tag_id = t.id GROUP BY t.slug ORDER BY count(*) DESC LIMIT 1"
        )
    return {
        "home": "/",
        "catalog page 1": "/resources/",
        "catalog page 2000": "/resources/?page=2000",
        "topic page": f"/topics/{topic}/",
        **{f"{kind} page": f"/{kind}s/{detail[kind]}/" for kind in detail},
        **{f"search: {label}": f"/search/?q={quote_plus(q)}" for label, q in QUERIES.items()},
    }


class Server:
    """gunicorn in production mode, as `make serve` runs it, until stopped."""

    def __init__(self, url, page_cache_seconds, redis):
        self.static = tempfile.mkdtemp(prefix="library-static-")
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_STATIC_ROOT": self.static,
            # A cache of its own: the generation and aggregates of another run or database
            # would otherwise be read from the project's .cache/.
            "DJANGO_CACHE_DIR": tempfile.mkdtemp(prefix="library-cache-"),
            "DJANGO_LOG_LEVEL": "WARNING",
            "PAGE_CACHE_SECONDS": str(page_cache_seconds),
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        if redis:
            self.env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
        else:
            self.env.pop("REDIS_URL", None)

    def __enter__(self):
        run(PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0", env=self.env)
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "library.wsgi",
                "--bind",
                ADDRESS,
                "--workers",
                "4",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://{ADDRESS}{FLOOR}", timeout=1)
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def wrk(path, duration, connections=16, script=REPORT_LUA):
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{duration}s",
                "-s",
                lua.name,
                f"http://{ADDRESS}{path}",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    requests, p50, p95, bad_status, *socket_errors = map(
        int, re.search(r"RESULT" + r" (\d+)" * 8, output).groups()
    )
    return {
        "requests_per_second": round(requests / duration, 1),
        "p50_ms": round(p50 / 1000, 2),
        "p95_ms": round(p95 / 1000, 2),
        "non_2xx_3xx": bad_status,
        "socket_errors": sum(socket_errors),
        # wrk's socket errors by kind; a timeout is an answer slower than 2 s
        "connect_read_write_timeout": socket_errors,
    }


def time_pages(urls, duration, url, redis):
    results = {}
    for mode, seconds in (("cached", 300), ("uncached", 0)):
        with Server(url, seconds, redis):
            wrk(FLOOR, 1)  # warm, as every page is
            floor = wrk(FLOOR, duration)
            results[mode] = {"floor": floor}
            for name, path in urls.items():
                wrk(path, 1)  # warm: first request builds the page (and caches it)
                measured = wrk(path, duration)
                measured["requests_vs_floor"] = round(
                    measured["requests_per_second"] / floor["requests_per_second"], 3
                )
                measured["p50_vs_floor"] = round(measured["p50_ms"] / floor["p50_ms"], 1)
                results[mode][name] = measured
                print(
                    f"{mode:9} {name:22} {measured['requests_per_second']:8.0f}/s "
                    f"p50 {measured['p50_ms']:6.1f} ms  p95 {measured['p95_ms']:6.1f} ms  "
                    f"{measured['requests_vs_floor']:.2f}× floor",
                    flush=True,
                )
    return results


def crawl_paths(url, count):
    """`count` different detail pages (newest first, every kind) and catalog pages (1, 2...)."""
    import psycopg

    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT kind, slug FROM resources_resource "
            "WHERE status = 'published' AND published_at <= now() ORDER BY id DESC LIMIT %s",
            [count],
        ).fetchall()
    return {
        "detail pages": [f"/{kind}s/{slug}/" for kind, slug in rows],
        "catalog pages": [f"/resources/?page={n}" for n in range(1, count + 1)],
    }


def crawl(url, duration, redis):
    """Each kind of page over thousands of different URLs, against the floor, page cache on."""
    results = {}
    with Server(url, 300, redis):
        wrk(FLOOR, 1)
        floor = wrk(FLOOR, duration)
        results["floor"] = floor
        print(f"crawl     floor {floor['requests_per_second']:8.0f}/s p50 {floor['p50_ms']} ms")
        for name, paths in crawl_paths(url, 5000).items():
            script = CRAWL_LUA % ", ".join(json.dumps(p) for p in paths) + REPORT_LUA
            measured = wrk("/", duration, script=script)
            measured["distinct_paths"] = len(paths)
            measured["p50_vs_floor"] = round(measured["p50_ms"] / floor["p50_ms"], 1)
            results[name] = measured
            print(
                f"crawl     {name:22} {measured['requests_per_second']:8.0f}/s "
                f"p50 {measured['p50_ms']:6.1f} ms  p95 {measured['p95_ms']:6.1f} ms  "
                f"p50 {measured['p50_vs_floor']}× floor's, {len(paths)} different pages",
                flush=True,
            )
    return results


def load_test(urls, duration, url, redis, page_cache_seconds):
    paths = [FLOOR, *urls.values()]
    script = MIX_LUA % ", ".join(json.dumps(p) for p in paths) + REPORT_LUA
    with Server(url, page_cache_seconds, redis):
        result = wrk("/", duration, connections=32, script=script)
    cache = "page cache on" if page_cache_seconds else "page cache off"
    print(
        f"load test ({cache}): {duration} s, 32 connections, {len(paths)} pages and searches: "
        f"{result['requests_per_second']:.0f} requests/s, p50 {result['p50_ms']} ms, "
        f"p95 {result['p95_ms']} ms, {result['non_2xx_3xx']} non-2xx/3xx, "
        f"{result['socket_errors']} socket errors "
        f"(connect, read, write, timeout: {result['connect_read_write_timeout']})"
    )
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--duration", type=int, default=10, help="seconds per page (wrk -d)")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--redis", action="store_true", help="cache in Redis on 127.0.0.1:6379")
    parser.add_argument("--load", type=int, metavar="SECONDS", help="run the mixed load test")
    parser.add_argument(
        "--no-page-cache", action="store_true", help="load test with every page built afresh"
    )
    parser.add_argument(
        "--crawl", type=int, metavar="SECONDS", help="read thousands of different pages once"
    )
    args = parser.parse_args()

    if not args.skip_import:
        prepare(args.count)
    url = database_url(args.count)
    urls = pages(url)
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    if args.crawl:
        results = crawl(url, args.crawl, args.redis)
        (out / f"crawl-{args.count}.json").write_text(json.dumps(results, indent=2))
        return
    if args.load:
        page_cache_seconds = 0 if args.no_page_cache else 300
        result = load_test(urls, args.load, url, args.redis, page_cache_seconds)
        name = f"load-{args.count}{'-uncached' if args.no_page_cache else ''}.json"
        (out / name).write_text(json.dumps(result, indent=2))
        sys.exit(1 if result["non_2xx_3xx"] or result["socket_errors"] else 0)
    results = time_pages(urls, args.duration, url, args.redis)
    (out / f"pages-{args.count}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
