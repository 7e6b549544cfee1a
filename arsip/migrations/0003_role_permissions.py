"""Let the roles view the custody log and the fixity results in the admin (read-only)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = {
    "desk": ["view_custody"],
    "ppid": ["view_custody", "view_fixitycheck"],
    "atasan": ["view_custody", "view_fixitycheck"],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("arsip")
    if getattr(app_config, "models_module", None) is None:
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in VIEW.items():
        group = Group.objects.filter(name=name).first()
        if group:
            group.permissions.add(*Permission.objects.filter(
                content_type__app_label="arsip", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("arsip", "0002_access_custody_fixity"), ("dikecualikan", "0003_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
