from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

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
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", site.robots_txt, name="robots_txt"),
    path("healthz/", site.healthz, name="healthz"),
    path("", include("resources.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
