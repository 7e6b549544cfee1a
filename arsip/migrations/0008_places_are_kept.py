"""A hardcopy place is never renamed or deleted: the database refuses it (plain SQL too).

Only "in use" may change; a new name is a new place (the admin makes one).
"""

from django.db import migrations

from dikecualikan.history import drop_triggers, install_kept_triggers


def forwards(apps, schema_editor):
    install_kept_triggers(schema_editor, apps.get_model("arsip", "Location"), ["is_active"])


def backwards(apps, schema_editor):
    drop_triggers(schema_editor, apps.get_model("arsip", "Location"))


class Migration(migrations.Migration):
    dependencies = [("arsip", "0007_history_triggers")]

    operations = [migrations.RunPython(forwards, backwards)]
