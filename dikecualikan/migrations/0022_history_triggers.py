"""The database refuses UPDATE, DELETE and TRUNCATE on the register's history tables.

Plain SQL included: only the tables' owner can drop these triggers, and the chain
hashes (verify_history) show what was rewritten if one does.
"""

from django.db import migrations

from dikecualikan.history import drop_triggers, install_triggers

TABLES = {
    "Transition": (),
    "Approval": (),
    "DecisionItem": ("withdrawn_at", "withdrawn_by", "withdrawal_note"),
    "DecisionLog": (),
    "DikVersion": (),
    "DikChange": (),
    "CapChange": (),
    "Objection": (),
    "ObjectionAnswer": (),
    "Ruling": (),
    "ConsequenceTest": (),
}


def forwards(apps, schema_editor):
    for name, closing in TABLES.items():
        install_triggers(schema_editor, apps.get_model("dikecualikan", name), closing)


def backwards(apps, schema_editor):
    for name in TABLES:
        drop_triggers(schema_editor, apps.get_model("dikecualikan", name))


class Migration(migrations.Migration):
    dependencies = [("dikecualikan", "0021_history_backfill")]

    operations = [migrations.RunPython(forwards, backwards)]
