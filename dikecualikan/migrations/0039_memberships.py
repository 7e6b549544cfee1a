"""Roles are held in an office: each group membership of an SOP role becomes that role in
the default office, and the group keeps only what the role may do (its permissions).

Nothing is lost: the user history's grants stay as they were written; the move itself is
no grant (the same people hold the same roles, now in the office where they always did).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ROLES = ["desk", "ppid", "pembina", "tim_pertimbangan", "atasan"]


def move(apps, schema_editor):
    Office = apps.get_model("dikecualikan", "Office")
    Membership = apps.get_model("dikecualikan", "Membership")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    default = Office.objects.get(slug=settings.PPID_DEFAULT_OFFICE)
    through = User.groups.through
    held = through.objects.filter(group__name__in=ROLES).select_related("group")
    Membership.objects.bulk_create(
        Membership(user_id=row.user_id, office=default, role=row.group.name) for row in held
    )
    held.delete()


def move_back(apps, schema_editor):
    Membership = apps.get_model("dikecualikan", "Membership")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLES)}
    User.groups.through.objects.bulk_create(
        (
            User.groups.through(user_id=row.user_id, group=groups[row.role])
            for row in Membership.objects.filter(office__slug=settings.PPID_DEFAULT_OFFICE)
        ),
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dikecualikan", "0038_office_owned_rows"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Membership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("desk", "Desk Pelayanan Informasi"),
                            ("ppid", "PPID"),
                            ("pembina", "Pembina PPID"),
                            ("tim_pertimbangan", "Tim Pertimbangan PPID"),
                            ("atasan", "Atasan PPID"),
                        ],
                        max_length=20,
                        verbose_name="role",
                    ),
                ),
                ("since", models.DateTimeField(auto_now_add=True, verbose_name="since")),
                (
                    "office",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="memberships",
                        to="dikecualikan.office",
                        verbose_name="office",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="person",
                    ),
                ),
            ],
            options={
                "verbose_name": "role in an office",
                "verbose_name_plural": "roles in offices",
                "indexes": [models.Index(fields=["office", "role"], name="membership_office_role")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "office", "role"), name="membership_unique_role_in_office"
                    )
                ],
            },
        ),
        migrations.RunPython(move, move_back),
    ]
