"""The archive's chains are keyed, and softcopy versions are append-only (issue 24, point 6).

The access log's and the custody log's chains are verified as they were written (plain
SHA-256) and sealed again under settings.HISTORY_KEY, as dikecualikan 0031 does for the
register's (a broken chain stops the migration; nothing is changed then). A softcopy
version's row (its file name and SHA-256) is written once: the database refuses UPDATE,
DELETE and TRUNCATE on it, plain SQL included.
"""

from django.db import migrations

from dikecualikan.history import drop_triggers, install_triggers, reseal

CUSTODY_CLOSING = ("checked_in_at", "checked_in_by", "checked_in_by_name", "checked_in_by_role")
CHAINED = {
    "AccessLog": ((), ()),
    "Custody": (CUSTODY_CLOSING, ()),
}


def forwards(apps, schema_editor):
    reseal(apps, schema_editor, "arsip", CHAINED)
    install_triggers(schema_editor, apps.get_model("arsip", "SoftcopyVersion"))


def backwards(apps, schema_editor):
    drop_triggers(schema_editor, apps.get_model("arsip", "SoftcopyVersion"))


class Migration(migrations.Migration):
    dependencies = [
        ("arsip", "0008_places_are_kept"),
        ("dikecualikan", "0031_keyed_history"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
