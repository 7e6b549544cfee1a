"""Stamp the access log and the custody log written before 0005 with names and chains.

The names are those of the accounts at the time of this migration (the best record
there is of who they were); from here on each row keeps the name it was written with.
"""

from django.db import migrations

from dikecualikan.history import backfill

NAMES = {
    "AccessLog": ((), {"user": ("user_name", "user_role")}),
    "Custody": (
        ("checked_in_at", "checked_in_by", "checked_in_by_name", "checked_in_by_role"),
        {
            "checked_out_by": ("checked_out_by_name", "checked_out_by_role"),
            "checked_in_by": ("checked_in_by_name", "checked_in_by_role"),
        },
    ),
}


def forwards(apps, schema_editor):
    backfill(apps, "arsip", NAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("arsip", "0005_history_names_and_chains"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
