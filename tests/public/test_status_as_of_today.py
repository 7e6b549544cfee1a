"""What the public reads is true on the day it reads it (issue 25, item 6).

A row's status is read on the day it is read: an ended period shows "masa pengecualian
berakhir" in every DIK document, stored or not, even before review_due opens the item.
An opened item is dated on its instrument's date, and its page names the instrument.
"""

import csv
import datetime
import io

import pypdf
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from dikecualikan import workflow
from dikecualikan.management.commands.seed_demo import tiny_pdf
from dikecualikan.models import DikVersion, ObjectionAnswer, Record, RulingBody
from dikecualikan.workflow import review_due
from tests.conftest import receive_objection

D = datetime.date
ENDED = "masapengecualianberakhir"


def text_of(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return "".join("".join(page.extract_text() for page in pages).split()).lower()


def noon(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def long(day) -> str:
    with translation.override("id"):
        return date_format(day, "j F Y")


def pdf(text):
    return ContentFile(tiny_pdf([text]), name="surat.pdf")


def test_every_dik_document_shows_an_ended_row_as_ended_before_review_due_runs(
    client, make_record, worker
):
    record = make_record("published")  # five years from 21 August 2025
    assert record.ends_on == D(2030, 8, 21)
    number = DikVersion.objects.get().number
    worker()
    assert ENDED not in text_of(client.get("/dik.pdf"))
    with time_machine.travel(noon(D(2030, 9, 1)), tick=False):
        # The first request of the day the statuses changed asks the worker for the PDF.
        assert ENDED not in text_of(client.get("/dik.pdf"))
        worker()
        current = text_of(client.get("/dik.pdf"))
        assert ENDED in current and "statusper22agustus2030" in current
        stored = text_of(client.get(f"/dik/riwayat/{number}.pdf"))
        assert ENDED in stored
        rows = b"".join(client.get(f"/dik/riwayat/{number}.csv").streaming_content).decode()
        (row,) = csv.DictReader(io.StringIO(rows))
        assert row["status"] == "masa pengecualian berakhir"
        assert "Masa pengecualian berakhir" in client.get("/").content.decode()
    # The version's PDF as first published is kept; the one of the new status beside it.
    assert default_storage.exists(f"dik/dik-v{number}.pdf")
    assert default_storage.exists(f"dik/dik-v{number}-20300822.pdf")
    assert Record.objects.get(pk=record.pk).state == "published"  # review_due has not run


def test_a_period_that_ends_opens_from_the_day_after_its_end_whenever_review_due_runs(
    client, make_record
):
    record = make_record("published")
    with time_machine.travel(noon(D(2030, 9, 10)), tick=False):
        review_due()
        opened = Record.objects.get(pk=record.pk)
        page = client.get(reverse("dikecualikan:record", args=[record.pk])).content.decode()
    assert timezone.localdate(opened.opened_at) == D(2030, 8, 22)
    assert "22 Agustus 2030" in page


def answered_objection(make_record, atasan, desk, outcome):
    """A published record, an objection and its answer, entered 20 days after the events."""
    record = make_record("published")
    today = timezone.localdate()
    day = {n: today + datetime.timedelta(days=n) for n in (1, 2, 10, 15, 20)}
    with time_machine.travel(noon(day[20]), tick=False):
        objection = receive_objection(desk, [record], received_on=day[2], request_refused_on=day[1])
        workflow.answer_objection(
            objection=objection, by=atasan, outcome=outcome, number="045/PPID/XII/2026",
            answered_on=day[10], reasons="Kepentingan publik lebih besar", pdf=pdf("Jawaban"),
        )  # fmt: skip
    return record, objection, day


def test_an_upheld_objection_opens_on_the_answers_date_and_the_page_names_it(
    client, make_record, atasan, desk
):
    record, _objection, day = answered_objection(make_record, atasan, desk, "upheld")
    opened = Record.objects.get(pk=record.pk)
    assert timezone.localdate(opened.opened_at) == day[10]  # not the day it was entered
    page = client.get(reverse("dikecualikan:record", args=[record.pk])).content.decode()
    assert "045/PPID/XII/2026" in page and long(day[10]) in page
    link = reverse("dikecualikan:record-instrument", args=[record.pk])
    assert link in page
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_a_ruling_opens_on_its_date_and_the_page_names_it(client, make_record, atasan, desk):
    record, objection, day = answered_objection(make_record, atasan, desk, "refused")
    with time_machine.travel(noon(day[20]), tick=False):
        workflow.record_ruling(
            objection=objection, by=atasan,
            body=RulingBody.objects.get(name="Komisi Informasi Provinsi Kalimantan Barat"),
            number="015/KIP-KB/PS-A/2026", ruled_on=day[15], opens=True, pdf=pdf("Putusan"),
        )  # fmt: skip
    opened = Record.objects.get(pk=record.pk)
    assert timezone.localdate(opened.opened_at) == day[15]
    page = client.get(reverse("dikecualikan:record", args=[record.pk])).content.decode()
    assert "015/KIP-KB/PS-A/2026" in page and long(day[15]) in page
    assert reverse("dikecualikan:record-instrument", args=[record.pk]) in page
    assert (
        client.get(reverse("dikecualikan:record-instrument", args=[record.pk])).status_code == 200
    )


def test_a_revoked_item_opens_on_the_revocations_date_and_the_page_links_its_pdf(
    client, make_record, make_decision, ppid
):
    record = make_record("published")
    set_on = timezone.localdate() - datetime.timedelta(days=5)
    revoking = make_decision(
        number="9/Kpts/KPU/2026", year=set_on.year, date_set=set_on, revokes=record.published_in
    )
    workflow.record_decision(decision=revoking, record=record, outcome="open", by=ppid)
    workflow.publish_decision(decision=revoking, by=ppid)
    opened = Record.objects.get(pk=record.pk)
    assert timezone.localdate(opened.opened_at) == set_on
    page = client.get(reverse("dikecualikan:record", args=[record.pk])).content.decode()
    assert "Dicabut dengan" in page and str(revoking) in page and long(set_on) in page
    assert reverse("dikecualikan:decision-pdf", args=[revoking.pk]) in page


def test_an_item_without_a_public_instrument_file_has_no_pdf_link(client, make_record):
    record = make_record("opened")  # written consent: no instrument file of the register
    assert (
        client.get(reverse("dikecualikan:record-instrument", args=[record.pk])).status_code == 404
    )
    assert ObjectionAnswer.objects.count() == 0
