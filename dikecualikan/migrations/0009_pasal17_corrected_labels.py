"""Correct three labels of Pasal 17 huruf c to the law's full wording (shared/pasal17.csv).

Migration 0002 loaded 17c1, 17c2 and 17c5 cut short; the law's text goes on (the
stages of planning, execution and evaluation; the limits of 17c5). Written into
the migration, like 0002, so that it does the same thing forever; reversible.
"""

from django.db import migrations

CORRECTED = {
    "17c1": (
        "Informasi tentang strategi, intelijen, operasi, taktik dan teknik yang berkaitan "
        "dengan penyelenggaraan sistem pertahanan dan keamanan negara",
        "Informasi tentang strategi, intelijen, operasi, taktik dan teknik yang berkaitan "
        "dengan penyelenggaraan sistem pertahanan dan keamanan negara, meliputi tahap "
        "perencanaan, pelaksanaan dan pengakhiran atau evaluasi dalam kaitan dengan ancaman "
        "dari dalam dan luar negeri",
    ),
    "17c2": (
        "Dokumen yang memuat tentang strategi, intelijen, operasi, teknik dan taktik yang "
        "berkaitan dengan penyelenggaraan sistem pertahanan dan keamanan negara",
        "Dokumen yang memuat tentang strategi, intelijen, operasi, teknik dan taktik yang "
        "berkaitan dengan penyelenggaraan sistem pertahanan dan keamanan negara yang meliputi "
        "tahap perencanaan, pelaksanaan dan pengakhiran atau evaluasi",
    ),
    "17c5": (
        "Data perkiraan kemampuan militer dan pertahanan negara lain yang disepakati dalam "
        "perjanjian tersebut sebagai rahasia atau sangat rahasia",
        "Data perkiraan kemampuan militer dan pertahanan negara lain terbatas pada segala "
        "tindakan dan/atau indikasi negara tersebut yang dapat membahayakan kedaulatan Negara "
        "Kesatuan Republik Indonesia dan/atau data terkait kerjasama militer dengan negara lain "
        "yang disepakati dalam perjanjian tersebut sebagai rahasia atau sangat rahasia",
    ),
}


def relabel(apps, which):
    ExemptionGround = apps.get_model("dikecualikan", "ExemptionGround")
    for code, labels in CORRECTED.items():
        ExemptionGround.objects.filter(code=code).update(label_id=labels[which])


def forward(apps, schema_editor):
    relabel(apps, 1)


def backward(apps, schema_editor):
    relabel(apps, 0)


class Migration(migrations.Migration):
    dependencies = [("dikecualikan", "0008_transition_details")]

    operations = [migrations.RunPython(forward, backward)]
