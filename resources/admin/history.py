"""
History in words, for every admin page with a History button (django-simple-history): who
(or which command), when (in the site's time zone, to the minute), why (the step's or the
action's name, the review note) and what changed, field by field, with whole values, the
topics and credits of a resource included. Restoring an earlier version is recorded too.
"""

import datetime

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from simple_history.template_utils import HistoricalRecordContextHelper

# A resource's history notes its topics and credits beside its fields (models.py).
LINK_FIELDS = [("topics_text", "Topics"), ("credits_text", "Creators")]


def shown(value):
    if value in (None, "", []):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "j F Y, H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    return str(value)


class WholeValues:
    """The diff display, without shortening a value to "psych[16 chars]y"."""

    def common_shorten_repr(self, *values):
        return values


class ReadableChanges(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.choices:
            value = dict(field.flatchoices).get(value, value)
        elif isinstance(field, models.FileField):
            value = getattr(value, "name", value)
        return shown(value)

    def get_obj_diff_display(self):
        return WholeValues()


class ReadableHistory:
    """For a SimpleHistoryAdmin: its History page and restores, in words."""

    object_history_list_template = "admin/resources/object_history_list.html"

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        records = list(historical_records)
        for newer, older in zip(records, records[1:], strict=False):
            for name, label in LINK_FIELDS:
                old, new = getattr(older, name, None), getattr(newer, name, None)
                if old != new:
                    newer.history_delta_changes.append(
                        {"field": label, "old": shown(old), "new": shown(new)}
                    )

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        request.restoring = version_id
        return super().history_form_view(request, object_id, version_id, extra_context)

    def change_reason(self, request, change):
        """Why a plain save happened: a restore, an edit or an addition."""
        version_id = getattr(request, "restoring", None)
        if version_id is not None:
            version = self.model.history.model.objects.filter(history_id=version_id).first()
            if version is not None:
                return f"Restored the version of {shown(version.history_date)}"
        return "Edited" if change else "Added"

    def save_model(self, request, obj, form, change):
        reason, note = self.change_reason(request, change), getattr(obj, "_history_note", "")
        obj._change_reason = f"{reason}; {note}" if note else reason
        super().save_model(request, obj, form, change)
