"""Who may decide is fixed data, with jurisdiction (issue 25, item 3).

The deciding bodies of migration 0011 get their kind (KPU, or a KPU Provinsi with its
province), checked by the database: one KPU, one KPU Provinsi per province. Only a
superuser keeps the list (DecidingBodyChange logs who changed what); the PPID keeps no
permission to add or change a body. The word filter that refused names is gone: no
migration ever used it.

A body that migration 0011 did not load and that is neither KPU nor a KPU Provinsi by
its name was added by hand; one that decided nothing is removed (it never could have),
and one under which decisions were entered stops this migration with its name, for a
superuser to set right first: the register never guesses who decided.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from dikecualikan.history import drop_triggers, install_triggers

# The 38 provinces as dikecualikan/provinces.py wrote them when this migration was made.
PROVINCES = [
    "Aceh",
    "Sumatera Utara",
    "Sumatera Barat",
    "Riau",
    "Jambi",
    "Sumatera Selatan",
    "Bengkulu",
    "Lampung",
    "Kepulauan Bangka Belitung",
    "Kepulauan Riau",
    "Daerah Khusus Jakarta",
    "Jawa Barat",
    "Jawa Tengah",
    "Daerah Istimewa Yogyakarta",
    "Jawa Timur",
    "Banten",
    "Bali",
    "Nusa Tenggara Barat",
    "Nusa Tenggara Timur",
    "Kalimantan Barat",
    "Kalimantan Tengah",
    "Kalimantan Selatan",
    "Kalimantan Timur",
    "Kalimantan Utara",
    "Sulawesi Utara",
    "Sulawesi Tengah",
    "Sulawesi Selatan",
    "Sulawesi Tenggara",
    "Gorontalo",
    "Sulawesi Barat",
    "Maluku",
    "Maluku Utara",
    "Papua",
    "Papua Barat",
    "Papua Selatan",
    "Papua Tengah",
    "Papua Pegunungan",
    "Papua Barat Daya",
]
PROVINCE_CHOICES = [(name, name) for name in PROVINCES]
KPU = "Komisi Pemilihan Umum"
PROVINSI_PREFIXES = ("komisi pemilihan umum provinsi ", "kpu provinsi ")


def kind_of(name: str):
    """Return (kind, province) for a body's name, or None when it names no deciding body."""
    plain = " ".join(name.split())
    if plain.lower() in ("komisi pemilihan umum", "kpu", "kpu ri"):
        return "kpu", ""
    for prefix in PROVINSI_PREFIXES:
        if plain.lower().startswith(prefix):
            province = plain[len(prefix) :]
            match = [p for p in PROVINCES if p.lower() == province.lower()]
            if match:
                return "kpu_provinsi", match[0]
    return None


def forward(apps, schema_editor):
    DecidingBody = apps.get_model("dikecualikan", "DecidingBody")
    Decision = apps.get_model("dikecualikan", "Decision")
    stray = []
    for body in DecidingBody.objects.order_by("pk"):
        found = kind_of(body.name)
        if found is None:
            if Decision.objects.filter(body=body).exists():
                stray.append(body.name)
            else:
                print(f"\nRemoved from the deciding bodies (it may not decide): {body.name}")
                body.delete()
            continue
        body.kind, body.province = found
        body.by_delegation = body.kind == "kpu_provinsi"
        body.save(update_fields=["kind", "province", "by_delegation"])
    if stray:
        raise RuntimeError(
            "Decisions were entered under bodies that may not decide: "
            + ", ".join(stray)
            + ". A superuser moves each decision to KPU or its KPU Provinsi first."
        )
    revoke_ppid(apps)
    if schema_editor.connection.vendor == "postgresql":
        # A removed row leaves deferred key checks pending; ALTER TABLE below refuses those.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def revoke_ppid(apps):
    """The office never edits the list (DOMAIN.md section 6): every role only reads it."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editing = Permission.objects.filter(
        content_type__app_label="dikecualikan",
        codename__in=["add_decidingbody", "change_decidingbody", "delete_decidingbody"],
    )
    for group in Group.objects.filter(permissions__in=editing).distinct():
        group.permissions.remove(*editing)


def triggers(apps, schema_editor):
    install_triggers(schema_editor, apps.get_model("dikecualikan", "DecidingBodyChange"))


def no_triggers(apps, schema_editor):
    drop_triggers(schema_editor, apps.get_model("dikecualikan", "DecidingBodyChange"))


class Migration(migrations.Migration):
    dependencies = [
        ("dikecualikan", "0032_checked_instruments"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="decidingbody",
            name="kind",
            field=models.CharField(
                choices=[
                    ("kpu", "KPU (national)"),
                    ("kpu_provinsi", "KPU Provinsi (by delegation)"),
                ],
                default="kpu",
                max_length=16,
                verbose_name="kind",
            ),
        ),
        migrations.AddField(
            model_name="decidingbody",
            name="province",
            field=models.CharField(
                blank=True,
                choices=PROVINCE_CHOICES,
                help_text="For a KPU Provinsi: the province whose offices it decides for.",
                max_length=40,
                verbose_name="province",
            ),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="decidingbody",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind", "kpu"), ("province", ""))
                | models.Q(("kind", "kpu_provinsi"), ("province__in", PROVINCES)),
                name="deciding_body_kind_and_province",
            ),
        ),
        migrations.AddConstraint(
            model_name="decidingbody",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "kpu")),
                fields=("kind",),
                name="deciding_body_one_kpu",
            ),
        ),
        migrations.AddConstraint(
            model_name="decidingbody",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "kpu_provinsi")),
                fields=("province",),
                name="deciding_body_one_per_province",
            ),
        ),
        migrations.CreateModel(
            name="DecidingBodyChange",
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
                        to="dikecualikan.decidingbody",
                    ),
                ),
            ],
            options={
                "verbose_name": "change of a deciding body",
                "verbose_name_plural": "changes of deciding bodies",
                "ordering": ["-at", "-id"],
            },
        ),
        migrations.RunPython(triggers, no_triggers),
    ]
