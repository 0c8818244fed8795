import sys

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from ..models import Page


def robots_txt(request):
    # Nothing disallowed: naming the admin's path here would tell everyone where it is (it
    # answers X-Robots-Tag: noindex instead), and the search pages say noindex themselves.
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow:", f"Sitemap: {sitemap_url}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def page(request, slug):
    """One of the site's own pages (models.Page), in its own template if it has one."""
    page = get_object_or_404(Page, slug=slug)
    templates = [f"resources/page_{slug}.html", "resources/page.html"]
    return render(request, templates, {"page": page})


@never_cache
def healthz(request):
    """200 when the app and its database answer, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def server_error(request):
    """
    handler500: the site's error page, not a traceback. When the database cannot be reached,
    a 503 with Retry-After instead, which says "try again soon" to people and load balancers.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "30"
        return response
    return render(request, "500.html", status=500)
