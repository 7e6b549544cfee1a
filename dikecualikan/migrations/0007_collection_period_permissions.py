"""The PPID maintains the collection periods in the admin; every role may view them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    app_config = apps.get_app_config("dikecualikan")
    if getattr(app_config, "models_module", None) is None:
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = {p.codename: p for p in Permission.objects.filter(
        content_type__app_label="dikecualikan", codename__endswith="_collectionperiod")}
    for group in Group.objects.filter(
            name__in=["desk", "ppid", "pembina", "tim_pertimbangan", "atasan"]):
        group.permissions.add(perms["view_collectionperiod"])
        if group.name == "ppid":
            group.permissions.add(perms["add_collectionperiod"], perms["change_collectionperiod"])


class Migration(migrations.Migration):
    dependencies = [("dikecualikan", "0006_collection_period"), ("dikecualikan", "0003_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
