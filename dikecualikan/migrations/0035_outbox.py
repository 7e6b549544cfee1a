"""The outbox: each mail a row, sent by the worker (issue 27).

The PPID and the Atasan PPID may view it in the admin.
"""

import django.db.models.deletion
import django.utils.timezone
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def grant(apps, schema_editor):
    """The PPID and the Atasan PPID, who see failed mails, may read the outbox in the admin."""
    app_config = apps.get_app_config("dikecualikan")
    if getattr(app_config, "models_module", None) is None:
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.get(
        content_type__app_label="dikecualikan", codename="view_outgoingmail"
    )
    for group in Group.objects.filter(name__in=["ppid", "atasan"]):
        group.permissions.add(view)


class Migration(migrations.Migration):
    dependencies = [
        ("dikecualikan", "0034_structured_test"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutgoingMail",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("to", models.EmailField(max_length=254, verbose_name="to")),
                ("subject", models.CharField(max_length=300, verbose_name="subject")),
                ("body", models.TextField(verbose_name="body")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="written"),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "Waiting to be sent"),
                            ("sent", "Sent"),
                            ("failed", "Not sent"),
                        ],
                        db_index=True,
                        default="pending",
                        max_length=8,
                        verbose_name="status",
                    ),
                ),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="attempts")),
                ("last_error", models.TextField(blank=True, verbose_name="last error")),
                (
                    "last_attempt_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="last attempt"),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="sent")),
                (
                    "decision",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="mails",
                        to="dikecualikan.decision",
                        verbose_name="decision",
                    ),
                ),
                (
                    "record",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="mails",
                        to="dikecualikan.record",
                        verbose_name="record",
                    ),
                ),
            ],
            options={
                "verbose_name": "outgoing mail",
                "verbose_name_plural": "outbox",
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
