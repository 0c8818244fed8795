"""
Two curators on one item. Every change form carries the version of the row it was opened on
(a hidden, signed field); saving a copy that is out of date is refused, naming who saved
since and when, with a link to what they changed, and what the curator typed stays in the
form. The save itself is conditional on the version (django-concurrency: UPDATE … WHERE
version = the one read), so two saves racing cannot both win: the loser is refused the same
way. Bulk actions check each item against the version its list showed.
"""

from concurrency.exceptions import RecordModifiedError
from concurrency.forms import VersionField
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .history import shown


def current_version(obj):
    manager = type(obj)._default_manager
    return manager.filter(pk=obj.pk).values_list("version", flat=True).first()


def saved_since(obj):
    """ "Ada Byron saved it on 1 December 2026, 23:18 (see what changed)": the last save."""
    latest = obj.history.first()
    who = "Someone"
    if latest is not None and latest.history_user is not None:
        who = latest.history_user.get_full_name() or latest.history_user.get_username()
    elif latest is not None:
        who = "A command"
    when = shown(latest.history_date) if latest is not None else "just now"
    meta = obj._meta
    history = reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[obj.pk])
    return format_html(
        '{} saved it on {}, after you opened it (<a href="{}">see what changed</a>)',
        who,
        when,
        history,
    )


def opened_version(request):
    """The version a posted form was opened on, or None when it carries none."""
    value = request.POST.get("version")
    try:
        return VersionField().clean(value) if value else None
    except ValidationError:
        return None


class VersionCheckedForm(forms.ModelForm):
    def __init__(self, *args, instance=None, **kwargs):
        if instance is not None and instance.pk and not instance.version:
            # An earlier version being restored: it is based on the row as it is now.
            instance.version = current_version(instance) or 0
        super().__init__(*args, instance=instance, **kwargs)

    def clean(self):
        data = super().clean()
        opened = data.get("version")
        if self.instance.pk and opened is not None:
            current = current_version(self.instance)
            if current is not None and current != opened:
                # The next save, once the curator has seen the other change, may replace it.
                self.data = self.data.copy()
                self.data[self.add_prefix("version")] = self.fields["version"].prepare_value(
                    current
                )
                raise ValidationError(
                    format_html(
                        "Not saved: {}. What you typed is still below: compare it with their "
                        "change, then save again to replace it with yours.",
                        saved_since(self.instance),
                    ),
                    code="out_of_date",
                )
        return data


class VersionedAdmin:
    """For a ModelAdmin of a versioned model."""

    form = VersionCheckedForm

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except RecordModifiedError:
            # Saved by someone else between this form's check and its save: nothing of it
            # was written (the view's transaction was rolled back). Shown again, the form
            # now finds itself out of date and says so, with what was typed.
            return super().changeform_view(request, object_id, form_url, extra_context)

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        """The row's checkbox, and the version the list shows, for the bulk actions."""
        return format_html(
            '{}<input type="hidden" name="_version_{}" value="{}">',
            super().action_checkbox(obj),
            obj.pk,
            obj.version,
        )

    def out_of_date(self, request, obj):
        """For a bulk action: the item was saved since the list was shown."""
        shown_version = request.POST.get(f"_version_{obj.pk}")
        return shown_version is not None and shown_version != str(obj.version)
