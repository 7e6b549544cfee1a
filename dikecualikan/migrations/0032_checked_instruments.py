"""The register checks what it took on trust (issue 25, items 1 and 2).

1. A redacted copy keeps its SHA-256 (never an original's), who uploaded it, and who
   confirmed it and when (someone else; a new upload needs a new confirmation).
2. The bodies that rule in a dispute are data (RulingBody), loaded here; each change by a
   superuser is logged (RulingBodyChange). A ruling's body, free text until now, becomes a
   choice of them: the old text column is kept, renamed `body_name` (the name as written
   then, like Decision.issuer), and each existing ruling whose text names a body of the
   list (ignoring case and spaces) is linked to it; any other keeps only its text.

SQLite remakes the records' and the rulings' tables for these changes, and their triggers
go with the old tables: they are put back last (and first when undone, as in 0030).
"""

import importlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from dikecualikan.history import (
    drop_published_triggers,
    drop_triggers,
    install_published_triggers,
    install_triggers,
)

# The published columns are those 0031 named: listed once, there.
KEPT = importlib.import_module("dikecualikan.migrations.0031_keyed_history").KEPT

# UU 14/2008 Pasal 23-27 (Komisi Informasi), 47-50 (PTUN, Pengadilan Negeri, Mahkamah Agung);
# a dispute with a KPU Kota is heard by the Komisi Informasi of its province, or the
# Komisi Informasi Pusat where none sits (Pasal 27(3)).
BODIES = [
    ("Komisi Informasi Pusat", 1, "UU 14/2008 Pasal 23-27, Pasal 37-38"),
    ("Komisi Informasi Provinsi Kalimantan Barat", 1, "UU 14/2008 Pasal 23-27, Pasal 37-38"),
    ("Pengadilan Tata Usaha Negara (PTUN) Pontianak", 2, "UU 14/2008 Pasal 47(1), Pasal 48"),
    ("Pengadilan Tinggi Tata Usaha Negara (PT TUN) Jakarta", 2, "UU 14/2008 Pasal 47(1), 48"),
    ("Pengadilan Negeri Pontianak", 2, "UU 14/2008 Pasal 47(2), Pasal 48"),
    ("Mahkamah Agung", 3, "UU 14/2008 Pasal 50"),
]


def _plain(name: str) -> str:
    return " ".join((name or "").lower().split())


def load_bodies(apps, schema_editor):
    RulingBody = apps.get_model("dikecualikan", "RulingBody")
    Ruling = apps.get_model("dikecualikan", "Ruling")
    bodies = {}
    for name, instance, basis in BODIES:
        body, _created = RulingBody.objects.get_or_create(
            name=name, defaults={"instance": instance, "basis": basis}
        )
        bodies[_plain(name)] = body
    # Rulings are history: linking the old ones to their body is the migration's one
    # rewrite, done as the tables' owner with the triggers lifted.
    drop_triggers(schema_editor, Ruling)
    for ruling in Ruling._base_manager.filter(body__isnull=True):
        body = bodies.get(_plain(ruling.body_name))
        if body is not None:
            Ruling._base_manager.filter(pk=ruling.pk).update(body=body)
    if schema_editor.connection.vendor == "postgresql":
        # The deferred foreign-key checks run now: a table with pending trigger events
        # cannot take new triggers in the same transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    install_triggers(schema_editor, Ruling)


def triggers(apps, schema_editor):
    Record = apps.get_model("dikecualikan", "Record")
    drop_published_triggers(schema_editor, Record)
    install_published_triggers(schema_editor, Record, KEPT)
    for name in ("Ruling", "RulingBodyChange"):
        model = apps.get_model("dikecualikan", name)
        drop_triggers(schema_editor, model)
        install_triggers(schema_editor, model)


def triggers_back(apps, schema_editor):
    Record = apps.get_model("dikecualikan", "Record")
    drop_published_triggers(schema_editor, Record)
    install_published_triggers(schema_editor, Record, KEPT)
    Ruling = apps.get_model("dikecualikan", "Ruling")
    drop_triggers(schema_editor, Ruling)
    install_triggers(schema_editor, Ruling)


