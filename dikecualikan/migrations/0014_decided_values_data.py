"""Existing decisions' items say what the office proposed: the decision took it as it was.

Before migration 0013 the register kept only the proposal, and published it as decided.
Each existing item gets those values as both its decided values and its `proposed`, so
nothing on the public DIK changes. Records already classified get the conclusion
"dikecualikan" (they were proposed for exemption) and the place the sheet always printed,
Pontianak; the test's material, nature and scope (a) was never asked, so it stays empty
and the next classification asks for it. Each decision's log starts with its entry and,
where published, its publication.
"""

from django.db import migrations

PERIOD = ("period_type", "period_years", "period_until", "period_event")


def forwards(apps, schema_editor):
    DecisionItem = apps.get_model("dikecualikan", "DecisionItem")
    Decision = apps.get_model("dikecualikan", "Decision")
    DecisionLog = apps.get_model("dikecualikan", "DecisionLog")
    Record = apps.get_model("dikecualikan", "Record")
    for item in DecisionItem.objects.select_related("record"):
        record = item.record
        codes = sorted(record.grounds.values_list("code", flat=True))
        for name in ("statutes", "harm", "balancing", *PERIOD):
            setattr(item, name, getattr(record, name))
        item.proposed = {
            "statutes": record.statutes,
            "harm": record.harm,
            "balancing": record.balancing,
            "grounds": ", ".join(codes),
            **{
                name: (value.isoformat() if hasattr(value, "isoformat") else value)
                for name in PERIOD
                for value in [getattr(record, name)]
            },
        }
        item.save()
        item.grounds.set(codes)
    classified = Record.objects.exclude(period_type="").filter(test_conclusion="")
    classified.update(test_conclusion="exempt")
    Record.objects.filter(test_date__isnull=False, test_place="").update(test_place="Pontianak")
    for decision in Decision.objects.all():
        DecisionLog.objects.create(
            decision=decision, kind="entered", actor_id=decision.created_by_id, at=decision.created_at
        )
        if decision.published_at:
            DecisionLog.objects.create(
                decision=decision,
                kind="published",
                actor_id=decision.published_by_id or decision.created_by_id,
                at=decision.published_at,
            )


class Migration(migrations.Migration):
    dependencies = [("dikecualikan", "0013_decided_values_linked_revocation")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
