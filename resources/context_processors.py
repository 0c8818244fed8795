from django.conf import settings


def site(request):
    """What every page shows: the site's name and where to find help now."""
    return {"site_name": settings.SITE_NAME, "crisis_support_text": settings.CRISIS_SUPPORT_TEXT}
