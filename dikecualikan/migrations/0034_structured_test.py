"""A consequence test that deserves the name (issue 25, item 8).

17j's statute as a structured reference (type, number, year, pasal); the officials who
took part, chosen from the users (the text the sheet prints is written from them and from
the outside experts); the reason for withholding what concerns a public office.

SQLite remakes the records' table for these columns, and its published-row triggers go
with the old table: they are put back last (and first when undone, as in 0032).
"""

import importlib

from django.conf import settings
from django.db import migrations, models

from dikecualikan.history import drop_published_triggers, install_published_triggers

# The published columns are those 0031 named: listed once, there.
KEPT = importlib.import_module("dikecualikan.migrations.0031_keyed_history").KEPT


def triggers(apps, schema_editor):
    Record = apps.get_model("dikecualikan", "Record")
    drop_published_triggers(schema_editor, Record)
    install_published_triggers(schema_editor, Record, KEPT)


class Migration(migrations.Migration):
    dependencies = [
        ("dikecualikan", "0033_deciding_bodies_fixed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Undone, the table is remade again (SQLite): the triggers come back last then too.
        migrations.RunPython(migrations.RunPython.noop, triggers),
        migrations.AddField(
            model_name="record",
            name="public_office_reason",
            field=models.TextField(
                blank=True, verbose_name="why it is withheld although it concerns a public office"
            ),
        ),
        migrations.AddField(
            model_name="record",
            name="statute_article",
            field=models.CharField(blank=True, max_length=100, verbose_name="article (pasal)"),
        ),
        migrations.AddField(
            model_name="record",
            name="statute_number",
            field=models.CharField(blank=True, max_length=20, verbose_name="statute number"),
        ),
        migrations.AddField(
            model_name="record",
            name="statute_type",
            field=models.CharField(
                blank=True,
                choices=[
                    ("uu", "Undang-Undang"),
                    ("perppu", "Peraturan Pemerintah Pengganti Undang-Undang"),
                    ("pp", "Peraturan Pemerintah"),
                    ("perpres", "Peraturan Presiden"),
                    ("pkpu", "Peraturan KPU"),
                    ("perki", "Peraturan Komisi Informasi"),
                    ("other", "Another regulation"),
                ],
                max_length=16,
                verbose_name="type of the statute",
            ),
        ),
        migrations.AddField(
            model_name="record",
            name="statute_year",
            field=models.PositiveSmallIntegerField(
                blank=True, null=True, verbose_name="statute year"
            ),
        ),
        migrations.AddField(
            model_name="record",
            name="test_experts",
            field=models.TextField(
                blank=True,
                help_text="One a line: name, position and institution.",
                verbose_name="outside experts taking part",
            ),
        ),
        migrations.AddField(
            model_name="record",
            name="test_officials",
            field=models.ManyToManyField(
                blank=True,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="officials taking part in the test",
            ),
        ),
        migrations.RunPython(triggers, migrations.RunPython.noop),
    ]
