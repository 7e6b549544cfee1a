"""Nobody becomes someone else unnoticed (issue 24, point 5).

The user history gains three kinds (a password set by someone else, an enrolment code
made, a role's permissions changed), a `detail` (what a role gained or lost) and an empty
person (a role's permissions concern nobody in particular); the enrolment codes are kept
as hashes. SQLite remakes the user history's table for the altered columns, and its
triggers go with the old table: they are put back.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from dikecualikan.history import drop_triggers, install_triggers


def triggers(apps, schema_editor):
    model = apps.get_model("dikecualikan", "UserEvent")
    drop_triggers(schema_editor, model)
    install_triggers(schema_editor, model)


class Migration(migrations.Migration):
    dependencies = [
        ("dikecualikan", "0029_user_event_superuser"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Undone, the table is remade again (SQLite): the triggers come back last then too.
        migrations.RunPython(migrations.RunPython.noop, triggers),
        migrations.AddField(
            model_name="userevent",
            name="detail",
            field=models.TextField(blank=True, verbose_name="details"),
        ),
        migrations.AlterField(
            model_name="userevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("granted", "Role granted"),
                    ("removed", "Role removed"),
                    ("factor_enrolled", "Second factor set up"),
                    ("factor_reset", "Second factor reset"),
                    ("superuser_on", "Made a superuser"),
                    ("superuser_off", "No longer a superuser"),
                    ("password_set", "Password set by someone else"),
                    ("enrolment_code", "Enrolment code made"),
                    ("role_permissions", "Permissions of a role changed"),
                ],
                max_length=16,
                verbose_name="event",
            ),
        ),
        migrations.AlterField(
            model_name="userevent",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="person",
            ),
        ),
        migrations.CreateModel(
            name="EnrolmentCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("digest", models.CharField(max_length=64, verbose_name="hash of the code")),
                ("expires", models.DateTimeField(verbose_name="valid until")),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="person",
                    ),
                ),
            ],
            options={
                "verbose_name": "enrolment code",
                "verbose_name_plural": "enrolment codes",
            },
        ),
        migrations.RunPython(triggers, migrations.RunPython.noop),
    ]
