"""Template helpers for the admin's own pages."""

from django import template

from resources.admin.attention import rows_for

register = template.Library()


@register.simple_tag
def needs_attention(user):
    return rows_for(user)
