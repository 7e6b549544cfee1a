"""Grounds 17b-17f get a cap of 30 years, and every decided item its end date.

UU 14/2008 Pasal 20 says exemptions under 17a-17f are not permanent; PP 61/2010 caps
17a at 30 years, and for 17b-17f no cap is verified (shared/DOMAIN.md marks them [U]):
30 years until the office sets another (a superuser, in the admin, each change kept).

Every record decided or published gets `ends_on` from its period and the date of the
decision it is in, as the workflow computes it from now on. The PPID may keep the
office's calendar of working days in the admin.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CAP = 30


def end(period_type, years, until, start):
    if period_type == "fixed" and years and start:
        try:
            return start.replace(year=start.year + years)
        except ValueError:
            return start.replace(year=start.year + years, day=28)
    if period_type in ("until_date", "until_event"):
        return until
    return None


def forwards(apps, schema_editor):
    Ground = apps.get_model("dikecualikan", "ExemptionGround")
    Record = apps.get_model("dikecualikan", "Record")
    DecisionItem = apps.get_model("dikecualikan", "DecisionItem")
    for ground in Ground.objects.filter(max_years__isnull=True):
        if ground.code[2] in "bcdef":
            ground.max_years = CAP
            ground.save(update_fields=["max_years"])
    decided = Record.objects.filter(state__in=["decided", "published", "opened"])
    for record in decided:
        item = (
            DecisionItem.objects.filter(record=record, outcome="exempt", withdrawn_at=None)
            .select_related("decision")
            .order_by("-added_at", "-pk")
            .first()
        )
        if item is None:
            continue
        record.ends_on = end(
            record.period_type, record.period_years, record.period_until, item.decision.date_set
        )
        record.save(update_fields=["ends_on"])
    grant(apps)


def grant(apps):
    """The PPID keeps the office's calendar (days off, moved holidays); every role views it."""
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
            content_type__app_label="dikecualikan", codename__endswith="_officeday"
        )
    }
    for group in Group.objects.filter(
        name__in=["desk", "ppid", "pembina", "tim_pertimbangan", "atasan"]
    ):
        group.permissions.add(perms["view_officeday"])
        if group.name == "ppid":
            group.permissions.add(perms["add_officeday"], perms["change_officeday"])


class Migration(migrations.Migration):
    dependencies = [("dikecualikan", "0015_calendar_caps_end_dates"), ("dikecualikan", "0003_roles")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
