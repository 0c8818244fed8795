from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.http import require_safe

from resources.admin.two_factor import two_factor_view
from resources.sitemaps import SITEMAPS
from resources.views import site

handler500 = "resources.views.site.server_error"

urlpatterns = [
    path(
        f"{settings.ADMIN_PATH}two-factor/",
        admin.site.admin_view(lambda request: two_factor_view(request, admin.site)),
        name="admin_two_factor",
    ),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", require_safe(site.robots_txt), name="robots_txt"),
    path("healthz/", require_safe(site.healthz), name="healthz"),
    path("", include("resources.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
