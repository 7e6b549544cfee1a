"""Freeze the rows of the DIK versions made before 0023, and chain them.

Until now a version's exports were recomputed from the live records, so the rows
frozen here are the records' public fields as they stand at this migration (the best
record there is of what was published); from here on each row is kept as published.
The triggers go off for the fill and back on after (and SQLite remade the table for
0023, which took its triggers: they are installed again here).
"""

from django.db import migrations

from dikecualikan.history import chain_of, drop_triggers, install_triggers


def forwards(apps, schema_editor):
    DikChange = apps.get_model("dikecualikan", "DikChange")
    drop_triggers(schema_editor, DikChange)
    added = DikChange.objects.filter(kind="added")
    if added.exists():
        # The live code's open data rows, once, on a database that has rows: a fresh
        # database has none and never runs it (so later schemas cannot break it).
        from dikecualikan.dik import open_data_rows
        from dikecualikan.models import Record

        records = Record.objects.filter(pk__in=added.values("record_id"))
        published = {row["nomor"]: row for row in open_data_rows(records)}
        previous = ""
        for change in DikChange.objects.order_by("pk").iterator():
            if change.kind == "added":
                change.data = published.get(change.record_id, {})
            change.chain = previous = chain_of(previous, change, ())
            change.save(update_fields=["data", "chain"])
    install_triggers(schema_editor, DikChange)


class Migration(migrations.Migration):
    dependencies = [("dikecualikan", "0023_dik_rows_as_published")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
