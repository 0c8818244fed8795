"""The Curators group: may add, change and view the library's content, not users or groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_MODELS = [
    "resource", "book", "video", "article", "quote", "topic", "creator", "collection",
]
# Links between content: removing a topic, a credit or a collection step deletes a link row.
LINK_MODELS = ["credit", "taggedtopic", "collectionstep"]


def create_curators_group(apps, schema_editor):
    # Permissions are normally made after migrate; make them now so the group can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    codenames = [
        f"{action}_{model}" for model in CONTENT_MODELS for action in ("add", "change", "view")
    ] + [
        f"{action}_{model}"
        for model in LINK_MODELS
        for action in ("add", "change", "view", "delete")
    ]
    group, _ = Group.objects.get_or_create(name="Curators")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="resources", codename__in=codenames)
    )


def remove_curators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Curators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_curators_group, remove_curators_group)]
