"""SOP step 4 in the staff pages: enter a decision, add its records, publish; open a record."""

import pytest
from django.urls import reverse

from dikecualikan.models import DecidingBody, Decision, Record

from ..arsip import samples


def kpu():
    return DecidingBody.objects.get(name="Komisi Pemilihan Umum")


def decision_url(decision, name="staff-decision"):
    return reverse(f"dikecualikan:{name}", args=[decision.pk])


def add_url(decision, record):
    return reverse("dikecualikan:staff-decision-add", args=[decision.pk, record.pk])


def record_url(record, name="staff-record"):
    return reverse(f"dikecualikan:{name}", args=[record.pk])


def as_proposed(form, **changes):
    """The decided-values form as posted unchanged (prefilled from the proposal), plus changes."""
    data = {}
    for name, field in form.fields.items():
        value = field.initial
        if name == "grounds":
            data[name] = [g for g in value]
        elif value not in (None, ""):
            data[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return {**data, **changes}


def new_decision(**changes):
    """The new-decision form as posted: a KPU decision with its PDF, plus changes."""
    return {
        "body": kpu().pk,
        "number": "731/PL.01-Kpt/05/KPU/VIII/2025",
        "year": "2025",
        "title": "tentang DIK",
        "date_set": "2025-08-21",
        "place": "Jakarta",
        "signatory": "Ketua KPU",
        "pdf": samples.upload("keputusan.pdf", samples.pdf("Keputusan")),
        **changes,
    }


def test_the_ppid_enters_a_decision_with_its_pdf(client, ppid):
    client.force_login(ppid)
    response = client.post(reverse("dikecualikan:staff-decision-new"), new_decision())
    decision = Decision.objects.get()
    assert response.url == decision_url(decision)
    assert decision.pdf.name.endswith(".pdf") and not decision.is_published


@pytest.mark.parametrize("missing", ["place", "signatory"])
def test_a_decision_without_its_place_or_signatory_is_refused_beside_the_field(
    client, ppid, missing
):
    client.force_login(ppid)
    response = client.post(
        reverse("dikecualikan:staff-decision-new"), new_decision(**{missing: " "})
    )
    assert response.status_code == 200
    assert missing in response.context["form"].errors
    assert not Decision.objects.exists()


def test_a_decision_number_entered_twice_is_explained_beside_the_field(client, make_decision, ppid):
    decision = make_decision()
    client.force_login(ppid)
    response = client.post(
        reverse("dikecualikan:staff-decision-new"),
        {
            "body": decision.body_id,
            "number": decision.number,
            "year": "2025",
            "title": "lagi",
            "date_set": "2025-08-21",
            "place": "Jakarta",
            "signatory": "Ketua KPU",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert Decision.objects.count() == 1


def test_records_are_added_with_an_outcome_and_the_decision_is_published(
    client, make_record, make_decision, ppid
):
    exempt, opened = make_record("requested"), make_record("requested")
    decision = make_decision()
    client.force_login(ppid)
    page = client.get(decision_url(decision)).content.decode()
    assert add_url(decision, exempt) in page and add_url(decision, opened) in page
    # The form is prefilled with the proposal: posted unchanged, the decision says the same.
    form = client.get(add_url(decision, exempt)).context["form"]
    assert form["period_years"].initial == 5 and form["statutes"].initial == exempt.statutes
    client.post(add_url(decision, exempt), {**as_proposed(form), "outcome": "exempt"})
    client.post(add_url(decision, opened), {"outcome": "open"})
    states = dict(Record.objects.values_list("pk", "state"))
    assert (states[exempt.pk], states[opened.pk]) == ("decided", "opened")
    client.post(decision_url(decision, "staff-decision-publish"))
    assert Record.objects.get(pk=exempt.pk).state == "published"
    assert Decision.objects.get(pk=decision.pk).is_published
    page = client.get(decision_url(decision)).content.decode()
    # A published decision offers neither more records nor a second publication.
    assert decision_url(decision, "staff-decision-publish") not in page
    assert f"/keputusan/{decision.pk}/entri/" not in page


def test_publishing_twice_says_so_and_changes_nothing(client, make_record, ppid):
    decision = make_record("published").published_in
    client.force_login(ppid)
    response = client.post(decision_url(decision, "staff-decision-publish"), follow=True)
    assert any("sudah" in str(m) for m in response.context["messages"])


@pytest.mark.parametrize("username", ["pembina", "pertimbangan", "atasan"])
def test_approvers_cannot_add_records_or_publish(
    client, make_record, make_decision, cast, username
):
    record = make_record("archived")
    decision = make_decision()
    client.force_login(cast[username])
    client.post(add_url(decision, record), {"outcome": "exempt"})
    client.post(decision_url(decision, "staff-decision-publish"))
    assert Record.objects.get(pk=record.pk).state == "archived"
    assert not Decision.objects.get(pk=decision.pk).is_published


def test_a_published_record_is_opened_with_its_reason_and_instrument(client, make_record, atasan):
    record = make_record("published")
    client.force_login(atasan)
    url = reverse("dikecualikan:staff-record-open", args=[record.pk])
    response = client.post(url, {"reason": "consent", "instrument": "", "version": record.version})
    assert response.status_code == 200 and "instrument" in response.context["form"].errors
    client.post(
        url,
        {
            "reason": "consent",
            "instrument": "Surat persetujuan tertulis 2 Mei 2026",
            "version": record.version,
        },
    )
    record.refresh_from_db()
    assert (record.state, record.opened_reason) == ("opened", "consent")


def post_decision(client, pdf, number="1"):
    return client.post(
        reverse("dikecualikan:staff-decision-new"),
        {
            "body": kpu().pk,
            "number": number,
            "year": "2025",
            "title": "tentang DIK",
            "date_set": "2025-08-21",
            "place": "Jakarta",
            "signatory": "Ketua KPU",
            "pdf": pdf,
        },
    )


@pytest.mark.parametrize(
    "name,data",
    [
        ("skrip.pdf", samples.pdf_with_javascript()),
        ("palsu.pdf", samples.FAKE_PDF),
        ("gambar.pdf", samples.image("PNG")),
        ("ganda.pdf", samples.pdf() + samples.office("docx")),
        ("kosong.pdf", b""),
    ],
)
def test_a_decision_pdf_is_checked_like_a_softcopy_and_nothing_is_stored(
    client, ppid, settings, name, data
):
    client.force_login(ppid)
    response = post_decision(client, samples.upload(name, data))
    assert response.status_code == 200 and response.context["form"].errors["pdf"]
    assert not Decision.objects.exists()
    assert not any(p.is_file() for p in settings.MEDIA_ROOT.rglob("*"))


def test_a_decision_pdf_over_its_limit_is_refused_and_one_at_it_is_stored_under_our_name(
    client, ppid, settings
):
    settings.DECISION_MAX_UPLOAD_MB = 1
    client.force_login(ppid)
    over = post_decision(client, samples.upload("besar.pdf", samples.pdf_of_size(2**20 + 1)))
    assert "1,0" in str(over.context["form"].errors["pdf"])
    assert not Decision.objects.exists()
    at = post_decision(client, samples.upload("rahasia-nama.pdf", samples.pdf_of_size(2**20)))
    assert at.status_code == 302
    decision = Decision.objects.get()
    assert decision.pdf.size == 2**20 and "rahasia" not in decision.pdf.name
