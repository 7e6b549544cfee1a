"""Load the bodies that may decide, and map the decisions' free-text issuers to them.

KPU decides under UU 14/2008 (in force 30 April 2010) and PKPU 22/2023 Pasal 24-26;
KPU Provinsi Kalimantan Barat by delegation under PKPU 4/2025 (in force 29 December
2025; its mechanics unverified, shared/DOMAIN.md). Both dates are data the office can
correct in the admin. An issuer this migration cannot map is listed for the office to
fix: its decision keeps its text and has no body until someone chooses one.
"""

import datetime

from django.contrib.auth.management import create_permissions
from django.db import migrations

BODIES = [
    (
        "Komisi Pemilihan Umum",
        datetime.date(2010, 4, 30),
        "UU 14/2008; PKPU 22/2023 Pasal 24-26",
        False,
    ),
    (
        "Komisi Pemilihan Umum Provinsi Kalimantan Barat",
        datetime.date(2025, 12, 29),
        "PKPU 4/2025 (delegasi dari KPU)",
        True,
    ),
]
KNOWN = {
    "kpu": "Komisi Pemilihan Umum",
    "kpu ri": "Komisi Pemilihan Umum",
    "komisi pemilihan umum": "Komisi Pemilihan Umum",
    "komisi pemilihan umum republik indonesia": "Komisi Pemilihan Umum",
    "kpu provinsi kalimantan barat": "Komisi Pemilihan Umum Provinsi Kalimantan Barat",
    "komisi pemilihan umum provinsi kalimantan barat": (
        "Komisi Pemilihan Umum Provinsi Kalimantan Barat"
    ),
}


def forward(apps, schema_editor):
    DecidingBody = apps.get_model("dikecualikan", "DecidingBody")
    Decision = apps.get_model("dikecualikan", "Decision")
    bodies = {}
    for name, decides_from, basis, by_delegation in BODIES:
        bodies[name], _ = DecidingBody.objects.get_or_create(
            name=name,
            defaults={"decides_from": decides_from, "basis": basis, "by_delegation": by_delegation},
        )
    unknown = []
    for decision in Decision.objects.filter(body__isnull=True):
        name = KNOWN.get(" ".join(decision.issuer.lower().split()))
        if name is None:
            unknown.append(f"{decision.pk}: {decision.issuer} {decision.number}")
            continue
        decision.body = bodies[name]
        decision.save(update_fields=["body"])
    grant(apps)
    if unknown:
        print("\nDecisions whose issuer is not a deciding body; choose one for each in the admin:")
        for line in unknown:
            print(f"  {line}")


def grant(apps):
    """Every role views the bodies; the PPID keeps the table (dates, bases) up to date."""
    app_config = apps.get_app_config("dikecualikan")
    if getattr(app_config, "models_module", None) is None:
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    perms = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label="dikecualikan", codename__endswith="_decidingbody"
        )
    }
    for group in Group.objects.filter(
        name__in=["desk", "ppid", "pembina", "tim_pertimbangan", "atasan"]
    ):
        group.permissions.add(perms["view_decidingbody"])
        if group.name == "ppid":
            group.permissions.add(perms["add_decidingbody"], perms["change_decidingbody"])


class Migration(migrations.Migration):
    dependencies = [("dikecualikan", "0010_deciding_bodies"), ("dikecualikan", "0003_roles")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
