"""Each hardcopy place is an office's: the existing ones are the default office's, and a
place's name is unique within its office. The places' kept-columns triggers go off for the
fill and come back last (on SQLite requiring the column remakes the table)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import dikecualikan.office
from dikecualikan.history import drop_triggers, install_kept_triggers


def fill(apps, schema_editor):
    Office = apps.get_model("dikecualikan", "Office")
    default = Office.objects.get(slug=settings.PPID_DEFAULT_OFFICE)
    apps.get_model("arsip", "Location")._base_manager.update(office=default)


def triggers_off(apps, schema_editor):
    drop_triggers(schema_editor, apps.get_model("arsip", "Location"))


def triggers_on(apps, schema_editor):
    install_kept_triggers(schema_editor, apps.get_model("arsip", "Location"), ["is_active"])


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
    dependencies = [
        ("arsip", "0009_keyed_history"),
        ("dikecualikan", "0038_office_owned_rows"),
    ]

    operations = [
        migrations.RunPython(triggers_off, triggers_on),
        migrations.RemoveConstraint(model_name="location", name="location_unique"),
        migrations.AddField(model_name="location", name="office", field=office_field(True)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(model_name="location", name="office", field=office_field(False)),
        migrations.AddConstraint(
            model_name="location",
            constraint=models.UniqueConstraint(
                fields=("office", "building", "room", "cabinet", "shelf"),
                name="location_unique_in_office",
            ),
        ),
        migrations.RunPython(triggers_on, triggers_off),
    ]
