"""The history's chains are keyed, a published record keeps its public columns, and the
admin's log is append-only (issue 24, point 6).

1. Each chained table's chain is verified as it was written (plain SHA-256, which anyone
   could compute) and sealed again under settings.HISTORY_KEY (HMAC-SHA256). A chain
   that does not verify stops the migration and nothing is changed: sealing a rewritten
   history under the key would bless the rewrite. This migration runs as the tables'
   owner, so it lifts the triggers for the rewrite and puts them back.
2. Once published, the columns the DIK shows of a record never change in the database,
   plain SQL included; the state only goes on to "opened".
3. Django's admin log (LogEntry) refuses UPDATE, DELETE and TRUNCATE like the history.
"""

from django.db import migrations

from dikecualikan.history import (
    drop_published_triggers,
    drop_triggers,
    install_published_triggers,
    install_triggers,
    reseal,
)

# {model: (closing fields, fields added after its chain began)}.
CHAINED = {
    "Transition": ((), ()),
    "Approval": ((), ("classification",)),  # 0026 added it to rows chained before
    "Classification": ((), ()),
    "DikChange": ((), ()),
    "UserEvent": ((), ("detail",)),  # 0030 added it to rows chained before
}

# What the DIK shows of a record (dik.PUBLIC_FIELDS as of this migration) and the decision
# it was published in; not the redacted copy (a later step may upload one while the record
# is published) nor the state and the opening's date and reason (the trigger lets the
# opening, and only it, change those).
KEPT = (
    "public_title",
    "holding_unit",
    "document_type",
    "statutes",
    "harm",
    "balancing",
    "period_type",
    "period_years",
    "period_until",
    "period_event",
    "ends_on",
    "exemption_scope",
    "withheld_part",
    "dip_reference",
    "published_in",
    "published_at",
)


def forwards(apps, schema_editor):
    reseal(apps, schema_editor, "dikecualikan", CHAINED)
    install_published_triggers(schema_editor, apps.get_model("dikecualikan", "Record"), KEPT)
    install_triggers(schema_editor, apps.get_model("admin", "LogEntry"))


def backwards(apps, schema_editor):
    # The chains stay sealed under the key: the old, unkeyed ones proved nothing more.
    drop_published_triggers(schema_editor, apps.get_model("dikecualikan", "Record"))
    drop_triggers(schema_editor, apps.get_model("admin", "LogEntry"))


class Migration(migrations.Migration):
    dependencies = [
        ("dikecualikan", "0030_accounts_accountable"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
