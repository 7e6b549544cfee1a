"""Every root row of an office's register knows its office: records, collection periods,
days off, staff documents and the outbox. Each existing row is the default office's (the
one office a single-office install has served); a new row takes the acting office.

The column is added empty, filled, then required: on SQLite requiring it remakes the
tables, which takes the records' published-columns triggers with them, so they are
installed again last. Days off become unique per office.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import dikecualikan.office
from dikecualikan.history import drop_published_triggers, install_published_triggers

KEPT = importlib.import_module("dikecualikan.migrations.0031_keyed_history").KEPT
OWNED = ["record", "collectionperiod", "officeday", "document", "outgoingmail"]


def fill(apps, schema_editor):
    Office = apps.get_model("dikecualikan", "Office")
    default = Office.objects.get(slug=settings.PPID_DEFAULT_OFFICE)
    for name in OWNED:
        apps.get_model("dikecualikan", name)._base_manager.update(office=default)


def drop_triggers(apps, schema_editor):
    drop_published_triggers(schema_editor, apps.get_model("dikecualikan", "Record"))


def install_triggers(apps, schema_editor):
    install_published_triggers(schema_editor, apps.get_model("dikecualikan", "Record"), KEPT)


def office_field(null, related_name="+"):
    return models.ForeignKey(
        default=None if null else dikecualikan.office.acting_pk,
        null=null,
        editable=False,
        on_delete=django.db.models.deletion.PROTECT,
        related_name=related_name,
        to="dikecualikan.office",
        verbose_name="office",
    )


class Migration(migrations.Migration):
    dependencies = [("dikecualikan", "0037_offices")]

    operations = [
        *(
            migrations.AddField(
                model_name=name,
                name="office",
                field=office_field(True, "records" if name == "record" else "+"),
            )
            for name in OWNED
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(drop_triggers, install_triggers),
        *(
            migrations.AlterField(
                model_name=name,
                name="office",
                field=office_field(False, "records" if name == "record" else "+"),
            )
            for name in OWNED
        ),
        migrations.AlterField(
            model_name="officeday",
            name="date",
            field=models.DateField(verbose_name="date"),
        ),
        migrations.AddConstraint(
            model_name="officeday",
            constraint=models.UniqueConstraint(fields=("office", "date"), name="office_day_unique"),
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]
