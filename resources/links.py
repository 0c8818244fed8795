"""
The link watch: the external links of every published resource (its `url`: a page to read,
a video's address), checked politely, and what each answered kept in `LinkCheck`.

Politely: a bounded number of requests at once, and fewer at once to one host; HEAD first,
GET where a site refuses HEAD; redirects followed and recorded; a timeout counts as broken.
`check_links` (the command) runs it; docs/deploy.md says how to run it daily.
"""

import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from .models import LinkCheck, Resource

AT_ONCE = 8  # requests in flight
PER_HOST = 2  # requests in flight to one host
HEAD_REFUSED = {403, 405, 501}  # answers that may mean "ask with GET"


@dataclass
class Answer:
    status: str  # an HTTP status code, or "timeout" or "error"
    final_url: str = ""
    redirects: list = field(default_factory=list)

    @property
    def broken(self):
        return not self.status.isdigit() or int(self.status) >= 400


class RecordRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self):
        self.chain = []

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        self.chain.append(f"{code} {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def ask(url, method, timeout):
    redirects = RecordRedirects()
    opener = urllib.request.build_opener(redirects)
    agent = f"{settings.SITE_NAME} link check ({settings.SITE_URL})"
    request = urllib.request.Request(url, method=method, headers={"User-Agent": agent})
    try:
        with opener.open(request, timeout=timeout) as response:
            if method == "GET":
                response.read(1024)  # enough to know the page answers
            return Answer(str(response.status), response.url, redirects.chain)
    except urllib.error.HTTPError as error:
        return Answer(str(error.code), error.url or url, redirects.chain)
    except TimeoutError:
        return Answer("timeout", url, redirects.chain)
    except (urllib.error.URLError, OSError, ValueError) as error:
        timed_out = isinstance(getattr(error, "reason", None), TimeoutError)
        return Answer("timeout" if timed_out else "error", url, redirects.chain)


def check(url, timeout):
    answer = ask(url, "HEAD", timeout)
    if answer.status.isdigit() and int(answer.status) in HEAD_REFUSED:
        answer = ask(url, "GET", timeout)
    return answer


def check_links(timeout=10, max_seconds=None, report=print):
    """
    Check every published resource's link and record what it answered. `report(resource,
    answer)` is called for each broken one as it is found. Returns (checked, broken).
    Past `max_seconds`, no new link is started (those left keep their last check).
    """
    resources = list(
        Resource.objects.published().exclude(url="").only("kind", "slug", "url").order_by("id")
    )
    hosts, hosts_lock = {}, threading.Lock()
    deadline = time.monotonic() + max_seconds if max_seconds else None
    results = []

    def run(resource):
        host = urlsplit(resource.url).hostname or ""
        with hosts_lock:
            gate = hosts.setdefault(host, threading.Semaphore(PER_HOST))
        with gate:
            if deadline is None or time.monotonic() < deadline:
                results.append((resource, check(resource.url, timeout)))

    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        wait([pool.submit(run, resource) for resource in resources])
    broken = 0
    for resource, answer in sorted(results, key=lambda item: item[0].pk):
        LinkCheck.objects.update_or_create(
            resource=resource,
            defaults={
                "url": resource.url,
                "status": answer.status,
                "broken": answer.broken,
                "final_url": answer.final_url if answer.final_url != resource.url else "",
                "redirects": "\n".join(answer.redirects),
                "checked_at": timezone.now(),
            },
        )
        if answer.broken:
            broken += 1
            report(resource, answer)
    return len(results), broken
