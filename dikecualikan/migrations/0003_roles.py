"""Create the five roles of the SOP as groups, with the admin permissions each needs.

Every role may view the register; nobody gets a delete permission, and state
changes go through the workflow, not through permissions.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_ALL = [
    ("dikecualikan", m) for m in ("record", "transition", "approval", "decision",
                                  "decisionitem", "exemptionground")
] + [("arsip", m) for m in ("softcopy", "softcopyversion", "location", "placement")]

EXTRA = {
    "desk": [("arsip", "add_location"), ("arsip", "change_location")],
    "ppid": [("arsip", "add_location"), ("arsip", "change_location"),
             ("dikecualikan", "change_exemptionground")],
    "pembina": [],
    "tim_pertimbangan": [],
    "atasan": [],
}


def create_roles(apps, schema_editor):
    # Permissions are normally made after migrate; this migration needs them now.
    # Historical app configs have no models module, which create_permissions requires.
    for app_config in apps.get_app_configs():
        if getattr(app_config, "models_module", None) is None:
            app_config.models_module = True
            create_permissions(app_config, apps=apps, verbosity=0)
            app_config.models_module = None
        else:
            create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, extra in EXTRA.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = [(app, f"view_{model}") for app, model in VIEW_ALL] + extra
        for app, codename in wanted:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("dikecualikan", "0002_exemption_grounds"),
        ("arsip", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
