"""
How pages travel: cached on the server for anonymous visitors, revalidated by browsers on
every visit, compressed when they hold no secret, and the admin kept out of search engines.
"""

from django.conf import settings
from django.middleware.cache import FetchFromCacheMiddleware, UpdateCacheMiddleware
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import add_never_cache_headers


class AnonymousFetchFromCacheMiddleware(FetchFromCacheMiddleware):
    """
    Django's cache middleware, for anonymous visitors only: a signed-in curator always gets a
    fresh page (drafts, previews, their own edits), and it is marked never to be cached.
    """

    def process_request(self, request):
        if request.user.is_authenticated:
            request._cache_update_cache = False
            return None
        return super().process_request(request)

    def process_response(self, request, response):
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


class RevalidatingUpdateCacheMiddleware(UpdateCacheMiddleware):
    """
    Django's cache middleware keeps the page on the server; browsers and shared caches are
    told to ask again every time ("no-cache"), so that nobody is shown a page older than the
    library's last change, an unpublished item included. The ETag (ConditionalGetMiddleware,
    from the page's content) makes asking again cost a 304 while the page is the same.
    """

    def process_response(self, request, response):
        response = super().process_response(request, response)  # stored as Django sends it
        cache_control = response.get("Cache-Control", "")
        if "private" not in cache_control and "no-store" not in cache_control:
            response["Cache-Control"] = "no-cache"
            del response["Expires"]
        return response


class PublicGZipMiddleware(GZipMiddleware):
    """
    Django's gzip for pages that hold no secret. A page carrying a CSRF token (the admin's
    every page, any form that posts) is sent as it is: compressing a secret next to text a
    visitor chose is what the BREACH attack reads. Static files are compressed by whitenoise.
    """

    def process_response(self, request, response):
        # Django's get_token() sets this key (CsrfViewMiddleware later sets it to False).
        if "CSRF_COOKIE_NEEDS_UPDATE" in request.META:
            return response
        return super().process_response(request, response)


class AdminNoIndexMiddleware:
    """`X-Robots-Tag: noindex` on the admin, wherever DJANGO_ADMIN_PATH puts it: robots.txt
    cannot name it without telling everyone where it is."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = f"/{settings.ADMIN_PATH}"

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.prefix):
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response
