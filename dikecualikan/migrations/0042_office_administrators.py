"""Each office may have administrators: the role "admin" in an office, and its group, which
says what they may do in the admin: the office's people (accounts and their roles there),
its storage places and days off, and its identity. Nothing of the register: the group has no
permission on records, files or history, and the role opens no staff page.
"""

from django.contrib.auth.management import create_permissions

from django.db import migrations, models


PERMISSIONS = {
    "auth": ["view_user", "add_user", "change_user"],
    "dikecualikan": [
        "view_membership",
        "add_membership",
        "change_membership",
        "delete_membership",
        "view_officeday",
        "add_officeday",
        "change_officeday",
        "delete_officeday",
        "view_office",
        "change_office",
    ],
    "arsip": ["view_location", "add_location", "change_location"],
}


def make_group(apps, schema_editor):
    for label in PERMISSIONS:
        app_config = apps.get_app_config(label)
        if getattr(app_config, "models_module", None) is None:
            app_config.models_module = True
            create_permissions(app_config, apps=apps, verbosity=0)
            app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _made = Group.objects.get_or_create(name="admin")
    for label, codenames in PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
        )


def drop_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="admin").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dikecualikan", "0041_dik_versions_per_office"),
        ("arsip", "0010_places_per_office"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AlterField(
            model_name="membership",
            name="role",
            field=models.CharField(
                choices=[
                    ("desk", "Desk Pelayanan Informasi"),
                    ("ppid", "PPID"),
                    ("pembina", "Pembina PPID"),
                    ("tim_pertimbangan", "Tim Pertimbangan PPID"),
                    ("atasan", "Atasan PPID"),
                    ("admin", "Office administrator"),
                ],
                max_length=20,
                verbose_name="role",
            ),
        ),
        migrations.RunPython(make_group, drop_group),
    ]
