"""An objection is an office's: its records are that office's, its Atasan PPID answers it.
Every existing objection is the default office's (the one office a single-office install
has served); its answer and rulings follow it.

The column is added empty, filled, then required. Objections are history (append-only):
their triggers are lifted for the filling and installed again last (on SQLite, requiring
the column remakes the table, which takes its triggers with it).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import dikecualikan.office
from dikecualikan.history import drop_triggers, install_triggers


def fill(apps, schema_editor):
    Office = apps.get_model("dikecualikan", "Office")
    default = Office.objects.get(slug=settings.PPID_DEFAULT_OFFICE)
    apps.get_model("dikecualikan", "Objection")._base_manager.update(office=default)


def lift(apps, schema_editor):
    drop_triggers(schema_editor, apps.get_model("dikecualikan", "Objection"))


def guard(apps, schema_editor):
    install_triggers(schema_editor, apps.get_model("dikecualikan", "Objection"))


def office_field(null):
    return models.ForeignKey(
        default=None if null else dikecualikan.office.acting_pk,
        null=null,
        editable=False,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="dikecualikan.office",
        verbose_name="office",
    )


class Migration(migrations.Migration):
    dependencies = [("dikecualikan", "0042_office_administrators")]

    operations = [
        migrations.RunPython(lift, guard),
        migrations.AddField(model_name="objection", name="office", field=office_field(True)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(model_name="objection", name="office", field=office_field(False)),
        migrations.RunPython(guard, lift),
    ]
