"""Each office's history is a chain of its own: the heads of the chains (table, office).

No row changes: every row written so far is the default office's (0038), so its chain is
the default office's chain as it stands, and each head is read off its chain's last row
the first time a row joins it (history.ChainHead.of). The history of users stays one
chain for the deployment (scope 0).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dikecualikan", "0039_memberships"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChainHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("table", models.CharField(max_length=100)),
                ("scope", models.PositiveIntegerField()),
                ("chain", models.CharField(blank=True, max_length=64)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("table", "scope"), name="chain_head_unique")
                ],
            },
        ),
    ]
