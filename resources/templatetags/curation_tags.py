"""Template helpers for the admin's own pages."""

from django import template
from django.conf import settings

from resources import workflow
from resources.admin.attention import rows_for
from resources.admin.two_factor import confirmed_devices

register = template.Library()


@register.simple_tag
def needs_attention(user):
    return rows_for(user)


@register.simple_tag
def two_factor_status(user):
    """Whether `user` has a second factor, and whether they need one to publish."""
    needed = (
        settings.ADMIN_REQUIRE_2FA
        and user.has_perm(workflow.PUBLISH_PERMISSION)
        and not workflow.can_publish(user)
    )
    return {"on": bool(confirmed_devices(user)), "needed": needed}