class Migration(migrations.Migration):
    dependencies = [
        ("dikecualikan", "0031_keyed_history"),
    ]

    operations = [
        # Undone, the tables are remade again (SQLite): the triggers come back last then too.
        migrations.RunPython(migrations.RunPython.noop, triggers_back),
        migrations.AddField(
            model_name="record",
            name="redacted_sha256",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=64,
                verbose_name="SHA-256 of the redacted copy",
            ),
        ),
        migrations.AddField(
            model_name="record",
            name="redacted_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="redacted copy uploaded by",
            ),
        ),
        migrations.AddField(
            model_name="record",
            name="redaction_confirmed_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="redacted copy confirmed by",
            ),
        ),
        migrations.AddField(
            model_name="record",
            name="redaction_confirmed_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="redacted copy confirmed at"
            ),
        ),
        migrations.AlterField(
            model_name="transition",
            name="action",
            field=models.CharField(
                choices=[
                    ("collect", "Collected on the DIK form"),
                    ("edit", "Edited"),
                    ("classify", "Classified"),
                    ("submit", "Submitted for approval"),
                    ("approve", "Approved"),
                    ("return", "Returned"),
                    ("reject", "Rejected"),
                    ("upload", "Softcopy uploaded"),
                    ("place", "Hardcopy place recorded"),
                    ("check_out", "Hardcopy taken out"),
                    ("check_in", "Hardcopy returned"),
                    ("archive", "Archived"),
                    ("request", "Requested from KPU"),
                    ("decide", "Decision recorded"),
                    ("link", "Listed under a decision in force"),
                    ("withdraw", "Withdrawn from a decision"),
                    ("close_open", "Closed as open information"),
                    ("publish", "Published"),
                    ("open", "Opened"),
                    ("review", "Entered the review queue (period ending)"),
                    ("object", "Objection received"),
                    ("ruling", "Ruling recorded"),
                    ("redact", "Redacted public copy uploaded"),
                    ("confirm_redact", "Redacted public copy confirmed"),
                    ("retest", "Consequence test repeated"),
                ],
                max_length=16,
                verbose_name="action",
            ),
        ),
        migrations.CreateModel(
            name="RulingBody",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200, unique=True, verbose_name="name")),
                (
                    "instance",
                    models.PositiveSmallIntegerField(
                        help_text=(
                            "1: Komisi Informasi; 2: PTUN or Pengadilan Negeri; 3: Mahkamah Agung."
                        ),
                        verbose_name="instance",
                    ),
                ),
                ("basis", models.CharField(max_length=300, verbose_name="legal basis")),
            ],
            options={
                "verbose_name": "ruling body",
                "verbose_name_plural": "ruling bodies",
                "ordering": ["instance", "name"],
            },
        ),
        migrations.CreateModel(
            name="RulingBodyChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("changes", models.JSONField(default=dict, verbose_name="changes")),
                (
                    "at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="time"),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "body",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="changes",
                        to="dikecualikan.rulingbody",
                    ),
                ),
            ],
            options={
                "verbose_name": "change of a ruling body",
                "verbose_name_plural": "changes of ruling bodies",
                "ordering": ["-at", "-id"],
            },
        ),
        migrations.RemoveConstraint(model_name="ruling", name="ruling_number_unique"),
        migrations.RenameField(model_name="ruling", old_name="body", new_name="body_name"),
        migrations.AlterField(
            model_name="ruling",
            name="body_name",
            field=models.CharField(
                editable=False, max_length=200, verbose_name="ruling body (name then)"
            ),
        ),
        migrations.AddField(
            model_name="ruling",
            name="body",
            field=models.ForeignKey(
                help_text="The Komisi Informasi, or the court on appeal.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="rulings",
                to="dikecualikan.rulingbody",
                verbose_name="ruling body",
            ),
        ),
        migrations.AddConstraint(
            model_name="ruling",
            constraint=models.UniqueConstraint(
                fields=("body_name", "number"), name="ruling_number_unique"
            ),
        ),
        migrations.RunPython(load_bodies, migrations.RunPython.noop),
        migrations.RunPython(triggers, migrations.RunPython.noop),
    ]
