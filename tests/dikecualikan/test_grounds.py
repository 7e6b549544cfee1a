"""The 38 grounds of Pasal 17 as the law words them, corrected by migration 0009."""

from dikecualikan.models import ExemptionGround


def test_the_three_corrected_labels_of_pasal_17c_carry_the_full_wording(db):
    labels = dict(ExemptionGround.objects.values_list("code", "label_id"))
    assert len(labels) == 38
    assert labels["17c1"].endswith("dalam kaitan dengan ancaman dari dalam dan luar negeri")
    assert labels["17c2"].endswith("tahap perencanaan, pelaksanaan dan pengakhiran atau evaluasi")
    assert "membahayakan kedaulatan Negara Kesatuan Republik Indonesia" in labels["17c5"]
