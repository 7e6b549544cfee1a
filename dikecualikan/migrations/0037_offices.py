"""The offices as data: the 553 KPU offices as a tree, from dikecualikan/data/offices.csv.

The default office (PPID_DEFAULT_OFFICE, Pontianak) takes its identity and its approvals
from the PPID_OFFICE_* settings and PPID_APPROVALS as they stand now, so a one-office
install prints and requires exactly what it did; it is the only office in service. The CSV
is read here, not by the live code: a later change of the file never rewrites this history.
"""

import csv
from pathlib import Path

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OFFICES_CSV = Path(__file__).resolve().parents[1] / "data" / "offices.csv"


def load_offices(apps, schema_editor):
    Office = apps.get_model("dikecualikan", "Office")
    with OFFICES_CSV.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    made = {}
    for kind in ("kpu", "provinsi", "kabupaten", "kota"):  # parents before their children
        made.update(
            (office.slug, office)
            for office in Office.objects.bulk_create(
                Office(
                    kind=row["jenis"],
                    code=row["kode"],
                    slug=row["slug"],
                    name=row["nama"],
                    region=row["wilayah"],
                    province=row["provinsi"],
                    parent=made.get(row["induk"]),
                    place=row["tempat"],
                    time_zone=row["zona_waktu"],
                )
                for row in rows
                if row["jenis"] == kind
            )
        )
    default = made.get(settings.PPID_DEFAULT_OFFICE)
    if default is None:
        raise ValueError(f"PPID_DEFAULT_OFFICE={settings.PPID_DEFAULT_OFFICE!r} is no office")
    default.name = settings.PPID_OFFICE_NAME
    default.place = settings.PPID_OFFICE_PLACE
    default.address = settings.PPID_OFFICE_ADDRESS
    default.phone = settings.PPID_OFFICE_PHONE
    default.email = settings.PPID_OFFICE_EMAIL
    default.logo = settings.PPID_OFFICE_LOGO.strip()
    default.ppid_name = settings.PPID_OFFICE_PPID_NAME
    default.approvals = settings.PPID_APPROVALS
    if settings.TIME_ZONE in {"Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura"}:
        default.time_zone = settings.TIME_ZONE
    default.in_service = True
    default.save()


class Migration(migrations.Migration):
    dependencies = [
        ("dikecualikan", "0036_worker_documents_and_job_runs"),
    ]

    operations = [
        migrations.CreateModel(
            name="Office",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("kpu", "KPU"),
                            ("provinsi", "KPU Provinsi"),
                            ("kabupaten", "KPU Kabupaten"),
                            ("kota", "KPU Kota"),
                        ],
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "code",
                    models.CharField(
                        blank=True,
                        editable=False,
                        help_text="Kemendagri's code of the region (61.71); empty for KPU.",
                        max_length=5,
                        verbose_name="region code",
                    ),
                ),
                (
                    "slug",
                    models.SlugField(
                        editable=False,
                        help_text="KPU's own short name, as in its addresses: pontianakkota.",
                        max_length=40,
                        unique=True,
                        verbose_name="short name",
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("region", models.CharField(editable=False, max_length=200, verbose_name="region")),
                (
                    "province",
                    models.CharField(
                        blank=True,
                        editable=False,
                        help_text="As dikecualikan/provinces.py writes it; empty for KPU.",
                        max_length=60,
                        verbose_name="province",
                    ),
                ),
                (
                    "place",
                    models.CharField(
                        help_text='The town printed before the date on its papers: "Pontianak, 21 Agustus 2025".',
                        max_length=100,
                        verbose_name="place",
                    ),
                ),
                ("address", models.CharField(blank=True, max_length=300, verbose_name="address")),
                ("phone", models.CharField(blank=True, max_length=50, verbose_name="phone")),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="email")),
                (
                    "logo",
                    models.CharField(
                        blank=True,
                        help_text='A file of the static files ("img/logo-kpu.png"), or empty for the name alone.',
                        max_length=200,
                        verbose_name="logo",
                    ),
                ),
                (
                    "ppid_name",
                    models.CharField(
                        blank=True,
                        help_text="Empty: the documents name the person who holds the PPID role.",
                        max_length=200,
                        verbose_name="PPID's name for signatures",
                    ),
                ),
                (
                    "time_zone",
                    models.CharField(
                        choices=[
                            ("Asia/Jakarta", "Asia/Jakarta (WIB)"),
                            ("Asia/Pontianak", "Asia/Pontianak (WIB)"),
                            ("Asia/Makassar", "Asia/Makassar (WITA)"),
                            ("Asia/Jayapura", "Asia/Jayapura (WIT)"),
                        ],
                        max_length=40,
                        verbose_name="time zone",
                    ),
                ),
                (
                    "approvals",
                    models.CharField(
                        default="pembina:1,tim_pertimbangan:1",
                        help_text='The roles whose approval a proposal needs, each with its quorum: "pembina:1,tim_pertimbangan:2".',
                        max_length=100,
                        verbose_name="approvals required",
                    ),
                ),
                (
                    "in_service",
                    models.BooleanField(
                        default=False,
                        help_text="The office keeps its register here (its public pages are served).",
                        verbose_name="uses the register",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        editable=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="children",
                        to="dikecualikan.office",
                        verbose_name="parent office",
                    ),
                ),
            ],
            options={
                "verbose_name": "office",
                "verbose_name_plural": "offices",
                "ordering": ["code"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("code", ""), _negated=True),
                        fields=("code",),
                        name="office_code_unique",
                    )
                ],
            },
        ),
        migrations.RunPython(load_offices, migrations.RunPython.noop),
    ]
