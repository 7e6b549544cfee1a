"""Each office numbers its own DIK versions: a version, and each rendered PDF of one, is an
office's. Every existing version and PDF is the default office's (the one office a
single-office install has served), so its numbers, files and URLs stay as they were.

The column is added empty, filled, then required. The versions are history (append-only):
their triggers are lifted for the filling and installed again last (on SQLite, requiring
the column remakes the table, which takes its triggers with it).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import dikecualikan.office
from dikecualikan.history import drop_triggers, install_triggers

OWNED = {"dikversion": "dik_versions", "rendereddik": "+"}


def fill(apps, schema_editor):
    Office = apps.get_model("dikecualikan", "Office")
    default = Office.objects.get(slug=settings.PPID_DEFAULT_OFFICE)
    for name in OWNED:
        apps.get_model("dikecualikan", name)._base_manager.update(office=default)


def lift(apps, schema_editor):
    drop_triggers(schema_editor, apps.get_model("dikecualikan", "DikVersion"))


def guard(apps, schema_editor):
    install_triggers(schema_editor, apps.get_model("dikecualikan", "DikVersion"))


def office_field(null, related_name):
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
    dependencies = [("dikecualikan", "0040_chains_per_office")]

    operations = [
        migrations.RunPython(lift, guard),
        *(
            migrations.AddField(model_name=name, name="office", field=office_field(True, related))
            for name, related in OWNED.items()
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        *(
            migrations.AlterField(
                model_name=name, name="office", field=office_field(False, related)
            )
            for name, related in OWNED.items()
        ),
        migrations.AlterField(
            model_name="dikversion",
            name="number",
            field=models.PositiveIntegerField(verbose_name="version"),
        ),
        migrations.AddConstraint(
            model_name="dikversion",
            constraint=models.UniqueConstraint(
                fields=("office", "number"), name="dik_version_unique"
            ),
        ),
        migrations.RunPython(guard, lift),
    ]
