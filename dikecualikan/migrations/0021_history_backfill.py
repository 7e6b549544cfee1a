"""Stamp the history written before 0020 with its actors' names and its chain hashes.

The names are those of the accounts at the time of this migration (the best record
there is of who they were); from here on each row keeps the name it was written with.
"""

from django.db import migrations

from dikecualikan.history import backfill

NAMES = {
    "Transition": ((), {"actor": ("actor_name", "actor_role")}),
    "Approval": ((), {"user": ("user_name", None)}),
}


def forwards(apps, schema_editor):
    backfill(apps, "dikecualikan", NAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("dikecualikan", "0020_history_names_and_chains"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
