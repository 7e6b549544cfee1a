"""The database refuses UPDATE, DELETE and TRUNCATE on the archive's history tables.

A custody row may be closed once (its return filled in), and nothing else of it changes.
"""

from django.db import migrations

from dikecualikan.history import drop_triggers, install_triggers

TABLES = {
    "Placement": (),
    "AccessLog": (),
    "Custody": ("checked_in_at", "checked_in_by", "checked_in_by_name", "checked_in_by_role"),
    "FixityCheck": (),
}


def forwards(apps, schema_editor):
    for name, closing in TABLES.items():
        install_triggers(schema_editor, apps.get_model("arsip", name), closing)


def backwards(apps, schema_editor):
    for name in TABLES:
        drop_triggers(schema_editor, apps.get_model("arsip", name))


class Migration(migrations.Migration):
    dependencies = [("arsip", "0006_history_backfill"), ("dikecualikan", "0022_history_triggers")]

    operations = [migrations.RunPython(forwards, backwards)]
