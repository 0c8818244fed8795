from django.middleware.cache import FetchFromCacheMiddleware
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
