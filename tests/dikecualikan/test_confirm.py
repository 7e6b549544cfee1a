"""Steps that cannot be undone go through a page that says what happens and who is told."""

from django.urls import reverse

from dikecualikan import workflow
from dikecualikan.models import Record
from tests.conftest import pdf_file


def test_submitting_is_confirmed_first_and_the_confirmation_submits(client, make_record, ppid):
    record = make_record("classified")
    url = reverse("dikecualikan:staff-record-submit", args=[record.pk])
    client.force_login(ppid)
    page = client.get(url).content.decode()
    assert "Yang akan terjadi" in page and "Pembina PPID" in page and "putaran 1" in page
    assert 'class="button-confirm">Ajukan persetujuan<' in page
    assert Record.objects.get(pk=record.pk).state == "classified"  # nothing done by looking
    response = client.post(url, {"version": record.version}, follow=True)
    assert Record.objects.get(pk=record.pk).state == "awaiting_approval"
    assert "Selanjutnya: Pembina PPID, Tim Pertimbangan PPID memberikan putusan" in (
        response.content.decode()
    )


def test_a_confirmation_the_person_cannot_use_sends_them_back_with_why(client, make_record, desk):
    record = make_record("classified")
    client.force_login(desk)
    response = client.get(reverse("dikecualikan:staff-record-submit", args=[record.pk]))
    assert response.status_code == 302
    assert response.url == reverse("dikecualikan:staff-record", args=[record.pk])


def test_archiving_is_confirmed_first(client, make_record, desk, location):
    record = make_record("approved")
    workflow.upload_softcopy(record=record, by=desk, file=pdf_file())
    workflow.place_hardcopy(record=record, by=desk, location=location)
    url = reverse("arsip:archive", args=[record.pk])
    client.force_login(desk)
    page = client.get(url).content.decode()
    assert "Arsipkan entri #" in page and 'class="button-confirm">Arsipkan entri<' in page
    client.post(url, {"version": Record.objects.get(pk=record.pk).version})
    assert Record.objects.get(pk=record.pk).state == "archived"


def test_publishing_a_decision_is_confirmed_first_with_who_is_told(client, make_record, ppid):
    record = make_record("decided")
    decision = record.decision_items.get().decision
    url = reverse("dikecualikan:staff-decision-publish", args=[decision.pk])
    client.force_login(ppid)
    page = client.get(url).content.decode()
    assert "1 entri yang dikecualikannya masuk ke DIK publik" in page
    assert "Atasan PPID (melalui surel)" in page and "tidak dapat dibatalkan" in page
    assert 'class="button-confirm">Umumkan keputusan<' in page
    assert not Record.objects.get(pk=record.pk).published_at
    client.post(url)
    assert Record.objects.get(pk=record.pk).state == "published"


def test_opening_a_record_names_the_action_on_its_button(client, make_record, ppid):
    record = make_record("published")
    client.force_login(ppid)
    page = client.get(reverse("dikecualikan:staff-record-open", args=[record.pk])).content.decode()
    assert 'class="button-confirm">Buka entri<' in page and "tidak dapat dibatalkan" in page
