"""The search document from its one definition (resources/search/document.py); the document
itself is unchanged. A later change to the document is an edit there and a migration like this."""

from django.db import migrations

from resources.search.document import install


def forward(apps, schema_editor):
    install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("resources", "0011_reading_time_at_least_a_minute")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
