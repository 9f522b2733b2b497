"""The "catalog editor" group: enough to maintain the catalog, nothing else.

Plans and operators are retired, never deleted, so the group has no delete
permission on them; coverage entries and promotions belong to a plan and may be
removed with it edited.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "catalog editor"
PERMISSIONS = {
    "operator": ["add", "change", "view"],
    "plan": ["add", "change", "view"],
    "coverageentry": ["add", "change", "delete", "view"],
    "coveragecountry": ["view"],
    "promotion": ["add", "change", "delete", "view"],
    "region": ["add", "change", "view"],
    "rateset": ["add", "view"],
    "rate": ["add", "change", "view"],
    "planchange": ["view"],
    "catalogversion": ["view"],
    "catalogimport": ["add", "view"],
}


def create_group(apps, schema_editor):
    # Permissions are created after migrations run; make them exist now.
    app_config = apps.get_app_config("catalog")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [f"{action}_{model}" for model, actions in PERMISSIONS.items() for action in actions]
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames)
    )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
