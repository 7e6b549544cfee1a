import datetime

import pytest
from django.core.files.base import ContentFile

from dikecualikan.management.commands.seed_demo import tiny_pdf
from dikecualikan.models import (
    Decision,
    DecisionItem,
    DikChange,
    DikVersion,
    ExemptionGround,
    Record,
)


@pytest.fixture
def published_records(ppid):
    """Return a factory of n records already on the DIK, made in bulk (for list sizes only).

    Behaviour is tested on records driven through the workflow; this only fills lists.
    """

    def make(n, decision=None, unit="Divisi Teknis Penyelenggaraan", code="17h"):
        if decision is None:
            decision = Decision.objects.create(
                issuer="KPU RI",
                number=f"B{Decision.objects.count() + 1}/Kpts/KPU/2025",
                year=2025,
                title="tentang DIK",
                date_set=datetime.date(2025, 8, 21),
                created_by=ppid,
                published_by=ppid,
                published_at=datetime.datetime(2025, 8, 22, tzinfo=datetime.UTC),
            )
            decision.pdf.save("k.pdf", ContentFile(tiny_pdf(["K"])))
        records = Record.objects.bulk_create(
            Record(
                title=f"internal {i}",
                public_title=f"Informasi massal {i}",
                holding_unit=unit,
                document_type="Dokumen",
                statutes="UU 14/2008",
                harm="Bahaya",
                balancing="Pertimbangan",
                period_type="fixed",
                period_years=5,
                state="published",
                created_by=ppid,
                published_in=decision,
                published_at=decision.published_at,
            )
            for i in range(n)
        )
        ground = ExemptionGround.objects.get(code=code)
        Record.grounds.through.objects.bulk_create(
            Record.grounds.through(record_id=r.pk, exemptionground_id=ground.pk) for r in records
        )
        DecisionItem.objects.bulk_create(
            DecisionItem(decision=decision, record=r, outcome="exempt", added_by=ppid)
            for r in records
        )
        last = DikVersion.objects.order_by("-number").first()
        version = DikVersion.objects.create(
            number=(last.number if last else 0) + 1, decision=decision
        )
        DikChange.objects.bulk_create(
            DikChange(version=version, record=r, kind="added") for r in records
        )
        return records

    return make
