"""
The curators' workplace: the Django admin. `resources` holds the four kinds and the review
workflow's buttons and pages, `library` topics, people and reading paths, `attention` the
"Needs attention" panel of the index. Every change page has a History button
(django-simple-history): who changed what and when, and any earlier version, restorable.
"""

from django.contrib import admin

from . import library, resources  # noqa: F401 (registers the admin pages)
from .two_factor import SignInForm

admin.site.site_header = "Therapy Library curation"
admin.site.site_title = "Therapy Library curation"
admin.site.index_title = "Curate the library"
admin.site.enable_nav_sidebar = False  # the lists need the width; Home lists every page
admin.site.login_form = SignInForm
