"""The Editors group: what Curators may do, and publish (resources.publish_resource)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_editors_group(apps, schema_editor):
    # Permissions are normally made after migrate; make them now so the group can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    curators, _ = Group.objects.get_or_create(name="Curators")
    editors, _ = Group.objects.get_or_create(name="Editors")
    publish = Permission.objects.get(content_type__app_label="resources", codename="publish_resource")
    editors.permissions.set([*curators.permissions.all(), publish])


def remove_editors_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [("resources", "0013_publish_permission")]

    operations = [migrations.RunPython(create_editors_group, remove_editors_group)]
